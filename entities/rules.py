"""The reference rule and the scope rule, as pure checks that the services apply.

Reference rule: an entity may point at another one only if the target is system-scoped, or the two
share an application, or both are unassigned. Scope rule: how many applications an entity may hold.
"""

from django.core.exceptions import ValidationError

from applications import scopes


def describe(entity, applications) -> str:
    """`function 'hello' (in application 'ci')` — the phrase every rule message uses."""
    names = sorted(app.name for app in applications)
    if not names:
        where = "unassigned"
    elif len(names) == 1:
        where = f"in application '{names[0]}'"
    else:
        where = "in applications " + ", ".join(f"'{n}'" for n in names)
    return f"{entity.kind.label} '{entity.name}' ({where})"


def a(label: str) -> str:
    """The label with its indefinite article: "an image", "a function"."""
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


NUL_MESSAGE = "Text cannot hold the NUL character (U+0000)."


def holds_nul(value) -> bool:
    """Whether a decoded JSON or YAML value holds the NUL character anywhere, in a key or a string.

    PostgreSQL stores no NUL in text or JSON (a DataError, a 500), so it is refused as bad input."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def A(label: str) -> str:  # noqa: N802 - reads as the article at the start of a sentence
    return upper_first(a(label))


def reference_allowed(source_apps, target, target_apps) -> bool:
    if target.kind.is_system:
        return True
    source_ids = {app.pk for app in source_apps}
    target_ids = {app.pk for app in target_apps}
    return bool(source_ids & target_ids) or (not source_ids and not target_ids)


def check_reference(source, source_apps, target, target_apps, field: str) -> None:
    if not reference_allowed(source_apps, target, target_apps):
        raise ValidationError(
            {
                field: (
                    f"{upper_first(describe(source, source_apps))} cannot use "
                    f"{describe(target, target_apps)}: a reference must stay inside one application "
                    "or point to a system-scoped entity; put both in the same application."
                )
            }
        )


def check_scope(entity, target_apps, function_apps=None, current_apps=None) -> None:
    """Refuse application sets that the entity's scope does not allow (field: applications)."""
    kind = entity.kind
    scope = kind.scope
    names = sorted(app.name for app in target_apps)
    if scope == scopes.SYSTEM and target_apps:
        raise ValidationError(
            {"applications": f"{A(kind.label)} is system-scoped and cannot be put in an application."}
        )
    if scope == scopes.ONE and len(target_apps) > 1:
        raise ValidationError(
            {
                "applications": (
                    f"{A(kind.label)} can be in one application only, not in {', '.join(names)}; choose one."
                )
            }
        )
    if scope == scopes.FOLLOWS_FUNCTION and {a.pk for a in target_apps} != {a.pk for a in function_apps}:
        raise ValidationError(
            {
                "applications": (
                    f"{A(kind.label)} always belongs to the applications of its function "
                    f"({', '.join(sorted(a.name for a in function_apps)) or 'none'}); leave applications out."
                )
            }
        )
    if (
        scope == scopes.FROZEN
        and current_apps is not None
        and {a.pk for a in target_apps} != {a.pk for a in current_apps}
    ):
        raise ValidationError(
            {"applications": f"{A(kind.label)} keeps the applications it was made in; they cannot change."}
        )

"""Writes to entities. The admin, pages, API, bundles and CLI all call these, so the rules of scope,
references, roles, names and revisions live here and nowhere else.

Every function is keyword-only and runs in one transaction: it either does all it was asked or
nothing, and raises ValidationError (bad input), PermissionDenied (not allowed), NotFound (not
visible) or StaleRevision (changed meanwhile).
"""

import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet

from applications import access, quotas, scopes
from applications.access import Actor
from applications.exceptions import NotFound, StaleRevision
from applications.models import Application, ApplicationItem

from . import rules
from .kinds import KINDS, Kind, get_kind, referrers_of
from .models import Entity

SECRET_KEY_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,253}")  # used with fullmatch
READ_ONLY_FIELDS = {"id", "revision", "created", "modified", "created_by", "applications", "tags"}


def _as_kind(kind: Kind | str) -> Kind:
    return kind if isinstance(kind, Kind) else get_kind(kind)


def resolve_applications(*, user: Actor, applications: Iterable[Application | str]) -> list[Application]:
    """Applications by name or instance, among those the user may see; unknown ones are a 400."""
    wanted = list(applications)
    names = sorted({a.name if isinstance(a, Application) else str(a) for a in wanted})
    found = {a.name: a for a in access.visible_applications(user).filter(name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationError(
            {
                "applications": [
                    f"Application '{name}' does not exist; check the name or ask to be made a member."
                    for name in missing
                ]
            }
        )
    return [found[n] for n in names]


def _clean_secret_values(values: object) -> dict[str, str]:
    if not isinstance(values, dict):
        raise ValidationError({"values": "Give the secret's values as a map of names to strings."})
    for key, value in values.items():
        if not isinstance(key, str) or not SECRET_KEY_PATTERN.fullmatch(key):
            raise ValidationError(
                {"values": f"Secret key {key!r} is invalid; use letters, digits, '.', '_' and '-'."}
            )
        if not isinstance(value, str | int | float | bool):
            raise ValidationError({"values": f"The value of secret key '{key}' must be a string."})
    return {key: str(value) for key, value in values.items()}


def _clean_labels(labels: Iterable[object]) -> list[str]:
    cleaned = []
    for label in labels:
        if not isinstance(label, str) or not label.strip() or len(label.strip()) > 100:
            raise ValidationError({"tags": f"Tag {label!r} is invalid; use 1 to 100 characters."})
        if "\x00" in label:
            raise ValidationError({"tags": rules.NUL_MESSAGE})
        cleaned.append(label.strip())
    return sorted(set(cleaned))


def lock_applications(applications: Iterable[Application]) -> None:
    """Hold the applications' rows to the end of the transaction, shared: writes into one application
    still run side by side, but deleting it takes an exclusive lock on its row first (so do changes of
    the application itself), so a write that tags entities into it and its delete take turns: the
    delete's plan sees the new entity, or the write finds the application gone (a 400), never half of
    each. Rows are locked in id order. SQLite runs one write transaction at a time anyway."""
    wanted = {a.pk: a for a in applications}
    if not wanted:
        return
    rows = Application.objects.filter(pk__in=sorted(wanted)).order_by("pk").only("pk")
    found = {application.pk for application in hold_shared(rows)}
    gone = sorted(a.name for pk, a in wanted.items() if pk not in found)
    if gone:
        raise ValidationError(
            {"applications": [f"Application '{name}' does not exist; check the name." for name in gone]}
        )


def hold_shared(rows: models.QuerySet) -> list:
    """The rows of the query, each held shared (FOR KEY SHARE) until the transaction ends; exclusively
    on SQLite, which runs one write transaction at a time anyway."""
    if connection.vendor == "postgresql":
        sql, params = rows.query.sql_with_params()
        return list(rows.model.objects.raw(f"{sql} FOR KEY SHARE", params))  # select_for_update: exclusive
    return list(rows.select_for_update())


def _split_fields(kind: Kind, fields: dict) -> tuple[dict, dict, dict | None]:
    """Separate plain fields, many-to-many references and secret values; refuse unknown names."""
    fields = dict(fields)
    values = fields.pop("values", None) if kind.holds_secret else None
    many = {
        ref.field: list(fields.pop(ref.field)) for ref in kind.references if ref.many and ref.field in fields
    }
    for name in fields:
        try:
            field = kind.model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is None or name in READ_ONLY_FIELDS or not field.editable:
            raise ValidationError({name: f"{rules.A(kind.label)} has no writable field '{name}'."})
    return fields, many, values


def all_at_once(*checks: Callable[[], object]) -> None:
    """Run independent checks and raise every refusal they make as one ValidationError, so that a form
    (or an API client) sees all its problems in one answer instead of one per attempt."""
    errors: dict = {}
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _check_references_visible(*, user: Actor, kind: Kind, entity: Entity, many: dict) -> None:
    """Every referenced entity must be one the user may see (it may not exist for them otherwise)."""
    errors: dict[str, str] = {}
    for ref in kind.references:
        targets: list | None = many.get(ref.field) if ref.many else [getattr(entity, ref.field, None)]
        targets = [t for t in (targets or []) if t is not None]
        if not targets:
            continue
        target_model = get_kind(ref.kind).model
        visible = access.visible_entities(target_model, user).filter(pk__in=[t.pk for t in targets])
        if visible.count() != len({t.pk for t in targets}):
            errors[ref.field] = f"{rules.A(get_kind(ref.kind).label)} named in '{ref.field}' does not exist."
    if errors:
        raise ValidationError(errors)


def _check_forward_references(
    *, kind: Kind, entity: Entity, target_apps: list[Application], many: dict
) -> None:
    """The entity's own references obey the reference rule with its (new) applications (every
    reference is checked: all the refusals come at once)."""
    checks = []
    for ref in kind.references:
        if kind.scope == scopes.FROZEN and ref.field == "function":
            continue  # a run's applications come from its function by construction
        if ref.many:
            targets = many[ref.field] if ref.field in many else list(getattr(entity, ref.field).all())
        else:
            target = getattr(entity, ref.field, None)
            targets = [target] if target is not None else []
        checks += [
            partial(
                rules.check_reference, entity, target_apps, target, list(target.applications.all()), ref.field
            )
            for target in targets
        ]
    all_at_once(*checks)


def _check_reverse_references(*, kind: Kind, entity: Entity, target_apps: list[Application]) -> None:
    """What uses the entity still obeys the reference rule once its applications change."""
    for other, ref in referrers_of(kind):
        if other.scope in scopes.DERIVED_SCOPES:
            continue  # APIs move with their function; runs keep theirs
        for referrer in other.model.objects.filter(**{ref.field: entity}).prefetch_related("applications"):
            referrer_apps = list(referrer.applications.all())
            if not rules.reference_allowed(referrer_apps, entity, target_apps):
                raise ValidationError(
                    {
                        "applications": (
                            f"{rules.upper_first(rules.describe(referrer, referrer_apps))} uses "
                            f"{rules.describe(entity, target_apps)}; move or change it first."
                        )
                    }
                )


def _function_apps(kind: Kind, entity: Any) -> list[Application] | None:
    if kind.scope in scopes.DERIVED_SCOPES and entity.function is not None:
        return list(entity.function.applications.all())
    return None


def _target_applications(
    *,
    user: Actor,
    kind: Kind,
    entity: Entity,
    applications: Iterable[Application | str] | None,
    current: list[Application] | None,
) -> list[Application]:
    """The applications the entity will be in after this write, checked against its scope."""
    function_apps = _function_apps(kind, entity)
    if applications is None:
        target = function_apps if (function_apps is not None and current is None) else (current or [])
    else:
        target = resolve_applications(user=user, applications=applications)
    rules.check_scope(entity, target, function_apps=function_apps, current_apps=current)
    lock_applications(target)
    return target


def _check_assignment(
    *, user: Actor, kind: Kind, current: list[Application], target: list[Application]
) -> None:
    current_ids = {a.pk for a in current}
    target_ids = {a.pk for a in target}
    for app in [a for a in target if a.pk not in current_ids] + [
        a for a in current if a.pk not in target_ids
    ]:
        if not access.may_assign(user, app, kind.model):
            raise PermissionDenied(
                f"You need the developer role in application '{app.name}' to put "
                f"{kind.label_plural} in it or take them out."
            )


def _full_clean(kind: Kind, entity: Entity) -> None:
    # PostgreSQL stores no NUL in text: refused here for every text field, whichever surface sent it
    # (JSON fields check theirs in entities/shapes.py).
    with_nul = {
        field.name: [rules.NUL_MESSAGE]
        for field in entity._meta.concrete_fields
        if isinstance(getattr(entity, field.attname, None), str) and "\x00" in getattr(entity, field.attname)
    }
    errors: dict = dict(with_nul)
    try:
        entity.full_clean(
            exclude=["created_by", *with_nul], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if "name" not in errors and not kind.named_by_id:
        if kind.model.objects.filter(name=entity.name).exclude(pk=entity.pk).exists():
            errors["name"] = [
                f"{rules.A(kind.label)} named '{entity.name}' already exists; choose another name."
            ]
    if errors:
        raise ValidationError(errors)


def insert_entity(kind: Kind, entity: Entity, applications: list[Application]) -> None:
    """Insert a new entity already in its applications: its `unassigned` flag goes with the row and its
    application rows in one INSERT (taggit's `set` would first read what a new entity cannot have yet,
    and the signal would then rewrite the flag: seven queries for these two)."""
    entity.unassigned = not applications
    _save(kind, entity)
    if applications:
        content_type = ContentType.objects.get_for_model(kind.model)
        ApplicationItem.objects.bulk_create(
            ApplicationItem(content_type=content_type, object_id=entity.pk, tag=application)
            for application in applications
        )


def _save(kind: Kind, entity: Entity) -> None:
    if kind.named_by_id:  # a new id: no concurrent write can take its name, so no savepoint
        entity.save(force_insert=True)
        return
    try:
        with transaction.atomic():
            entity.save()
    except IntegrityError as exc:
        # A concurrent write took the name (or broke a constraint) between our check and the insert.
        if kind.model.objects.filter(name=entity.name).exclude(pk=entity.pk).exists():
            raise ValidationError(
                {"name": f"{rules.A(kind.label)} named '{entity.name}' already exists; choose another name."}
            ) from None
        raise ValidationError(f"The {kind.label} could not be saved: {exc}.") from None


def _follow(kind: Kind, entity: Entity, target_apps: list[Application]) -> None:
    """Entities that follow a function move with it (APIs, unless the setting changed their scope)."""
    if not kind.runnable:
        return
    for other, ref in referrers_of(kind):
        if other.scope != scopes.FOLLOWS_FUNCTION:
            continue
        for follower in other.model.objects.filter(**{ref.field: entity}):
            follower.applications.set(target_apps)
            other.model.objects.filter(pk=follower.pk).update(revision=models.F("revision") + 1)


@transaction.atomic
def entity_create(
    *,
    kind: Kind | str,
    user: Actor,
    fields: dict,
    applications: Iterable[Application | str] | None = None,
    tags: Iterable[str] | None = None,
) -> Entity:
    """Create an entity of a kind in the given applications (None: its scope's default)."""
    kind = _as_kind(kind)
    plain, many, values = _split_fields(kind, fields)
    entity = kind.model(**plain)
    if user is not None and user.is_authenticated:
        entity.created_by = user
    if values is not None:
        entity.values = _clean_secret_values(values)
    if kind.named_by_id:
        entity.name = str(entity.id)
    _check_references_visible(user=user, kind=kind, entity=entity, many=many)
    target = _target_applications(
        user=user, kind=kind, entity=entity, applications=applications, current=None
    )
    if not access.may_create(user, kind.model, target):
        raise PermissionDenied(_create_denied(kind, target))
    all_at_once(
        partial(_full_clean, kind, entity),
        partial(_check_forward_references, kind=kind, entity=entity, target_apps=target, many=many),
    )
    for application in target:
        quotas.check_entity_quota(application=application, kind=kind)
    insert_entity(kind, entity, target)
    for field, targets in many.items():
        getattr(entity, field).set(targets)
    if tags:
        entity.tags.set(_clean_labels(tags))
    return entity


def _create_denied(kind: Kind, target: list[Application]) -> str:
    if kind.is_system:
        return f"Only staff can create {kind.label_plural}: they are system-scoped."
    if not target:
        return f"Only staff can create unassigned {kind.label_plural}; name an application you develop in."
    names = ", ".join(f"'{a.name}'" for a in target)
    return f"You need the developer role in {names} to create {kind.label_plural} there."


def _lock(entity: Entity) -> Entity:
    """Re-read the entity under a row lock, so two writers of one revision cannot both win."""
    try:
        return type(entity).objects.select_for_update().get(pk=entity.pk)  # type: ignore[attr-defined]  # each kind's own
    except type(entity).DoesNotExist:
        raise NotFound(f"{rules.A(entity.kind.label)} '{entity.name}' does not exist.") from None


def _check_visible(user: Actor, entity: Entity) -> None:
    if not access.may_view(user, entity):
        raise NotFound(f"{rules.A(entity.kind.label)} '{entity.name}' does not exist.")


@transaction.atomic
def entity_update(
    *,
    entity: Entity,
    user: Actor,
    fields: dict | None = None,
    applications: Iterable[Application | str] | None = None,
    tags: Iterable[str] | None = None,
    revision: int | None = None,
) -> Entity:
    """Change an entity's fields, applications or tags. `revision`, when given, must be current."""
    kind = entity.kind
    _check_visible(user, entity)
    # The applications it is in before the entity itself, in the order an application's delete takes
    # them (application, then its entities): the two cannot deadlock.
    lock_applications(Application.objects.filter(pk__in=_application_ids_of(entity)))
    entity = _lock(entity)
    if revision is not None and int(revision) != entity.revision:
        raise StaleRevision(f"{rules.A(kind.label)} '{entity.name}'", int(revision), entity.revision)
    if not access.may_change(user, entity):
        raise PermissionDenied(
            f"You need the developer role in an application of {kind.label} '{entity.name}' to change it."
        )
    plain, many, values = _split_fields(kind, fields or {})
    if kind.named_by_id and "name" in plain:
        raise ValidationError({"name": "A run is named by its id; its name cannot change."})
    for name, value in plain.items():
        setattr(entity, name, value)
    if values is not None:
        entity.values = _clean_secret_values(values)  # type: ignore[attr-defined]  # a secret's
    _check_references_visible(user=user, kind=kind, entity=entity, many=many)
    current = list(entity.applications.all())
    target = _target_applications(
        user=user, kind=kind, entity=entity, applications=applications, current=current
    )
    _check_assignment(user=user, kind=kind, current=current, target=target)
    all_at_once(
        partial(_full_clean, kind, entity),
        partial(_check_forward_references, kind=kind, entity=entity, target_apps=target, many=many),
    )
    moved = {a.pk for a in current} != {a.pk for a in target}
    if moved:
        _check_reverse_references(kind=kind, entity=entity, target_apps=target)
        current_ids = {a.pk for a in current}
        for application in [a for a in target if a.pk not in current_ids]:
            quotas.check_entity_quota(application=application, kind=kind)
    entity.revision += 1
    _save(kind, entity)
    for field, targets in many.items():
        getattr(entity, field).set(targets)
    if moved:
        entity.applications.set(target)
        _follow(kind, entity, target)
    if tags is not None:
        entity.tags.set(_clean_labels(tags))
    return entity


def _application_ids_of(entity: Entity) -> QuerySet:
    content_type = ContentType.objects.get_for_model(type(entity))
    return ApplicationItem.objects.filter(content_type=content_type, object_id=entity.pk).values("tag_id")


def users_of(kind: Kind, entities: Iterable[Entity]) -> list:
    """Entities of other kinds that reference these ones and would block their deletion."""
    ids = [e.pk for e in entities]
    found = []
    for other, ref in referrers_of(kind):
        if other.scope == scopes.FROZEN:
            continue  # runs outlive their function (see _delete_runs_of)
        found += list(other.model.objects.filter(**{f"{ref.field}__in": ids}).exclude(pk__in=ids).distinct())
    return found


def _delete_runs_of(function: Entity, user: Actor) -> None:
    """Delete the function's runs that the user may delete (those only in applications they develop
    in); the others, in applications they may not change, keep their frozen `function_name` and lose
    only the link (the foreign key is SET_NULL)."""
    model = get_kind("run").model
    access.deletable_entities(model, user, model.objects.filter(function=function)).delete()


@transaction.atomic
def entity_delete(*, entity: Entity, user: Actor, revision: int | None = None) -> None:
    """Delete an entity that nothing uses any more; a function's runs go with it where the user may
    delete them."""
    kind = entity.kind
    _check_visible(user, entity)
    entity = _lock(entity)
    if revision is not None and int(revision) != entity.revision:
        raise StaleRevision(f"{rules.A(kind.label)} '{entity.name}'", int(revision), entity.revision)
    if not access.may_delete(user, entity):
        raise PermissionDenied(
            f"You need the developer role in every application of {kind.label} '{entity.name}' to delete it."
        )
    blockers = users_of(kind, [entity])
    if blockers:
        raise ValidationError(
            f"{rules.A(kind.label)} '{entity.name}' is used by {_named_for(user, blockers)}; "
            "delete or change those first."
        )
    if kind.runnable:
        _delete_runs_of(entity, user)
    entity.delete()


def _named_for(user: Actor, entities: list[Entity]) -> str:
    """The entities by kind and name, naming only those the user may see (one query per kind): a
    refusal must not tell a user what exists in applications they are no member of."""
    by_model: dict = {}
    for entity in entities:
        by_model.setdefault(type(entity), []).append(entity.pk)
    visible = {
        pk
        for model, ids in by_model.items()
        for pk in access.visible_entities(model, user).filter(pk__in=ids).values_list("pk", flat=True)
    }
    names = ", ".join([f"{e.kind.label} '{e.name}'" for e in entities if e.pk in visible][:5])
    if len(visible) == len(entities):
        return names
    return f"{names} and entities you cannot see" if names else "entities you cannot see"


def all_kinds_in(application: Application) -> dict[Kind, models.QuerySet]:
    """Per kind, the entities tagged with the application (system kinds have none)."""
    return {
        kind: kind.model.objects.filter(
            models.Exists(access.application_items(kind.model).filter(tag=application))
        )
        for kind in KINDS
        if not kind.is_system
    }

"""Applying a bundle: create or update (or delete) every document through the services, in one
transaction, all or nothing, with a dry run that rolls back what it did."""

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from applications import access, scopes
from applications import services as application_services
from applications.access import Actor
from applications.exceptions import NotFound
from dispatch_site.errors import REFUSALS, reason_of, status_of
from entities import services
from entities.selectors import entity_queryset

from .fields import FIELDS, Context
from .format import (
    APPLICATION,
    APPLICATION_KEYS,
    BUNDLE_KINDS,
    READ_ONLY_KEYS,
    BundleError,
    Document,
    documents_from,
    in_order,
    load_fields,
    parse,
    split_tags,
)

ACTIONS = ("created", "updated", "unchanged", "deleted", "absent")
BUNDLE_LOCK_KEY = 0x62756E64  # "bund": the PostgreSQL advisory lock that bundles take one at a time


@dataclass
class Result:
    position: int
    kind: str
    name: str
    action: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    """What a bundle did (or, in a dry run, would do), per document in file order."""

    dry_run: bool
    results: list[Result] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = Counter(result.action for result in self.results)
        return {action: counts[action] for action in ACTIONS if counts[action]}

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "results": [r.as_dict() for r in sorted(self.results, key=lambda r: r.position)],
        }


def _error(document: Document, exc: Exception) -> BundleError:
    """A domain error as a BundleError that names the document, with field names in Dispatch's form."""
    errors: dict = {}
    detail = reason_of(exc)
    if isinstance(exc, ValidationError):
        keys = {name: spec.key for spec in FIELDS.get(document.kind, ()) for name in spec.model_fields()}
        keys["applications"] = "tags"
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                errors.setdefault(keys.get(name, name), []).extend(messages)
            detail = next(iter(errors.values()))[0]
        else:
            detail = exc.messages[0]
            errors = {"non_field_errors": exc.messages}
    status = status_of(exc) or 400
    return BundleError(f"{document.describe()}: {detail}", status=status, errors=errors, document=document)


def _current(entity: Any, model_field: str) -> Any:
    if model_field == "values":
        return entity.values
    value = getattr(entity, model_field)
    if hasattr(value, "all"):
        return {e.pk for e in value.all()}
    return bytes(value) if isinstance(value, memoryview) else value  # PostgreSQL's binary columns


def _differs(entity: Any, model_field: str, value: Any, user: Actor) -> bool:
    if model_field == "values" and not access.may_reveal_secret(user, entity):
        # Values the caller may not read are never compared: "unchanged" for the right ones and a
        # refusal for wrong ones would let them be guessed one request at a time.
        return True
    current = _current(entity, model_field)
    if isinstance(value, list) and isinstance(current, set):
        return {e.pk for e in value} != current
    if hasattr(value, "pk"):
        return getattr(current, "pk", None) != value.pk
    return current != value


def _missing(document: Document) -> NotFound:
    return NotFound(
        f"{document.kind} '{document.name}' does not exist; create it first (`dispatch create -f`)."
    )


def _apply_entity(document: Document, ctx: Context, default_application: str | None) -> str:
    kind = BUNDLE_KINDS[document.kind]
    applications, labels = split_tags(document)
    if applications is None and default_application and kind.scope in (scopes.ONE, scopes.MANY):
        applications = [default_application]
    fields = load_fields(document, ctx)
    existing = (
        entity_queryset(kind, ctx.user, labels=True, many_references=False).filter(name=document.name).first()
    )
    if existing is None:
        if ctx.must_exist:
            raise _missing(document)
        services.entity_create(
            kind=kind,
            user=ctx.user,
            fields={"name": document.name, **fields},
            applications=applications,
            tags=labels,
        )
        return "created"
    changed = {name: value for name, value in fields.items() if _differs(existing, name, value, ctx.user)}
    if applications is not None and sorted(set(applications)) == existing.application_names():
        applications = None
    if labels is not None and sorted(set(labels)) == sorted(t.name for t in existing.tags.all()):
        labels = None
    if not changed and applications is None and labels is None:
        return "unchanged"
    services.entity_update(
        entity=existing, user=ctx.user, fields=changed, applications=applications, tags=labels
    )
    return "updated"


def _apply_application(document: Document, ctx: Context) -> str:
    unknown = set(document.body) - {"kind", "name", "tags", *APPLICATION_KEYS, *READ_ONLY_KEYS}
    if unknown:
        key = sorted(unknown)[0]
        raise ValidationError({key: f"Application has no field '{key}'; use description and tags."})
    applications, labels = split_tags(document)
    if applications:
        raise ValidationError({"tags": "An application cannot be put in another application."})
    description = document.body.get("description")
    if description is not None and not isinstance(description, str):
        raise ValidationError({"description": "Give 'description' as text."})
    existing = (
        access.visible_applications(ctx.user).filter(name=document.name).prefetch_related("tags").first()
    )
    if existing is None:
        if ctx.must_exist:
            raise _missing(document)
        application_services.application_create(
            user=ctx.user, name=document.name, description=description or "", tags=labels
        )
        return "created"
    if description is not None and description == existing.description:
        description = None
    if labels is not None and sorted(set(labels)) == sorted(t.name for t in existing.tags.all()):
        labels = None
    if description is None and labels is None:
        return "unchanged"
    application_services.application_update(
        application=existing, user=ctx.user, description=description, tags=labels
    )
    return "updated"


def _one_bundle_at_a_time() -> None:
    """Wait, inside the bundle's transaction, until no other bundle is being applied.

    Two bundles at once would insert and lock their rows in their own files' orders and could
    deadlock (a 500) or fail on each other's names; one after the other, the second sees what the
    first wrote (its documents are `unchanged` or `updated`). PostgreSQL releases the lock at the end
    of the transaction; SQLite runs one write transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BUNDLE_LOCK_KEY])


def _run(
    documents: list[Document], step: Callable[[Document], str], *, dry_run: bool, reverse: bool = False
) -> Report:
    """Apply `step` to every document in one transaction; any error rolls all of them back."""
    report = Report(dry_run=dry_run)
    with transaction.atomic():
        _one_bundle_at_a_time()
        for document in in_order(documents, reverse=reverse):
            try:
                action = step(document)
            except REFUSALS as exc:
                raise _error(document, exc) from None
            report.results.append(Result(document.position, document.kind, document.name, action))
        if dry_run:
            transaction.set_rollback(True)
    return report


def _documents(bundle: object) -> list[Document]:
    if isinstance(bundle, str):
        return parse(bundle)
    if isinstance(bundle, list) and all(isinstance(d, Document) for d in bundle):
        return bundle
    if isinstance(bundle, list):
        return documents_from(bundle)
    raise BundleError("Give the bundle as YAML text or a list of documents.")


def apply_bundle(
    *,
    user: Actor,
    bundle: str | list,
    application: str | None = None,
    dry_run: bool = False,
    base_dir: str | Path | None = None,
    must_exist: bool = False,
) -> Report:
    """Create or update every document of the bundle, all or nothing.

    `application` is where documents without an Application tag go (like `-a` on the CLI); system
    kinds and APIs ignore it. `base_dir` lets trusted callers resolve `sourcePath` on this machine.
    `must_exist` refuses (404) a document that names nothing, instead of creating it.
    """
    documents = _documents(bundle)
    ctx = Context(user=user, base_dir=Path(base_dir) if base_dir else None, must_exist=must_exist)

    def step(document: Document) -> str:
        if document.kind == APPLICATION:
            return _apply_application(document, ctx)
        return _apply_entity(document, ctx, application)

    return _run(documents, step, dry_run=dry_run)


def delete_bundle(*, user: Actor, bundle: str | list, dry_run: bool = False) -> Report:
    """Delete what the bundle names, users before what they use; names that are not there are `absent`.

    An Application document deletes the application only once nothing else is left in it, so a bundle
    cannot delete entities it does not name.
    """
    documents = _documents(bundle)

    def step(document: Document) -> str:
        if document.kind == APPLICATION:
            application = access.visible_applications(user).filter(name=document.name).first()
            if application is None:
                return "absent"
            plan = application_services.application_delete(application=application, user=user, dry_run=True)
            left = plan.deleted + plan.untagged
            if left:
                more = f" and {len(left) - 1} more" if len(left) > 1 else ""
                raise ValidationError(
                    f"Application '{document.name}' still holds {left[0]['kind']} "
                    f"'{left[0]['name']}'{more}, which the bundle does not name; delete those first "
                    "or leave out the Application document."
                )
            application_services.application_delete(application=application, user=user)
            return "deleted"
        kind = BUNDLE_KINDS[document.kind]
        entity = entity_queryset(kind, user, many_references=False).filter(name=document.name).first()
        if entity is None:
            return "absent"
        services.entity_delete(entity=entity, user=user)
        return "deleted"

    return _run(documents, step, dry_run=dry_run, reverse=True)

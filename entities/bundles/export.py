"""Exporting: visible entities of a kind, or an application with everything it manages, as
documents, reading through the access gate in one query per reference set."""

from collections.abc import Iterable
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from applications import access
from applications.access import Actor
from applications.exceptions import NotFound
from applications.models import Application
from entities.kinds import KINDS, Kind, get_kind
from entities.models import Entity
from entities.selectors import entity_queryset

from .fields import FIELDS, Context
from .format import APPLICATION, document_of, tags_of, with_state


def documents_of(
    *, user: Actor, kind: Kind, entities: Iterable[Entity], revealable: Iterable[UUID] = ()
) -> list[dict]:
    """Visible entities of one kind (from `document_queryset`) as Dispatch documents with their state:
    what `dispatch get … -o yaml` prints. Secret values only for the secrets in `revealable`."""
    ctx = Context(user=user, revealable=set(revealable))
    return [with_state(document_of(kind, entity, ctx), entity) for entity in entities]


def application_document(application: Application) -> dict:
    tags = tags_of(application, with_applications=False)
    return {
        "kind": APPLICATION,
        "name": application.name,
        "description": application.description,
        "tags": tags,
    }


def application_documents(applications: Iterable[Application]) -> list[dict]:
    """Applications (from the gate, labels prefetched) as documents with their state."""
    return [with_state(application_document(application), application) for application in applications]


def document_queryset(kind: Kind, user: Actor, *, application: Application | None = None) -> QuerySet:
    """What a kind's documents read: the surfaces' one read path (`entity_queryset`, the access gate)
    with applications and labels, in one query per reference set whatever the count; sources included
    (`defer(None)`: the function manager leaves the archive out of ordinary reads)."""
    return entity_queryset(kind, user, application=application, labels=True).defer(None).order_by("name")


def export_application(*, user: Actor, name: str, include_secret_values: bool = False) -> list[dict]:
    """The application and everything it manages, plus the system entities those use, as documents.

    Runs are runtime records and stay out. Secret values only for the application's admins (and
    staff), when asked for; otherwise secrets are exported with their names and tags only.
    """
    application = access.visible_applications(user).filter(name=name).prefetch_related("tags").first()
    if application is None:
        raise NotFound(f"Application '{name}' does not exist.")
    if include_secret_values and not access.may_change_application(user, application):
        raise PermissionDenied(
            f"You need the admin role in application '{name}' to export its secret values; "
            "leave include_secret_values out."
        )
    ctx = Context(user=user, include_secret_values=include_secret_values)
    managed: dict[Kind, list] = {
        kind: list(document_queryset(kind, user, application=application))
        for kind in KINDS
        if not kind.is_system and kind.bundle_kind in FIELDS
    }
    used: dict[str, set] = {}
    entities: Iterable[Entity]
    for kind, entities in managed.items():
        for ref in kind.references:
            if not ref.many and get_kind(ref.kind).is_system:
                used.setdefault(ref.kind, set()).update(getattr(e, f"{ref.field}_id") for e in entities)
    documents = [application_document(application)]
    for kind in KINDS:
        if kind.is_system and kind.name in used:
            entities = document_queryset(kind, user).filter(pk__in=used[kind.name])
        else:
            entities = managed.get(kind, [])
        documents += [document_of(kind, entity, ctx) for entity in entities]
    return documents

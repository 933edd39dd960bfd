"""`Entity.unassigned` must always equal "is in no application": the access gate shows unassigned
entities to everyone signed in and hides the others from non-members, so a wrong flag either shows an
entity to everyone or loses it. The signals keep it (entities/signals.py); this verifies and repairs it,
for the system check `dispatch.E002` and `manage.py check_unassigned [--repair]`."""

from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.db import DatabaseError, connections
from django.db.models import Exists, OuterRef, Q

from applications.models import ApplicationItem

from .kinds import KINDS
from .signals import refresh_unassigned


def misflagged(model, using: str = "default"):
    """Entities of one kind whose flag says the opposite of the through table."""
    content_type = ContentType.objects.db_manager(using).get_for_model(model)
    items = ApplicationItem.objects.using(using).filter(content_type=content_type, object_id=OuterRef("pk"))
    return (
        model.objects.using(using)
        .annotate(in_application=Exists(items))
        .filter(Q(unassigned=True, in_application=True) | Q(unassigned=False, in_application=False))
    )


def wrong_flags(using: str = "default") -> dict[str, list[str]]:
    """Per kind, the names of the entities whose flag is wrong (kinds without any are left out)."""
    wrong = {}
    for kind in KINDS:
        names = list(misflagged(kind.model, using).order_by("name").values_list("name", flat=True))
        if names:
            wrong[kind.name] = names
    return wrong


def repair_flags(using: str = "default") -> dict[str, int]:
    """Set every wrong flag from the through table; per kind, how many were wrong."""
    repaired = {}
    for kind in KINDS:
        ids = list(misflagged(kind.model, using).values_list("pk", flat=True))
        if ids:
            refresh_unassigned(kind.model, ids, using=using)
            repaired[kind.name] = len(ids)
    return repaired


def _tables_exist(using: str) -> bool:
    tables = set(connections[using].introspection.table_names())
    return {ApplicationItem._meta.db_table, *(kind.model._meta.db_table for kind in KINDS)} <= tables


@checks.register(checks.Tags.database)
def check_unassigned_flags(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database default` (and migrate) report entities with a wrong flag."""
    errors = []
    for using in databases or []:
        try:
            if not _tables_exist(using):
                continue  # not migrated yet
            wrong = wrong_flags(using)
        except DatabaseError:
            continue  # the database cannot be read: other checks say so
        for kind, names in wrong.items():
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            errors.append(
                checks.Error(
                    f"{len(names)} {kind} entities have an 'unassigned' flag that contradicts their "
                    f"applications: {shown}.",
                    hint="Run `manage.py check_unassigned --repair`.",
                    id="dispatch.E002",
                )
            )
    return errors

"""Quotas per application: entities per kind, unfinished runs, runs per minute.

The services call these inside the transaction that adds the entity or the run, holding the
application's quota lock, so two parallel writers cannot both take the last unit of a quota: the second
waits for the first to commit and then counts its entity or run. An empty quota is no limit.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from .exceptions import QuotaExceeded
from .models import Application, ApplicationItem, Status

UNFINISHED = (Status.INITIALIZED, Status.CREATING)  # a run in these has not finished yet
WINDOW = timedelta(seconds=60)
QUOTA_LOCK = 0x51A7  # the first key of the PostgreSQL advisory locks that quota checks take


def _locked(application, *quotas: str) -> Application | None:
    """The application with its row locked until the transaction ends, when one of these quotas is set
    (read from the database: the caller's copy may be older than a staff change); else None."""
    current = Application.objects.filter(pk=application.pk).values(*quotas).first() or {}
    if all(value is None for value in current.values()):
        return None  # no limit: no lock, so that applications without quotas never wait on each other
    if connection.vendor != "postgresql":  # SQLite runs one write transaction at a time anyway
        return Application.objects.select_for_update().get(pk=application.pk)
    # A lock of its own, not the row's: every write into the application already holds the row shared
    # (FOR KEY SHARE, entities.services.lock_applications), and upgrading that to FOR UPDATE in two
    # writers at once would deadlock. Quota checks queue on this one; other writes do not.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [QUOTA_LOCK, application.pk])
    return Application.objects.get(pk=application.pk)


def _items(application, model):
    return ApplicationItem.objects.filter(
        tag=application, content_type=ContentType.objects.get_for_model(model)
    )


def check_entity_quota(*, application, kind) -> None:
    """Refuse (400) to put one more entity of this kind into the application when it is full.

    Runs have their own quotas (check_run_quota) and are not counted here.
    """
    from entities.kinds import get_kind

    kind = get_kind(kind) if isinstance(kind, str) else kind
    application = None if kind.read_only else _locked(application, "max_entities_per_kind")
    if application is None:
        return
    limit = application.max_entities_per_kind
    if limit is not None and _items(application, kind.model).count() >= limit:
        raise ValidationError(
            {
                "applications": (
                    f"Application '{application.name}' has reached its quota of {limit} "
                    f"{kind.label if limit == 1 else kind.label_plural} (max entities per kind); "
                    "delete one or ask staff to raise the quota."
                )
            }
        )


def run_use(application, now=None) -> dict:
    """The application's unfinished runs and the runs it started in the last minute (one query)."""
    from entities.models import FunctionRun

    since = (now or timezone.now()) - WINDOW
    return FunctionRun.objects.filter(pk__in=_items(application, FunctionRun).values("object_id")).aggregate(
        unfinished=Count("pk", filter=Q(status__in=UNFINISHED)),
        last_minute=Count("pk", filter=Q(created__gte=since)),
    )


def quota_use(application) -> list[dict]:
    """Each quota with its limit (None: none) and its use, for the dashboard (two queries)."""
    from entities.kinds import KINDS

    from .selectors import entity_counts

    kinds = [kind for kind in KINDS if not kind.is_system and not kind.read_only]
    counts = entity_counts([application.pk], kinds).get(application.pk, {})
    fullest = max(((n, kind.label_plural) for kind, n in counts.items()), default=(0, ""))
    runs = run_use(application)
    return [
        {
            "quota": "max_entities_per_kind",
            "label": "entities per kind",
            "limit": application.max_entities_per_kind,
            "used": fullest[0],
            "detail": fullest[1],  # the kind with the most entities
        },
        {
            "quota": "max_concurrent_runs",
            "label": "concurrent runs",
            "limit": application.max_concurrent_runs,
            "used": runs["unfinished"],
            "detail": "",
        },
        {
            "quota": "max_runs_per_minute",
            "label": "runs per minute",
            "limit": application.max_runs_per_minute,
            "used": runs["last_minute"],
            "detail": "",
        },
    ]


def check_run_quota(*, application) -> None:
    """Refuse (429) a new run of the application while it is at a run quota.

    Call it inside the transaction that creates the run, before creating it: the application's row
    stays locked until that run is committed, so parallel starts are counted one after another.
    """
    application = _locked(application, "max_concurrent_runs", "max_runs_per_minute")
    if application is None:
        return
    use = run_use(application)
    limit = application.max_concurrent_runs
    if limit is not None and use["unfinished"] >= limit:
        raise QuotaExceeded(
            f"Application '{application.name}' already has {limit} unfinished "
            f"run{'' if limit == 1 else 's'} (its concurrent runs quota); wait for one to finish."
        )
    limit = application.max_runs_per_minute
    if limit is not None and use["last_minute"] >= limit:
        raise QuotaExceeded(
            f"Application '{application.name}' started {limit} run{'' if limit == 1 else 's'} in the last "
            "minute (its runs per minute quota); wait a little and try again."
        )

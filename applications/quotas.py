"""Quotas per application: entities per kind, unfinished runs, runs per minute.

The services call these inside the transaction that adds the entity or the run, after locking the
application's row, so two parallel writers cannot both take the last unit of a quota: the second
waits for the first to commit and then counts its entity or run. An empty quota is no limit.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from .exceptions import QuotaExceeded
from .models import Application, ApplicationItem, Status

UNFINISHED = (Status.INITIALIZED, Status.CREATING)  # a run in these has not finished yet
WINDOW = timedelta(seconds=60)


def _locked(application, *quotas: str) -> Application | None:
    """The application with its row locked until the transaction ends, when one of these quotas is set
    (read from the database: the caller's copy may be older than a staff change); else None."""
    current = Application.objects.filter(pk=application.pk).values(*quotas).first() or {}
    if all(value is None for value in current.values()):
        return None  # no limit: no lock, so that applications without quotas never wait on each other
    return Application.objects.select_for_update().get(pk=application.pk)


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
    application = None if kind.name == "run" else _locked(application, "max_entities_per_kind")
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


def unfinished_runs(application) -> int:
    from entities.models import FunctionRun

    return FunctionRun.objects.filter(
        pk__in=_items(application, FunctionRun).values("object_id"), status__in=UNFINISHED
    ).count()


def runs_in_last_minute(application, now=None) -> int:
    from entities.models import FunctionRun

    since = (now or timezone.now()) - WINDOW
    return FunctionRun.objects.filter(
        pk__in=_items(application, FunctionRun).values("object_id"), created__gte=since
    ).count()


def check_run_quota(*, application) -> None:
    """Refuse (429) a new run of the application while it is at a run quota.

    Call it inside the transaction that creates the run, before creating it: the application's row
    stays locked until that run is committed, so parallel starts are counted one after another.
    """
    application = _locked(application, "max_concurrent_runs", "max_runs_per_minute")
    if application is None:
        return
    limit = application.max_concurrent_runs
    if limit is not None and unfinished_runs(application) >= limit:
        raise QuotaExceeded(
            f"Application '{application.name}' already has {limit} unfinished "
            f"run{'' if limit == 1 else 's'} (its concurrent runs quota); wait for one to finish."
        )
    limit = application.max_runs_per_minute
    if limit is not None and runs_in_last_minute(application) >= limit:
        raise QuotaExceeded(
            f"Application '{application.name}' started {limit} run{'' if limit == 1 else 's'} in the last "
            "minute (its runs per minute quota); wait a little and try again."
        )

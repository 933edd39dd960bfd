"""Runs and events at known times in application A (and one of each in B), and the figures they must
give."""

from datetime import UTC, datetime, timedelta

from applications.models import Status
from entities import models as m
from tests import factories as f

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
WINDOW = {"since": "2026-12-01T03:00:00Z", "until": "2026-12-01T03:05:00Z", "step": "1m"}


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def make_event(app, when, type="build.failed") -> m.Event:
    name = app.name if app else "none"
    return m.Event.objects.create(
        application=app,
        topic=f"{name}.{type}",
        type=type,
        id=f"{name}-{when:%H%M%S}",
        source="/ci",
        received=when,
    )


def make_run(function, app, when, status=Status.READY, duration_ms=None, error_type="", source_event=None):
    error = (
        {"type": error_type, "message": f"{error_type} happened", "stacktrace": []} if error_type else None
    )
    run = f.FunctionRunFactory(
        function=function,
        applications=[app],
        status=status,
        duration_ms=duration_ms,
        error_type=error_type,
        error=error,
        event={"type": source_event.type, "id": source_event.id} if source_event else None,
        source_event=source_event,
    )
    m.FunctionRun.objects.filter(pk=run.pk).update(created=when)
    return run


def make_runs(people) -> dict:
    """Five runs of A between 03:00 and 03:05, two outside, and one of B inside; four events of A
    between 03:00 and 03:05 (one of which ran `bye`), two outside, one of B and one of no application
    inside."""
    hello = f.FunctionFactory(name="hello", applications=[people.app_a])
    bye = f.FunctionFactory(name="bye", image=hello.image, applications=[people.app_a])
    secret_b = f.FunctionFactory(name="secret-of-b", applications=[people.app_b])
    runs = {
        "hello-1": make_run(hello, people.app_a, at(10), duration_ms=100),
        "hello-2": make_run(hello, people.app_a, at(20), duration_ms=300),
        "hello-fails": make_run(
            hello, people.app_a, at(65), Status.ERROR, duration_ms=50, error_type="FunctionError"
        ),
        "bye": make_run(
            bye, people.app_a, at(120), duration_ms=1000, source_event=make_event(people.app_a, at(119))
        ),
        "hello-bad-input": make_run(hello, people.app_a, at(239), Status.ERROR, error_type="InputError"),
        "before": make_run(hello, people.app_a, at(-1), duration_ms=5),
        "at-the-end": make_run(hello, people.app_a, at(300), duration_ms=5),
        "of-b": make_run(
            secret_b, people.app_b, at(61), Status.ERROR, duration_ms=7, error_type="SystemError"
        ),
    }
    for when in (at(5), at(130), at(150), at(-1), at(300)):
        make_event(people.app_a, when)
    make_event(people.app_b, at(61))
    make_event(None, at(30))
    return runs

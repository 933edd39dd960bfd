"""The reaper: a run left CREATING past its timeout and the grace period is ERROR (SystemError); a
run still within its time, or already finished, is left alone."""

import datetime

import pytest
from django.utils import timezone

from entities import models as m
from entities.runs.services import reap_stuck_runs, start_run

pytestmark = pytest.mark.django_db


def creating_since(function, seconds_ago):
    run = start_run(user=None, function=function, blocking=False)
    executed = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    m.FunctionRun.objects.filter(pk=run.pk).update(status="CREATING", executed_time=executed)
    return run


def test_only_runs_past_their_timeout_and_the_grace_are_reaped(functions, settings):
    settings.DISPATCH_RUN_LIMITS = {"reaper_grace_seconds": 10}
    hello = m.Function.objects.get(name="hello-py")
    hello.timeout = 5000
    hello.save()
    stuck = creating_since(hello, 16)  # 5 s timeout + 10 s grace are over
    running = creating_since(hello, 14)
    assert reap_stuck_runs() == 1
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert (stuck.status, stuck.error_type, stuck.error["type"]) == ("ERROR", "SystemError", "SystemError")
    assert stuck.reason == ["The worker running it stopped before the run finished; start it again."]
    assert running.status == "CREATING"
    assert reap_stuck_runs() == 0  # a second reaper (another worker) finds nothing left


def test_a_run_of_a_deleted_function_is_reaped_after_the_default_timeout(functions, settings):
    settings.DISPATCH_RUN_LIMITS = {"reaper_grace_seconds": 1, "timeout_ms": 2000}
    hello = m.Function.objects.get(name="hello-py")
    run = creating_since(hello, 4)
    m.FunctionRun.objects.filter(pk=run.pk).update(function=None)
    assert reap_stuck_runs() == 1

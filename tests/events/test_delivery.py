"""Delivery: an emitted event runs every subscription of its topic once and no other; each run gets
the data as input, the event without data as context["event"], and the subscription's secrets."""

import json

import pytest

from entities.events import parsing, services
from entities.models import Event, FunctionRun
from tests import factories as f

pytestmark = pytest.mark.django_db


def make_event(type="build.failed", data=None, **attributes):
    return parsing.make(type=type, source="/ci", data=data, **attributes)


@pytest.fixture
def subscriptions(people):
    def subscribe(name, app, type="build.failed", function=None):
        function = function or f.FunctionFactory(name=f"{name}-fn", applications=[app])
        return f.SubscriptionFactory(name=name, event_type=type, function=function, applications=[app])

    return {
        "first": subscribe("first", people.app_a),
        "second": subscribe("second", people.app_a),
        "other-type": subscribe("other-type", people.app_a, type="build.passed"),
        "other-app": subscribe("other-app", people.app_b),
        "unassigned": f.SubscriptionFactory(name="unassigned", event_type="build.failed"),
    }


def test_an_event_runs_every_matching_subscription_once_and_no_other(people, subscriptions):
    stored = services.emit(
        user=people.developer_a, application=people.app_a, event=make_event(data={"branch": "main"})
    )
    runs = {run.function_id: run for run in FunctionRun.objects.filter(source_event=stored)}
    assert set(runs) == {subscriptions["first"].function_id, subscriptions["second"].function_id}
    assert FunctionRun.objects.count() == 2
    for run in runs.values():
        assert run.input == {"branch": "main"} and run.blocking is False
        assert run.application_names() == ["app-a"]
        assert run.event["type"] == run.event["eventType"] == "build.failed"
        assert run.event["topic"] == "app-a.build.failed" and "data" not in run.event


def test_an_event_of_no_application_reaches_only_unassigned_subscriptions(people, subscriptions):
    stored = services.emit(user=people.staff, application=None, event=make_event())
    assert [run.function_id for run in stored.runs.all()] == [subscriptions["unassigned"].function_id]


def test_the_subscription_s_secrets_go_with_its_run(people, subscriptions):
    secret = f.SecretFactory(name="token", applications=[people.app_a])
    subscriptions["first"].secrets.set([secret])
    stored = services.emit(user=people.developer_a, application=people.app_a, event=make_event())
    first = stored.runs.get(function=subscriptions["first"].function)
    second = stored.runs.get(function=subscriptions["second"].function)
    assert first.secrets == ["token"] and second.secrets == []


def test_a_subscription_that_cannot_run_does_not_stop_the_others(people, subscriptions, monkeypatch):
    from entities.runs import services as runs

    real = runs.start_run

    def refuse_first(*, function, **kwargs):
        if function.pk == subscriptions["first"].function_id:
            raise RuntimeError("the first one is refused")
        return real(function=function, **kwargs)

    monkeypatch.setattr(runs, "start_run", refuse_first)
    stored = services.emit(user=people.developer_a, application=people.app_a, event=make_event())
    assert [run.function_id for run in stored.runs.all()] == [subscriptions["second"].function_id]
    assert Event.objects.count() == 1


def test_the_api_answers_with_the_runs_it_started(people, subscriptions, emit):
    from .conftest import cloud_event

    body = emit(people.developer_a, cloud_event(data={"n": 1}), application="app-a").json()
    assert sorted(run["function"] for run in body["runs"]) == ["first-fn", "second-fn"]
    assert all(run["url"].endswith(f"/api/v1/runs/{run['name']}/") for run in body["runs"])
    assert json.loads(json.dumps(body["data"])) == {"n": 1}

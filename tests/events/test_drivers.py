"""The built-in drivers: a ticker emits every N seconds from the task worker (shown here with a fake
clock and a fake worker that runs what is due), and a webhook emits once per POST."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.test import Client
from django_tasks import task_backends

from entities import services
from entities.events import drivers
from entities.models import Event, EventDriver, FunctionRun
from tests import factories as f

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self):
        self.now = datetime(2026, 12, 1, 3, 0, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(settings):
    """A fake clock for the whole process, and a task backend that keeps what is enqueued in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    fake = FakeClock()
    with mock.patch("django.utils.timezone.now", fake):
        yield fake


def work(clock) -> list[str]:
    """The worker: run every tick whose run_after has come, once, in order; their return values."""
    backend = task_backends["default"]
    done = []
    while True:
        due = [
            r for r in backend.results
            if r.task.name == "tick" and r.status == "READY" and r.task.run_after <= clock.now
        ]  # fmt: skip
        if not due:
            return done
        result = min(due, key=lambda r: r.task.run_after)
        backend.results.remove(result)
        done.append(result.task.call(*result.args, **result.kwargs))


def make_ticker(user, django_capture_on_commit_callbacks, seconds="5", **fields):
    ticker = f.EventDriverTypeFactory(name="ticker")
    with django_capture_on_commit_callbacks(execute=True):
        return services.entity_create(
            kind="event-driver",
            user=user,
            fields={
                "name": "every-5",
                "type": ticker,
                "config": [{"key": "seconds", "value": seconds}],
                **fields,
            },
            applications=["app-a"],
        )


def test_a_ticker_emits_every_n_seconds_on_a_fake_clock(people, clock, django_capture_on_commit_callbacks):
    function = f.FunctionFactory(applications=[people.app_a])
    f.SubscriptionFactory(event_type="ticker.tick", function=function, applications=[people.app_a])
    make_ticker(people.developer_a, django_capture_on_commit_callbacks)
    assert work(clock) == [] and not Event.objects.exists()  # nothing is due before the first period
    clock.advance(4.9)
    assert work(clock) == []
    clock.advance(0.1)
    assert work(clock) == ["ticked 2026-12-01T03:00:05+00:00"]
    clock.advance(5)
    assert len(work(clock)) == 1
    events = list(Event.objects.order_by("received"))
    assert [(e.topic, e.data["time"]) for e in events] == [
        ("app-a.ticker.tick", "2026-12-01T03:00:05+00:00"),
        ("app-a.ticker.tick", "2026-12-01T03:00:10+00:00"),
    ]
    assert FunctionRun.objects.filter(source_event__in=events).count() == 2  # each tick ran the subscription


def test_a_late_worker_ticks_once_and_keeps_the_period(people, clock, django_capture_on_commit_callbacks):
    make_ticker(people.developer_a, django_capture_on_commit_callbacks)
    clock.advance(60)
    assert len(work(clock)) == 1  # no burst of the twelve ticks it missed
    clock.advance(4)
    assert work(clock) == []
    clock.advance(1)
    assert len(work(clock)) == 1


def test_a_changed_ticker_keeps_one_schedule_and_a_deleted_one_stops(
    people, clock, django_capture_on_commit_callbacks
):
    driver = make_ticker(people.developer_a, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.entity_update(
            entity=driver, user=people.developer_a, fields={"config": [{"key": "seconds", "value": "10"}]}
        )
    clock.advance(5)
    assert work(clock) == ["stopped"]  # the first schedule gives way to the new one
    clock.advance(5)
    assert len(work(clock)) == 1 and Event.objects.count() == 1
    services.entity_delete(entity=EventDriver.objects.get(), user=people.developer_a)
    clock.advance(10)
    assert work(clock) == ["stopped"]
    clock.advance(100)
    assert work(clock) == [] and Event.objects.count() == 1


def test_a_ticker_emits_its_configured_type(people, clock, django_capture_on_commit_callbacks):
    driver = make_ticker(people.developer_a, django_capture_on_commit_callbacks, seconds="1")
    driver.config = [{"key": "seconds", "value": "1"}, {"key": "type", "value": "clock.second"}]
    with django_capture_on_commit_callbacks(execute=True):
        driver.save()
    clock.advance(1)
    work(clock)
    assert list(Event.objects.values_list("topic", flat=True)) == ["app-a.clock.second"]


@pytest.fixture
def webhook(people):
    driver_type = f.EventDriverTypeFactory(name="webhook")
    driver = f.EventDriverFactory(
        name="github", type=driver_type, expose=True, config=[{"key": "type", "value": "github.push"}],
        applications=[people.app_a],
    )  # fmt: skip
    driver.save()  # the factory sets applications after the first save
    return driver


def test_an_exposed_webhook_driver_has_a_url(webhook):
    assert webhook.url == f"/events/in/{webhook.token}/" and len(webhook.token) >= 40


def test_a_webhook_emits_once_per_post(people, webhook):
    subscription = f.SubscriptionFactory(
        event_type="github.push",
        applications=[people.app_a],
        function=f.FunctionFactory(applications=[people.app_a]),
    )
    for n in range(2):
        response = Client().post(webhook.url, json.dumps({"ref": f"main-{n}"}), "application/json")
        assert response.status_code == 202, response.content
    events = list(Event.objects.order_by("received"))
    assert [(e.topic, e.data, e.driver_id) for e in events] == [
        ("app-a.github.push", {"ref": "main-0"}, webhook.pk),
        ("app-a.github.push", {"ref": "main-1"}, webhook.pk),
    ]
    runs = FunctionRun.objects.filter(source_event__in=events)
    assert runs.count() == 2 and {r.function_id for r in runs} == {subscription.function_id}


def test_a_webhook_takes_text_and_refuses_bad_json(webhook):
    assert Client().post(webhook.url, "plain words", "text/plain").status_code == 202
    assert Event.objects.get().data == "plain words"
    assert Client().post(webhook.url, "{nope", "application/json").status_code == 400
    assert Event.objects.count() == 1


def test_only_post_reaches_a_webhook(webhook):
    assert Client().get(webhook.url).status_code == 405


def test_an_unknown_or_withdrawn_webhook_url_is_a_404(people, webhook):
    assert Client().post("/events/in/not-a-token/", "{}", "application/json").status_code == 404
    url = webhook.url
    services.entity_update(entity=webhook, user=people.developer_a, fields={"expose": False})
    assert EventDriver.objects.get().url == ""
    assert Client().post(url, "{}", "application/json").status_code == 404
    assert not Event.objects.exists()


def test_a_driver_of_another_type_stays_a_record(people):
    driver = f.EventDriverFactory(expose=True, applications=[people.app_a])
    driver.save()
    assert driver.url == "" and driver.token is None
    assert drivers.built_in(driver) is None

"""Emitting through the API and reading the event log: who may, into where, and what is kept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Role
from entities.models import Event
from tests import factories as f

from .conftest import cloud_event

pytestmark = pytest.mark.django_db


def test_a_developer_emits_into_their_application(people, emit):
    response = emit(people.developer_a, cloud_event(data={"name": "Jon"}), application="app-a")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["application"], body["topic"], body["type"]) == (
        "app-a",
        "app-a.build.failed",
        "build.failed",
    )
    assert (body["id"], body["source"], body["data"], body["runs"]) == ("event-1", "/ci", {"name": "Jon"}, [])
    stored = Event.objects.get()
    assert stored.emitted_by == people.developer_a and stored.application == people.app_a


def test_the_callers_only_application_is_the_default(people, emit):
    assert emit(people.member_b, cloud_event()).json()["topic"] == "app-b.build.failed"


def test_a_caller_of_several_applications_must_name_one(people, emit):
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.DEVELOPER)
    response = emit(people.developer_a, cloud_event())
    assert response.status_code == 400 and "application" in response.json()["errors"]
    assert not Event.objects.exists()


def test_a_viewer_may_not_emit(people, emit):
    response = emit(people.viewer_a, cloud_event(), application="app-a")
    assert response.status_code == 403 and "developer role" in response.json()["message"]
    assert not Event.objects.exists()


def test_an_application_the_caller_cannot_see_is_as_missing_as_one_that_does_not_exist(people, emit):
    hidden = emit(people.member_b, cloud_event(), application="app-a")
    missing = emit(people.member_b, cloud_event(), application="no-such-app")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["message"].replace("app-a", "X") == missing.json()["message"].replace(
        "no-such-app", "X"
    )
    assert not Event.objects.exists()


def test_anonymous_callers_are_refused(people, emit):
    assert emit(None, cloud_event(), application="app-a").status_code == 401


def test_staff_may_emit_events_of_no_application(people, emit):
    response = emit(people.staff, cloud_event())
    assert response.status_code == 202 and response.json()["topic"] == "build.failed"
    assert response.json()["application"] is None


def _event(app, type="build.failed", received=None):
    return Event.objects.create(
        application=app, topic=f"{app.name}.{type}", type=type, id="x", source="/s",
        received=received or timezone.now(),
    )  # fmt: skip


def test_the_log_lists_events_of_visible_applications_newest_first(people, client_for):
    old = _event(people.app_a, received=timezone.now() - timedelta(hours=1))
    new = _event(people.app_a, type="build.passed")
    _event(people.app_b)
    body = client_for(people.viewer_a).get("/api/v1/events/").json()
    assert [e["uid"] for e in body["results"]] == [str(new.uid), str(old.uid)] and body["count"] == 2


def test_the_log_filters_by_application_type_and_since(people, client_for):
    old = _event(people.app_a, received=timezone.now() - timedelta(hours=2))
    new = _event(people.app_a, type="build.passed")
    client = client_for(people.staff)
    _event(people.app_b)

    def uids(query):
        return [e["uid"] for e in client.get(f"/api/v1/events/?{query}").json()["results"]]

    assert uids("application=app-a") == [str(new.uid), str(old.uid)]
    assert uids("application=app-a&type=build.failed") == [str(old.uid)]
    since = (timezone.now() - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert uids(f"application=app-a&since={since}") == [str(new.uid)]


def test_the_log_refuses_a_hidden_application_like_a_missing_one(people, client_for):
    _event(people.app_a)
    client = client_for(people.member_b)
    hidden = client.get("/api/v1/events/?application=app-a")
    missing = client.get("/api/v1/events/?application=never-existed")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["message"].replace("app-a", "X") == missing.json()["message"].replace(
        "never-existed", "X"
    )
    assert client.get("/api/v1/events/").json()["count"] == 0
    assert client.get("/api/v1/events/?since=yesterday").status_code == 400


def test_events_of_no_application_are_for_staff_only(people, client_for):
    Event.objects.create(application=None, topic="build.failed", type="build.failed", id="x", source="/s")
    assert client_for(people.outsider).get("/api/v1/events/").json()["count"] == 0
    assert client_for(people.staff).get("/api/v1/events/").json()["count"] == 1


def test_listing_events_takes_the_same_queries_for_any_page_size(
    people, client_for, django_assert_num_queries
):
    for _ in range(20):
        event = _event(people.app_a)
        f.FunctionRunFactory(applications=[people.app_a], source_event=event)
    client = client_for(people.developer_a)
    # 1 the count, 2 the page of events joined to application, emitter and driver, 3 their runs; the
    # access gate is a subquery of 1 and 2.
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/events/?limit=5").json()["results"]) == 5
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/events/?limit=20").json()["results"]) == 20


def test_retention_keeps_at_most_the_setting_s_count_per_application(people, emit, settings):
    settings.DISPATCH_EVENT_RETENTION_COUNT = 3
    other = _event(people.app_b)
    for n in range(5):
        assert emit(people.developer_a, cloud_event(id=f"e{n}"), application="app-a").status_code == 202
    assert sorted(Event.objects.filter(application=people.app_a).values_list("id", flat=True)) == [
        "e2",
        "e3",
        "e4",
    ]
    assert Event.objects.filter(pk=other.pk).exists()  # another application's log is its own


def test_retention_drops_events_older_than_the_setting_s_days(people, emit, settings):
    settings.DISPATCH_EVENT_RETENTION_DAYS = 2
    _event(people.app_a, received=timezone.now() - timedelta(days=3))
    kept = _event(people.app_a, received=timezone.now() - timedelta(days=1))
    emit(people.developer_a, cloud_event(), application="app-a")
    assert (
        Event.objects.filter(application=people.app_a).count() == 2
        and Event.objects.filter(pk=kept.pk).exists()
    )

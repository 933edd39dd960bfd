"""The application's events page and the admin's read-only event log."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


def add_events(app, count, type="build.failed"):
    events = []
    for n in range(count):
        event = Event.objects.create(
            application=app, topic=f"{app.name}.{type}", type=type, id=f"{type}-{n}", source="/ci"
        )
        f.FunctionRunFactory(applications=[app], source_event=event)
        events.append(event)
    return events


def queries(client, url) -> int:
    client.get(url)  # warm the content-type cache
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_page_lists_recent_events_with_their_runs(people, client):
    add_events(people.app_a, 2)
    add_events(people.app_a, 1, type="build.passed")
    add_events(people.app_b, 1, type="build.hidden")
    client.force_login(people.viewer_a)
    page = client.get("/applications/app-a/events/").content.decode()
    assert "build.failed-0" in page and "build.failed-1" in page and "build.passed-0" in page
    assert "build.hidden" not in page
    assert len(re.findall(r'href="/runs/[0-9a-f-]{36}/"', page)) == 3
    filtered = client.get("/applications/app-a/events/?type=build.passed").content.decode()
    assert "build.passed-0" in filtered and "build.failed-0" not in filtered


def test_the_page_refuses_a_bad_since_and_hides_other_applications(people, client):
    client.force_login(people.viewer_a)
    assert client.get("/applications/app-a/events/?since=yesterday").status_code == 400
    assert client.get("/applications/app-b/events/").status_code == 404
    assert 'href="/applications/app-a/events/"' in client.get("/applications/app-a/").content.decode()


def test_the_page_runs_the_same_queries_for_one_event_and_for_thirty(people, client):
    client.force_login(people.developer_a)
    add_events(people.app_a, 1)
    one = queries(client, "/applications/app-a/events/")
    add_events(people.app_a, 29)
    assert queries(client, "/applications/app-a/events/") == one


def test_the_admin_lists_events_read_only(people, client):
    event = add_events(people.app_a, 1)[0]
    client.force_login(people.superuser)
    listing = client.get("/admin/entities/event/")
    assert listing.status_code == 200 and "build.failed-0" in listing.content.decode()
    detail = client.get(f"/admin/entities/event/{event.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/entities/event/add/").status_code == 403
    assert client.post(f"/admin/entities/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()

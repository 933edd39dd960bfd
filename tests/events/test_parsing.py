"""CloudEvents in their three forms, read by the cloudevents package; what is not one is a 400."""

import json

import pytest
from django.core.exceptions import ValidationError

from entities.events import parsing
from entities.models import Event

from .conftest import cloud_event

STRUCTURED = {"content-type": "application/cloudevents+json"}


def read(document, headers=STRUCTURED):
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return parsing.read(headers=headers, body=body)


def test_it_reads_a_structured_event():
    event = read(cloud_event(data={"name": "Jon"}, subject="main", time="2026-12-01T03:00:00Z"))
    assert (event.get_type(), event.get_id(), event.get_source()) == ("build.failed", "event-1", "/ci")
    assert event.get_subject() == "main" and event.get_time().year == 2026
    assert event.get_data() == {"name": "Jon"}


def test_it_reads_a_binary_mode_event():
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "build.failed",
        "ce-source": "/ci",
        "ce-id": "b-1",
        "ce-branch": "main",
        "content-type": "application/json",
    }
    event = read(b'{"name": "Jon"}', headers=headers)
    assert (event.get_type(), event.get_id()) == ("build.failed", "b-1")
    assert event.get_extension("branch") == "main" and event.get_data() == {"name": "Jon"}


def test_it_reads_dispatch_0_1_field_names():
    event = read(
        {
            "eventType": "build.failed",
            "eventID": "d-1",
            "cloudEventsVersion": "0.1",
            "source": "ci",
            "eventTime": "2026-12-01T03:00:00Z",
            "contentType": "application/json",
            "eventTypeVersion": "2",
            "extensions": {"branch": "main"},
            "data": {"name": "Jon"},
        }
    )
    assert (event.get_type(), event.get_id(), event.get_specversion()) == ("build.failed", "d-1", "1.0")
    assert event.get_datacontenttype() == "application/json"
    assert event.get_extension("eventtypeversion") == "2" and event.get_extension("branch") == "main"
    assert event.get_data() == {"name": "Jon"}


@pytest.mark.parametrize(
    "body, field",
    [
        (cloud_event(type=""), "type"),
        ({k: v for k, v in cloud_event().items() if k != "type"}, "type"),
        ({k: v for k, v in cloud_event().items() if k != "source"}, "source"),
        (cloud_event(time="yesterday"), None),
        (cloud_event(specversion="0.2"), "specversion"),
        (cloud_event(**{"Bad-Name": 1}), "Bad-Name"),
        ({"eventID": "x", "source": "ci"}, "type"),
    ],
)
def test_it_refuses_what_is_not_a_cloudevent(body, field):
    with pytest.raises(ValidationError) as refusal:
        read(body)
    if field:
        assert field in refusal.value.message_dict


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b""])
def test_it_refuses_a_body_that_is_no_json_object(body):
    with pytest.raises(ValidationError):
        read(body)


@pytest.mark.django_db
def test_bad_events_are_400s_and_store_nothing(people, client_for):
    client = client_for(people.developer_a)
    for body, content_type in (
        (b"{not json", "application/json"),
        (json.dumps({"source": "/ci", "id": "1", "specversion": "1.0"}).encode(), "application/json"),
        (json.dumps(cloud_event(type="no spaces allowed")).encode(), "application/json"),
    ):
        response = client.generic(
            "POST", "/api/v1/events/?application=app-a", body, content_type=content_type
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == 400 and response.json()["message"]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_ten_megabytes_of_data_are_a_400(people, client_for, settings):
    body = json.dumps(cloud_event(data="x" * 10_000_000)).encode()
    response = client_for(people.developer_a).generic(
        "POST", "/api/v1/events/?application=app-a", body, content_type="application/json"
    )
    assert response.status_code == 400 and "data" in response.json()["errors"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # past Django's own limit, the event's limit still holds
    response = client_for(people.developer_a).generic(
        "POST", "/api/v1/events/?application=app-a", body, content_type="application/json"
    )
    assert response.status_code == 400 and "at most" in response.json()["errors"]["data"][0]
    assert not Event.objects.exists()

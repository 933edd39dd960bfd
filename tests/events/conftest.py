"""What the event tests share: API clients of the people, and a function in A and one in B."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def client_for():
    """client_for(user) is an API client authenticated as the user (None: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def emit(client_for):
    """emit(user, body, application=…) posts a structured CloudEvent and returns the response."""

    def post(user, body, application=None, **extra):
        path = "/api/v1/events/" + (f"?application={application}" if application else "")
        return client_for(user).post(path, body, format="json", **extra)

    return post


def cloud_event(type="build.failed", data=None, **attributes):
    event = {"specversion": "1.0", "type": type, "source": "/ci", "id": "event-1", **attributes}
    if data is not None:
        event["data"] = data
    return event

"""What the event tests share: API clients of the people and a way to emit as one of them."""

import pytest

from tests.api.conftest import client_for  # noqa: F401 - API clients of the people


@pytest.fixture
def emit(client_for):  # noqa: F811 - the fixture imported above
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

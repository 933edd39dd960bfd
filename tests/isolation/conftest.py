import pytest
from rest_framework.test import APIClient

from .world import world  # noqa: F401 - the fixture, built once per module


@pytest.fixture
def api(world):  # noqa: F811 - the module-scoped fixture imported above
    """api(role) is an API client of that role (anonymous: no credentials)."""

    def client_for(role):
        client = APIClient()
        if role.signed_in:
            client.force_authenticate(world.user(role))
        return client

    return client_for

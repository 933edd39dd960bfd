import pytest
from rest_framework.test import APIClient

from applications.tokens import token_create

from .world import world  # noqa: F401 - the fixture, built once per module


@pytest.fixture
def api(world):  # noqa: F811 - the module-scoped fixture imported above
    """api(role) is an API client of that role with a token of its own (anonymous: no credentials):
    the way scripts sign in, so the gate answers from the memberships read with the token."""

    def client_for(role):
        client = APIClient()
        if role.signed_in:
            _, key = token_create(user=world.user(role), name="isolation")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return client_for

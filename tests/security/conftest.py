"""The security tests reuse the page tests' scene (one entity of every kind in application A)."""

import pytest
from django.core.cache import cache

from tests.pages.conftest import Scene, scene  # noqa: F401 (a fixture, used by name)


@pytest.fixture(autouse=True)
def fresh_sign_in_counts():
    """Sign-in failures and the token endpoint's throttle are counted in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()

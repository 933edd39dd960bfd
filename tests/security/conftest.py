"""The security tests reuse the page tests' scene (one entity of every kind in application A)."""

from tests.pages.conftest import Scene, scene  # noqa: F401 (a fixture, used by name)

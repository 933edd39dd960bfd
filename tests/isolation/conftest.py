from .world import world  # noqa: F401 - the fixture, built once per module

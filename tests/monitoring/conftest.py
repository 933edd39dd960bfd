from tests.cli.conftest import cli  # noqa: F401  (the CLI against a live server, for the CLI's tests here)

"""The console log: each line once, and a traceback only for a server error."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMIT = """
import django, logging
django.setup()
def raised(exc):
    try:
        raise exc
    except Exception as caught:
        return caught
request = logging.getLogger("django.request")
request.warning("Forbidden (Permission denied): %s", "/x/", exc_info=raised(PermissionError("no")),
                extra={"status_code": 403})
request.error("Internal Server Error: %s", "/y/", exc_info=raised(RuntimeError("boom")),
              extra={"status_code": 500})
"""


def console(debug: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dispatch_site.settings", "DEBUG": debug}
    result = subprocess.run(
        [sys.executable, "-c", EMIT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stderr


def test_each_line_of_django_is_printed_once_with_or_without_debug():
    for debug in ("1", "0"):
        output = console(debug)
        assert output.count("Forbidden (Permission denied): /x/") == 1, output
        assert output.count("Internal Server Error: /y/") == 1, output


def test_a_403_is_logged_without_a_traceback_and_a_500_with_one():
    output = console("1")
    forbidden, _, server_error = output.partition("Internal Server Error: /y/")
    assert "Traceback" not in forbidden and "PermissionError" not in forbidden
    assert "Traceback" in server_error and "RuntimeError: boom" in server_error

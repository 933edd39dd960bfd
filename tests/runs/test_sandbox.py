"""Escapes refused: each hostile function ends as a FunctionError within its limit, and afterwards
the server answers and runs the next function as before."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from entities.runs import sandbox

from .conftest import HELLO_INPUT, HELLO_OUTPUT

pytestmark = pytest.mark.django_db
PROJECT_FILE = Path(settings.BASE_DIR) / "dispatch_site" / "settings.py"

HOSTILE = {
    "socket": (
        "import socket\ndef handle(c, p):\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n",
        "OSError",  # no network at all: unreachable
    ),
    "loopback": (
        "import socket\ndef handle(c, p):\n    socket.create_connection(('127.0.0.1', 5432), timeout=2)\n",
        "ConnectionRefusedError",  # a loopback of its own, where nothing listens
    ),
    "host-passwd": ("def handle(c, p):\n    return open('/etc/passwd').read()\n", "FileNotFoundError"),
    "project-file": (
        f"def handle(c, p):\n    return open({str(PROJECT_FILE)!r}).read()\n",
        "FileNotFoundError",
    ),
    "forks": (
        "import os, time\ndef handle(c, p):\n"
        "    for _ in range(10000):\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n",
        "BlockingIOError",  # the process limit
    ),
    "memory": ("def handle(c, p):\n    return len(bytearray(4 << 30))\n", "MemoryError"),
    "loop": ("def handle(c, p):\n    while True:\n        pass\n", "exceeded the timeout of 2000 ms"),
    "print": (
        "import sys\ndef handle(c, p):\n    chunk = 'x' * (1 << 20)\n"
        "    for _ in range(100):\n        sys.stdout.write(chunk)\n",
        "bytes of logs and was stopped",
    ),
    "write-usr": ("def handle(c, p):\n    open('/usr/evil', 'w')\n", "Read-only file system"),
    "big-file": (
        "def handle(c, p):\n    with open('/tmp/big', 'wb') as f:\n        f.write(b'x' * (100 << 20))\n",
        "",  # the file size limit: an OSError (EFBIG) or the signal that goes with it
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_function_ends_as_a_function_error_and_the_server_stays_healthy(
    functions, api, client, name
):
    source, message = HOSTILE[name]
    functions.make(name, source, timeout=2000)
    developer = api(functions.people.developer_a)
    response = developer.post(f"/api/v1/functions/{name}/runs/", {}, format="json")
    assert response.status_code == 502, response.content
    body = response.json()
    assert body["status"] == "ERROR" and body["error"]["type"] == "FunctionError", body["error"]
    assert message in body["error"]["message"]
    assert all(len("\n".join(lines)) <= 2 * sandbox.limits()["log_bytes"] for lines in body["logs"].values())
    assert client.get("/health/").status_code == 200
    after = developer.post("/api/v1/functions/hello-py/runs/", {"input": HELLO_INPUT}, format="json")
    assert after.json()["output"] == HELLO_OUTPUT


def test_a_function_sees_no_project_no_home_and_an_empty_environment(functions, api):
    functions.make(
        "look",
        "import os\ndef handle(c, p):\n"
        "    return {'root': sorted(os.listdir('/')), 'env': dict(os.environ), 'uid': os.getuid()}\n",
    )
    body = api(functions.people.developer_a).post("/api/v1/functions/look/runs/", {}, format="json").json()
    root = set(body["output"]["root"]) - {"lib64"}  # lib64 where the system has one
    assert root == {"bin", "dev", "dispatch", "lib", "proc", "tmp", "usr"}
    assert set(body["output"]["env"]) <= {"PATH", "HOME", "LANG", "LC_CTYPE", "PWD"}
    assert "SECRET_KEY" not in body["output"]["env"] and body["output"]["uid"] != os.getuid()

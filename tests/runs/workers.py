"""Helpers for the tests that run real worker processes (test_workers.py, test_rq_worker.py).

The workers are separate processes, so they share a database file with the test rather than the
test's own (in-memory or transactional) database: each module migrates one file and hands its path
and the workers' environment to these helpers."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENE = """
from entities import models as m
from entities.runs.services import start_run
base = m.BaseImage.objects.create(name="python3-base", language="python3", docker_url="python3")
image = m.Image.objects.create(name="python3", base_image=base)
hello = m.Function.objects.create(
    name="hello", image=image, handler="hello.handle", source=open({hello!r}).read()
)
sleepy = m.Function.objects.create(
    name="sleepy", image=image, handler="main.handle", timeout=4000,
    source="import time\\ndef handle(c, p):\\n    time.sleep(60)\\n",
)
function = {{"hello": hello, "sleepy": sleepy}}[{which!r}]
payload = {{"name": "Jon", "place": "Winterfell"}}
runs = [start_run(user=None, function=function, input=payload, blocking=False) for _ in range({count})]
print(json.dumps([str(run.pk) for run in runs]))
"""


def migrated_database(directory: Path, **env) -> tuple[Path, dict]:
    """A migrated SQLite file in the directory, and the environment for processes that use it (the
    given variables over this process's, without DJANGO_SETTINGS_MODULE and, unless given, REDIS_URL)."""
    path = directory / "runs.sqlite3"
    environment = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    environment.update(
        DATABASE_URL=f"sqlite:///{path}", DISPATCH_RUN_LIMITS=json.dumps({"reaper_grace_seconds": 1}), **env
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment, check=True)
    return path, environment


def start_runs(database, which, count) -> list[str]:
    """Start `count` async runs of the hello or the sleepy function in a `manage.py shell`; their ids."""
    path, env = database
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM entities_functionrun")
        db.execute("DELETE FROM entities_function")
        db.execute("DELETE FROM entities_image")
        db.execute("DELETE FROM entities_baseimage")
    hello = str(ROOT / "docs" / "examples" / "hello.py")
    code = "import json\n" + SCENE.format(hello=hello, which=which, count=count)
    shell = [sys.executable, "manage.py", "shell", "-c", code]
    out = subprocess.run(shell, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def statuses(database, ids) -> dict:
    path, _ = database
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT id, status, output, error FROM entities_functionrun").fetchall()
    found = {row[0].replace("-", ""): row[1:] for row in rows}
    return {run_id: found.get(run_id.replace("-", "")) for run_id in ids}


def wait_for(predicate, seconds=90):
    """Poll until the predicate holds; the bound is generous because the machine is shared."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("the condition did not hold in time")


def descendants(pid: int) -> list[int]:
    """The processes below pid (the work horse, the sandbox, the function), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def kill_with_everything_below(process: subprocess.Popen) -> None:
    below = descendants(process.pid)
    for pid in [process.pid, *below]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen, seconds: float = 30) -> None:
    """Ask a worker to stop (SIGTERM) as a process manager would, and kill it and what it started if
    it is still there after `seconds`, as the manager would too. A slow warm shutdown is not what
    these tests are about, so it is a warning rather than a failure (seen once in CI under load)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        kill_with_everything_below(process)
        warnings.warn(f"the worker did not stop within {seconds} s of SIGTERM; it was killed", stacklevel=2)

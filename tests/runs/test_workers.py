"""Async runs through real worker processes: `manage.py db_worker` executes queued runs, and a worker
killed in the middle of a run leaves that run ERROR (SystemError) once the next worker reaps it.

The workers are separate processes, so they share a database file with the test rather than the
test's own (in-memory or transactional) database: it is migrated once for the module."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import HELLO_OUTPUT

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


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("workers") / "runs.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{path}", DISPATCH_RUN_LIMITS=json.dumps({"reaper_grace_seconds": 1}))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return path, env


def start_runs(database, which, count) -> list[str]:
    path, env = database
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM entities_functionrun")
        db.execute("DELETE FROM entities_function")
        db.execute("DELETE FROM entities_image")
        db.execute("DELETE FROM entities_baseimage")
    hello = str(Path(__file__).parent / "examples" / "hello.py")
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


def test_async_runs_are_executed_by_a_real_db_worker(database):
    ids = start_runs(database, "hello", 3)
    assert {row[0] for row in statuses(database, ids).values()} == {"INITIALIZED"}
    path, env = database
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    for status, output, error in statuses(database, ids).values():
        assert (status, json.loads(output), error) == ("READY", HELLO_OUTPUT, None)


def test_a_worker_killed_during_a_run_leaves_it_error_once_reaped(database):
    [run_id] = start_runs(database, "sleepy", 1)
    path, env = database
    worker = [sys.executable, "manage.py", "runs_worker", "--reap-every", "0.5"]
    first = subprocess.Popen(worker, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: statuses(database, [run_id])[run_id][0] == "CREATING")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert statuses(database, [run_id])[run_id][0] == "CREATING"  # nobody left to finish it
    second = subprocess.Popen(worker, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        status, output, error = wait_for(
            lambda: (row := statuses(database, [run_id])[run_id])[0] == "ERROR" and row
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert json.loads(error)["type"] == "SystemError" and output is None

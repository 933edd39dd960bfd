"""Async runs on RQ: with REDIS_URL a run is queued on Redis (not in the database) and executed by a
real `manage.py runs_worker` process, and a worker killed in the middle of a run (with its work horse
and the sandbox, which RQ and bwrap put in groups of their own: every process below it, as when its
machine dies) leaves that run ERROR (SystemError) once the next worker reaps it. RQ sets a run no
time limit of its own, and a run that Redis cannot take ends ERROR at once.

Redis is at 127.0.0.1:6379, database 7 (8 for the second pytest-xdist process, so that two processes
never flush each other's queue), flushed before and after each test. Without Redis these tests
skip on a laptop but fail in CI (where `.ci/run` starts it), so RQ can never pass CI untested."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
import redis

from .conftest import HELLO_OUTPUT
from .workers import ROOT, kill_with_everything_below, migrated_database, start_runs, statuses, stop, wait_for

# One Redis database per pytest-xdist process (gw0 → 7, gw1 → 8, …; 7 without xdist).
XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
REDIS_URL = f"redis://127.0.0.1:6379/{7 + XDIST_INDEX}"
WORKER = [sys.executable, "manage.py", "runs_worker", "--reap-every", "0.5"]


@pytest.fixture(scope="module")
def redis_db():
    """This process's Redis database, or a skip (a failure under CI) when nothing answers."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.ConnectionError as error:
        message = f"Redis is not reachable at {REDIS_URL} ({error}); start redis-server."
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run the RQ tests.")
        pytest.skip(message)
    yield connection
    connection.close()


@pytest.fixture
def queue(redis_db):
    """This process's Redis database, empty for the test and after it."""
    redis_db.flushdb()
    yield redis_db
    redis_db.flushdb()


@pytest.fixture(scope="module")
def database(tmp_path_factory, redis_db):
    return migrated_database(tmp_path_factory.mktemp("rq"), REDIS_URL=REDIS_URL)


def worker(env) -> subprocess.Popen:
    return subprocess.Popen(WORKER, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_an_async_run_is_queued_on_redis_and_executed_by_an_rq_worker(queue, database):
    ids = start_runs(database, "hello", 2)
    path, env = database
    assert {row[0] for row in statuses(database, ids).values()} == {"INITIALIZED"}
    assert queue.llen("rq:queue:default") == 2
    with sqlite3.connect(path) as db:  # nothing went to the database backend's queue
        assert db.execute("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult").fetchone() == (0,)
    subprocess.run([*WORKER, "--batch"], cwd=ROOT, env=env, check=True, capture_output=True)
    for status, output, error in statuses(database, ids).values():
        assert (status, json.loads(output), error) == ("READY", HELLO_OUTPUT, None)
    assert queue.llen("rq:queue:default") == 0


def test_an_rq_worker_killed_during_a_run_leaves_it_error_once_reaped(queue, database):
    [run_id] = start_runs(database, "sleepy", 1)
    path, env = database
    first = worker(env)
    try:
        wait_for(lambda: statuses(database, [run_id])[run_id][0] == "CREATING")
    finally:
        kill_with_everything_below(first)
    assert statuses(database, [run_id])[run_id][0] == "CREATING"  # nobody left to finish it
    second = worker(env)
    try:
        status, output, error = wait_for(
            lambda: (row := statuses(database, [run_id])[run_id])[0] == "ERROR" and row
        )
    finally:
        stop(second)
    assert json.loads(error)["type"] == "SystemError" and output is None


def test_rq_leaves_a_run_the_whole_timeout_of_its_function(queue, database):
    """RQ's own limit (180 s unless told) would kill a run of a function allowed longer, leaving it to
    the reaper as if its worker had died; the sandbox already ends each run at its function's timeout."""
    start_runs(database, "hello", 1)
    [job] = queue.lrange("rq:queue:default", 0, -1)
    assert queue.hget(b"rq:job:" + job, "timeout") == b"-1"


def test_a_run_that_redis_cannot_take_ends_error_at_once(database):
    """Else it would stay INITIALIZED for ever: the reaper only ends runs that a worker took."""
    path, env = database
    [run_id] = start_runs((path, {**env, "REDIS_URL": "redis://127.0.0.1:1/7"}), "hello", 1)
    status, output, error = statuses(database, [run_id])[run_id]
    assert (status, output) == ("ERROR", None)
    assert json.loads(error)["message"] == "The run could not be queued for a worker; start it again."

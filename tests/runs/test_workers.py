"""Async runs through real worker processes: `manage.py db_worker` executes queued runs, and a worker
killed in the middle of a run leaves that run ERROR (SystemError) once the next worker reaps it.

The workers are separate processes, so they share a database file with the test rather than the
test's own (in-memory or transactional) database: it is migrated once for the module."""

import json
import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django_tasks.signals import task_started
from django_tasks_db.backend import DatabaseBackend
from django_tasks_rq.backend import RQBackend

from entities.runs import tasks

from .conftest import HELLO_OUTPUT
from .workers import ROOT, migrated_database, start_runs, statuses, stop, wait_for


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return migrated_database(tmp_path_factory.mktemp("workers"))


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
        stop(second)
    assert json.loads(error)["type"] == "SystemError" and output is None


@pytest.mark.parametrize("backend, checks", [(RQBackend, 1), (DatabaseBackend, 0)], ids=["rq", "db"])
def test_only_an_rq_job_drops_a_stale_connection_before_its_run(monkeypatch, backend, checks):
    # db_worker already does before each task; a second check would cost each run a round trip
    calls = []
    monkeypatch.setattr(tasks, "close_old_connections", lambda: calls.append(1))
    job = SimpleNamespace(id="t-1", task=tasks.execute_run, status="RUNNING")  # what the signal's log reads
    task_started.send(backend, task_result=job)
    assert len(calls) == checks

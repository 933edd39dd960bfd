"""Helpers for two requests at once, on PostgreSQL: real threads, real transactions, real row locks.

SQLite serialises every write on one database lock (and an in-memory test database is not shared
between threads), so these races cannot happen there: the tests are skipped on it. `.ci/run` runs
the suite on PostgreSQL as well.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

REPETITIONS = 3  # each race is run this many times, on fresh rows
WAIT_SECONDS = 10  # a barrier that is not reached in this time is broken, and the test fails

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need concurrent transactions: SQLite serialises writes; run with DATABASE_URL=postgres://…",
)


def at_once(*requests):
    """Run the callables in threads of their own, started together; their results in order.

    Each thread uses its own database connection, closed at the end, as a server's worker would.
    """
    start = threading.Barrier(len(requests), timeout=WAIT_SECONDS)

    def run(request):
        try:
            start.wait()
            return request()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return [future.result() for future in [pool.submit(run, request) for request in requests]]


@contextmanager
def meeting_in(target: str, parties: int = 2):
    """Hold every thread that calls `target` until all `parties` have called it (once per thread),
    so they really are inside the same window, e.g. both past the name check, before the INSERT."""
    meeting = threading.Barrier(parties, timeout=WAIT_SECONDS)
    arrived = threading.local()
    module_name, name = target.rsplit(".", 1)
    original = getattr(__import__(module_name, fromlist=[name]), name)

    def wrapper(*args, **kwargs):
        if not getattr(arrived, "done", False):
            arrived.done = True
            meeting.wait()
        return original(*args, **kwargs)

    with mock.patch(target, wrapper):
        yield


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client

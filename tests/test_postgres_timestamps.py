"""PostgreSQL connections read timestamps with psycopg's C loader (dispatch_site/postgres.py), which
must give exactly what Django's own loader gives."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from dispatch_site.postgres import UTCTimestampLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's timestamptz loader"),
]

VALUES = [
    "2026-12-07 17:34:09.258613+00",
    "2026-06-01 10:00:00+02",
    "2026-06-01 10:00:00.5-09:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "infinity",
    "-infinity",
]


def read_all(raw) -> list:
    """Each value read back, or the error's type and text."""
    out = []
    for value in VALUES:
        try:
            with raw.cursor() as cursor:
                cursor.execute("SELECT %s::timestamptz", [value])
                out.append(cursor.fetchone()[0])
        except Exception as exc:  # noqa: BLE001 - the errors must match too
            out.append((type(exc), str(exc)))
    return out


def test_connections_use_the_c_loader():
    connection.ensure_connection()
    assert connection.connection.adapters.get_loader(1184, 0) is UTCTimestampLoader  # 1184: timestamptz


def test_it_reads_what_djangos_loader_reads():
    connection.ensure_connection()
    raw = connection.connection
    ours = read_all(raw)
    register_tzloader(datetime.UTC, raw)
    try:
        djangos = read_all(raw)
    finally:
        raw.adapters.register_loader("timestamptz", UTCTimestampLoader)
    assert ours == djangos
    assert ours[0] == datetime.datetime(2026, 12, 7, 17, 34, 9, 258613, tzinfo=datetime.UTC)
    assert ours[0].tzinfo is datetime.UTC


def test_djangos_cursors_keep_it():
    """Django's cursor puts its own loader back when the connection's names another zone."""
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0) is UTCTimestampLoader

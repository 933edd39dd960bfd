"""On PostgreSQL, values travel apart from the SQL and a statement run often is prepared on the server,
so PostgreSQL plans it once per connection instead of once per request (dispatch_site/settings.py)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from entities import models as m
from tests import factories as f


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_read_run_five_times_is_prepared_and_still_reads_each_calls_values(people):
    for name in ("first", "second"):
        f.FunctionFactory(name=name)
    names = ["first", "second", "nope", "first", "second", "first", "nope"]
    found = [list(m.Function.objects.filter(name=name).values_list("name", flat=True)) for name in names]
    assert found == [["first"], ["second"], [], ["first"], ["second"], ["first"], []]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('"entities_function"."name" = $1' in sql for sql in statements), statements


def options_with(prepared_statements: str) -> dict:
    """The database's OPTIONS as the settings make them for a PostgreSQL URL (in a new process)."""
    code = (
        "import json; from dispatch_site.settings import DATABASES; "
        "print(json.dumps(DATABASES['default']['OPTIONS']))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DATABASE_PREPARED_STATEMENTS": prepared_statements,
    }
    command = [sys.executable, "-c", code]
    out = subprocess.run(command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_it_is_on_by_default_and_off_for_a_pooler_in_transaction_mode():
    assert options_with("1") | {"options": ""} == {
        "options": "",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    off = options_with("0")
    assert "server_side_binding" not in off and "prepare_threshold" not in off


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's limit of values per statement")
def test_a_bulk_insert_of_more_values_than_a_statement_takes_is_cut_into_batches(people):
    """Functions are inserted with a value per column and row (their JSON columns keep Django from
    sending one array per column): 4,200 rows of 17 columns are over the protocol's 65,535 values."""
    image = f.ImageFactory()
    columns = len(m.Function._meta.concrete_fields)
    rows = 65_535 // columns + 100
    m.Function.objects.bulk_create(m.Function(name=f"fn-{n}", image=image) for n in range(rows))
    assert m.Function.objects.count() == rows

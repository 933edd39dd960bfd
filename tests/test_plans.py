"""A large application's lists are read with plans made for their own values (dispatch_site.plans): a
statement prepared for the small applications that share it would read and sort every row of a large
one. The count, the rows and the other reads stay as they are."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from dispatch_site import plans
from tests import factories as f
from tests.api.test_query_counts import with_token

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's prepared statements")


@on_postgresql
def test_custom_plans_sends_the_blocks_statements_unprepared_then_prepares_again():
    connection.ensure_connection()
    before = connection.connection.prepare_threshold
    assert before is not None  # the settings prepare statements
    with pytest.raises(ZeroDivisionError), plans.custom_plans():
        assert connection.connection.prepare_threshold is None
        raise ZeroDivisionError
    assert connection.connection.prepare_threshold == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite prepares nothing to undo")
def test_custom_plans_changes_nothing_on_sqlite():
    with plans.custom_plans():
        assert connection.vendor == "sqlite"


@contextmanager
def reads(monkeypatch):
    """Every query of a request, with whether it ran inside custom_plans (and on PostgreSQL, whether
    psycopg would prepare it)."""
    inside = []
    real = plans.custom_plans

    @contextmanager
    def recorded(using="default"):
        with real(using):
            inside.append(True)
            try:
                yield
            finally:
                inside.pop()

    monkeypatch.setattr(plans, "custom_plans", recorded)
    seen: list[tuple[str, bool]] = []

    def wrapper(execute, sql, params, many, context):
        unprepared = connection.vendor != "postgresql" or connection.connection.prepare_threshold is None
        seen.append((sql, bool(inside) and unprepared))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


FUNCTIONS = 'SELECT "entities_function"."id", "entities_function"."name", "entities_function"."status"'
RUNS = 'SELECT "entities_functionrun"."id", "entities_functionrun"."name"'
# Each list, and how its page's rows are read (not the names of the functions of runs, for one)
LISTS = [
    ("/api/v1/functions/?application=app-a", FUNCTIONS),
    ("/api/v1/applications/app-a/entities/", FUNCTIONS),
    ("/functions/?application=app-a", FUNCTIONS),
    ("/api/v1/runs/?application=app-a", RUNS),
]


def client_of(user, url):
    """A token's client for the API, a signed-in browser's for a page."""
    if url.startswith("/api/"):
        return with_token(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def three(people):
    for index in range(3):
        function = f.FunctionFactory(name=f"fn-{index}", applications=[people.app_a])
        f.FunctionRunFactory(function=function, applications=[people.app_a])


@pytest.mark.parametrize(("url", "page"), LISTS, ids=[url for url, _ in LISTS])
def test_the_page_of_a_large_list_is_planned_for_its_values(people, three, monkeypatch, url, page):
    monkeypatch.setattr(plans, "LARGE_LIST", 2)
    client = client_of(people.developer_a, url)
    with reads(monkeypatch) as seen:
        response = client.get(url)
    assert response.status_code == 200
    pages = [planned for sql, planned in seen if sql.startswith(page)]
    assert pages and all(pages)
    assert not any(planned for sql, planned in seen if "COUNT(" in sql)  # counted as before


@pytest.mark.parametrize(("url", "page"), LISTS, ids=[url for url, _ in LISTS])
def test_the_page_of_a_small_list_keeps_shared_plans(people, three, monkeypatch, url, page):
    client = client_of(people.developer_a, url)
    with reads(monkeypatch) as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert [sql for sql, _ in seen if sql.startswith(page)]
    assert not any(planned for _, planned in seen)


def test_a_large_list_shows_the_same_page_as_a_small_one(people, three, monkeypatch):
    client = with_token(people.developer_a)
    small = client.get("/api/v1/functions/?application=app-a&limit=2&offset=1").json()
    monkeypatch.setattr(plans, "LARGE_LIST", 2)
    assert client.get("/api/v1/functions/?application=app-a&limit=2&offset=1").json() == small

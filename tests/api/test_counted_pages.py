"""A member's list of one application counts itself in its page's query (COUNT(*) OVER ()): the
count, the links and the rows are what a COUNT first would give, on every page, past the end too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.api.test_query_counts import with_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/functions/?application=app-a"


@pytest.fixture
def five(people):
    for index in range(5):
        f.FunctionFactory(name=f"fn-{index}", applications=[people.app_a])
    f.FunctionFactory(name="elsewhere", applications=[people.app_b])
    return with_token(people.developer_a)


@pytest.mark.parametrize(
    "query, names, has_next, has_previous",
    [
        ("", ["fn-0", "fn-1", "fn-2", "fn-3", "fn-4"], False, False),
        ("&limit=2", ["fn-0", "fn-1"], True, False),
        ("&limit=2&offset=2", ["fn-2", "fn-3"], True, True),
        ("&limit=2&offset=4", ["fn-4"], False, True),
        ("&limit=2&offset=5", [], False, True),
        ("&limit=2&offset=50", [], False, True),
    ],
)
def test_every_page_carries_the_lists_count(five, query, names, has_next, has_previous):
    body = five.get(URL + query).json()
    assert body["count"] == 5
    assert [item["name"] for item in body["results"]] == names
    assert (body["next"] is not None, body["previous"] is not None) == (has_next, has_previous)
    assert "listed_count" not in (body["results"][0] if body["results"] else {})


def test_a_page_is_counted_in_its_own_query(five):
    with CaptureQueriesContext(connection) as queries:
        assert five.get(URL + "&limit=2").json()["count"] == 5
    assert not [q for q in queries if "COUNT(*) AS" in q["sql"]]  # no COUNT query of its own
    with CaptureQueriesContext(connection) as queries:
        assert five.get(URL + "&limit=2&offset=50").json()["count"] == 5
    assert [q for q in queries if "COUNT(*) AS" in q["sql"]]  # past the end: the count alone


def test_an_empty_application_counts_nothing(people):
    body = with_token(people.developer_a).get(URL).json()
    assert (body["count"], body["results"], body["next"]) == (0, [], None)

"""A member's list of one application is counted from the application's items when nothing else
narrows it, and by a COUNT of what the filters leave otherwise: the count, the links and the rows are
the same on every page, past the end too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import Status
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


def counts_asked(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries if "COUNT(" in query["sql"]]


def test_an_unfiltered_list_is_counted_from_the_applications_items(five):
    [count] = counts_asked(five, URL + "&limit=2")
    assert "applications_applicationitem" in count and "entities_function" not in count


def test_a_filtered_list_counts_what_the_filter_leaves(five, people):
    f.FunctionFactory._meta.model.objects.filter(name__in=["fn-1", "fn-3"]).update(status=Status.ERROR)
    body = five.get(URL + "&status=ERROR").json()
    assert (body["count"], [item["name"] for item in body["results"]]) == (2, ["fn-1", "fn-3"])
    [count] = counts_asked(five, URL + "&status=ERROR")
    assert "entities_function" in count


def test_the_runs_of_a_function_count_that_functions_runs_only(people):
    hello = f.FunctionFactory(name="hello", applications=[people.app_a])
    other = f.FunctionFactory(name="other", applications=[people.app_a])
    for function, runs in ((hello, 2), (other, 3)):
        for _ in range(runs):
            f.FunctionRunFactory(function=function, applications=[people.app_a])
    client = with_token(people.developer_a)
    body = client.get("/api/v1/functions/hello/runs/?application=app-a").json()
    assert body["count"] == 2 and len(body["results"]) == 2
    assert client.get("/api/v1/runs/?application=app-a").json()["count"] == 5


def test_an_empty_application_counts_nothing(people):
    body = with_token(people.developer_a).get(URL).json()
    assert (body["count"], body["results"], body["next"]) == (0, [], None)

"""`?cursor=` pages the lists of entities by name from where the last page ended; offsets still work."""

import pytest

from entities.api.pagination import encode_cursor
from tests import factories as f

pytestmark = pytest.mark.django_db


def follow(client, url) -> list[str]:
    """Every name of a list paged by cursor, following `next` to the end."""
    names = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["count"] is None and body["previous"] is None
        names += [row["name"] for row in body["results"]]
        url = body["next"]
    return names


@pytest.fixture
def functions(people):
    mine = [f.FunctionFactory(name=f"fn-a-{i}", applications=[people.app_a]) for i in range(5)]
    theirs = [f.FunctionFactory(name=f"fn-b-{i}", applications=[people.app_b]) for i in range(3)]
    return mine, theirs


def test_a_cursor_pages_a_kind_by_name_to_the_end(people, client_for, functions):
    client = client_for(people.developer_a)
    first = client.get("/api/v1/functions/?cursor=&limit=2").json()
    assert [row["name"] for row in first["results"]] == ["fn-a-0", "fn-a-1"]
    assert "cursor=" in first["next"] and "offset" not in first["next"]
    assert follow(client, "/api/v1/functions/?cursor=&limit=2") == [f"fn-a-{i}" for i in range(5)]


def test_offsets_still_page_with_a_count(people, client_for, functions):
    body = client_for(people.developer_a).get("/api/v1/functions/?limit=2&offset=2").json()
    assert body["count"] == 5
    assert [row["name"] for row in body["results"]] == ["fn-a-2", "fn-a-3"]
    assert "offset=4" in body["next"]


def test_a_cursor_keeps_the_filters(people, client_for, functions):
    client = client_for(people.superuser)
    names = follow(client, f"/api/v1/functions/?application={people.app_b.name}&cursor=&limit=2")
    assert names == ["fn-b-0", "fn-b-1", "fn-b-2"]


def test_a_cursor_never_shows_another_applications_entities(people, client_for, functions):
    client = client_for(people.developer_a)
    # cursors made by hand: after any name, a page holds only what A's developer sees
    crafted = encode_cursor("function", "fn-a-")
    assert follow(client, f"/api/v1/functions/?cursor={crafted}") == [f"fn-a-{i}" for i in range(5)]
    after_b = encode_cursor("function", "fn-b-0")
    assert follow(client, f"/api/v1/functions/?cursor={after_b}") == []
    names = follow(client, "/api/v1/entities/?cursor=&limit=3")
    assert not [name for name in names if name.startswith("fn-b-")]
    assert client.get(f"/api/v1/applications/{people.app_b.name}/entities/?cursor=").status_code == 404


def test_the_entities_list_pages_across_kinds_as_its_offsets_do(people, client_for, functions):
    f.SecretFactory(name="sec-a", applications=[people.app_a])
    f.ImageFactory(name="img-a", applications=[people.app_a])
    client = client_for(people.developer_a)
    by_offset = [row["name"] for row in client.get("/api/v1/entities/?limit=1000").json()["results"]]
    assert follow(client, "/api/v1/entities/?cursor=&limit=2") == by_offset
    in_a = client.get(f"/api/v1/applications/{people.app_a.name}/entities/?limit=1000").json()["results"]
    by_cursor = follow(client, f"/api/v1/applications/{people.app_a.name}/entities/?cursor=&limit=3")
    assert by_cursor == [row["name"] for row in in_a]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/functions/?cursor=not-a-cursor",
        "/api/v1/functions/?cursor=e30",  # {}
        "/api/v1/functions/?cursor=W10",  # []
        f"/api/v1/functions/?cursor={encode_cursor('secret', 'x')}",  # another list's
        f"/api/v1/entities/?cursor={encode_cursor('nothing', 'x')}",
        "/api/v1/functions/?cursor=&offset=10",
        "/api/v1/functions/?cursor=&ordering=-created",
        "/api/v1/entities/?cursor=&ordering=kind",
        "/api/v1/applications/?cursor=",
        "/api/v1/runs/?cursor=",
    ],
)
def test_a_bad_cursor_is_a_400_that_says_so(people, client_for, functions, url):
    response = client_for(people.developer_a).get(url)
    assert response.status_code == 400, response.json()
    [message] = response.json()["errors"]["cursor"]
    assert message.startswith("The cursor ")

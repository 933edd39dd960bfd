"""The all-entities page, /entities/: every kind the user may see in one table, with kind, application,
status and search filters."""

import re

import pytest

from tests import factories as f
from tests.conftest import session_queries

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    """The entity names the table lists, in order."""
    return re.findall(r'<td class="name"[^>]*><a href="[^"]*">([^<]+)</a>', response.content.decode())


def test_it_lists_every_kind_of_the_users_applications(scene, client_for, people):
    response = client_for(people.developer_a).get("/entities/?application=app-a")
    assert response.status_code == 200
    listed = names(response)
    for kind_name in ("image", "secret", "function", "api", "event-driver", "subscription"):
        assert scene.of_kind(kind_name).name in listed, kind_name
    assert "bee" not in listed


def test_it_hides_entities_of_other_applications(scene, client_for, people):
    listed = names(client_for(people.member_b).get("/entities/"))
    assert "bee" in listed
    assert not {"hello", "python3", "open-sesame", "post-hello", "ticker"} & set(listed)


def test_it_shows_nothing_of_any_application_to_an_outsider(scene, client_for, people):
    listed = names(client_for(people.outsider).get("/entities/"))
    assert not {"hello", "bee", "python3", "open-sesame"} & set(listed)


def test_it_filters_by_kind(scene, client_for, people):
    listed = names(client_for(people.developer_a).get("/entities/?kind=function&kind=secret"))
    assert set(listed) == {"hello", "open-sesame"}


def test_it_filters_by_application(scene, client_for, people):
    client = client_for(people.staff)
    assert "bee" in names(client.get("/entities/?application=app-b"))
    assert "hello" not in names(client.get("/entities/?application=app-b"))


def test_it_searches_names_across_kinds(scene, client_for, people):
    listed = names(client_for(people.developer_a).get("/entities/?search=hello"))
    assert set(listed) == {"hello", "post-hello"}


def test_it_links_each_row_to_its_kinds_page(scene, client_for, people):
    page = client_for(people.developer_a).get("/entities/?search=hello").content.decode()
    assert '<a href="/functions/hello/">hello</a>' in page
    assert '<a href="/apis/post-hello/">post-hello</a>' in page
    assert '<a href="/apis/">API</a>' in page


@pytest.mark.parametrize(
    "query",
    ["kind=no-such-kind", "application=no-such-app", "status=SHOUTING", "created_after=yesterday"],
)
def test_a_filter_that_does_not_parse_is_a_400_with_no_rows(query, scene, client_for, people):
    response = client_for(people.developer_a).get(f"/entities/?{query}")
    assert response.status_code == 400
    assert names(response) == []
    assert 'class="error" role="alert"' in response.content.decode()


def test_it_asks_to_sign_in_first(client):
    response = client.get("/entities/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_is_in_the_navigation(scene, client_for, people):
    assert '<a href="/entities/"' in client_for(people.developer_a).get("/").content.decode()


def test_it_costs_the_same_for_one_row_per_kind_and_thirty(people, client_for, django_assert_num_queries):
    client = client_for(people.developer_a)
    image = f.ImageFactory(name="img", applications=[people.app_a])
    for count in (1, 28):  # one function, then thirty rows: a full page
        for _ in range(count):
            f.FunctionFactory(image=image, applications=[people.app_a]).tags.add("team=a")
        client.get("/entities/?kind=image&kind=function")  # warm the content-type cache
        # (+ the session without Redis) 1 user with their memberships (the switcher and the filter
        # form's application choices are read from them), 2 COUNT of every kind in one query, 3 the
        # page's images, 4 its functions, 5 their applications and tags (all kinds in one UNION ALL).
        with django_assert_num_queries(5 + len(session_queries())):
            response = client.get("/entities/?kind=image&kind=function")
        assert len(names(response)) == (2 if count == 1 else 30)

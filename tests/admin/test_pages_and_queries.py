"""Every admin changelist and change page renders for a superuser, in a pinned number of queries,
and a changelist asks the same number of queries for 1 row as for 20. Reading the session is a query
only with the database engine (no REDIS_URL): `session_queries()`."""

import pytest
from django.contrib.auth.models import Group, User

from applications.models import APIToken, Application
from applications.tokens import token_create
from entities.kinds import KINDS
from tests import factories as f
from tests.conftest import session_queries

from .conftest import admin_url

pytestmark = pytest.mark.django_db


def changelist_queries(kind) -> list[str]:
    """What an entity changelist asks the database, whatever the number of rows."""
    queries = [*session_queries(), "the signed-in user, with their memberships in the same query"]
    if not kind.is_system:
        queries.append("the application filter's choices")
    if kind.read_only:  # runs
        queries.append("the function filter's choices (function names of the visible runs)")
    return queries + [
        "the tag filter's choices (labels used by this kind)",
        "COUNT(*) of the filtered rows",
        "the page of rows, with their single references and created_by joined",
        "their applications and tags (attach_tags: one UNION ALL for the page)",
    ]


def change_page_queries(kind) -> list[str]:
    """What an entity change page asks the database, for an entity made by its factory."""
    if kind.read_only:  # runs: shown, with no form fields to fill
        return [
            *session_queries(),
            "the signed-in user",
            "the run and creator joined",
            "its tags",
            "its applications",
            "its function, for the function field (lists of runs never join it: selectors.NOT_JOINED)",
        ]
    queries = [
        *session_queries(),
        "the signed-in user",
        "the entity, with its single references and created_by joined",
        "the tags field's initial value",
    ]
    if not kind.is_system:
        queries.append("the applications field's initial value")
    queries += [f"the initial {ref.field}" for ref in kind.references if ref.many]
    if not kind.is_system:
        queries.append("the applications field's choices")
    queries += [f"the {ref.field} autocomplete's selected option" for ref in kind.references if not ref.many]
    return queries


def make(kind, people, n: int):
    """n entities of a kind, half in application A, all labelled, each with its own references."""
    factory = f.FACTORIES[kind.name]
    for i in range(n):
        apps = [] if kind.is_system or i % 2 else [people.app_a]
        entity = factory(applications=apps)  # factories skip the rules: only the listing matters here
        entity.tags.add(f"batch={i % 3}")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_each_changelist_asks_the_same_queries_for_1_and_20_rows(
    root, people, kind, django_assert_num_queries
):
    url = admin_url(kind.model)
    make(kind, people, 1)
    root.get(url)  # warm the content-type cache and the session
    with django_assert_num_queries(len(changelist_queries(kind))):
        response = root.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    make(kind, people, 19)
    with django_assert_num_queries(len(changelist_queries(kind))):
        response = root.get(url)
    assert response.context["cl"].result_count == 20


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_each_change_page_renders_for_a_superuser(root, people, kind, django_assert_num_queries):
    entity = f.FACTORIES[kind.name]()
    entity.tags.add("role=test")
    url = admin_url(kind.model, "change", entity.pk)
    root.get(url)
    with django_assert_num_queries(len(change_page_queries(kind))):
        response = root.get(url)
    assert response.status_code == 200
    assert entity.name in response.content.decode()


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_each_add_page_renders_for_a_superuser(root, kind):
    # Runs are made by running a function (API, pages, CLI), never in the admin.
    assert root.get(admin_url(kind.model, "add")).status_code == (403 if kind.read_only else 200)


def test_the_application_changelist_asks_the_same_queries_for_1_and_20_applications(
    root, people, django_assert_num_queries
):
    f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    url = admin_url(Application)
    root.get(url)
    queries = [
        *session_queries(),
        "the signed-in user",
        "COUNT(*) of the filtered applications",
        "the page of applications, with one COUNT per kind of their items (one grouped query)",
        "their free tags (prefetch)",
    ]
    with django_assert_num_queries(len(queries)):
        response = root.get(url)
    assert response.context["cl"].result_count == 2
    for i in range(18):
        f.ApplicationFactory(name=f"extra-{i}").tags.add("team=x")
    with django_assert_num_queries(len(queries)):
        response = root.get(url)
    assert response.context["cl"].result_count == 20


def test_the_application_change_page_renders_for_a_superuser(root, people, django_assert_num_queries):
    url = admin_url(Application, "change", people.app_a.pk)
    root.get(url)
    queries = [
        *session_queries(),
        "the signed-in user",
        "the application with its entity counts",
        "its tags (prefetch)",
        "the tags field's initial value",
        "its memberships, with users and groups joined",
        # One autocomplete per membership row shows its selected user or group:
        "member admin_a",
        "member developer_a",
        "member viewer_a",
        "member group team-a",
    ]
    with django_assert_num_queries(len(queries)):
        response = root.get(url)
    assert response.status_code == 200


PEOPLE_CHANGELIST_QUERIES = {
    User: [
        *session_queries(),
        "the signed-in user",
        "the groups filter's choices",
        "COUNT(*) of the filtered users",
        "COUNT(*) of all users",
        "the page of users",
    ],
    Group: [
        *session_queries(),
        "the signed-in user",
        "COUNT(*) of the filtered groups",
        "COUNT(*) of all groups",
        "the page",
    ],
    APIToken: [
        *session_queries(),
        "the signed-in user",
        "COUNT(*) of the filtered tokens",
        "the page, users joined",
    ],
}


@pytest.mark.parametrize("model", [User, Group, APIToken], ids=lambda m: m.__name__)
def test_the_people_changelists_ask_the_same_queries_for_1_and_20_rows(
    root, people, model, django_assert_num_queries
):
    url = admin_url(model)
    token_create(user=people.developer_a, name="laptop")
    root.get(url)
    with django_assert_num_queries(len(PEOPLE_CHANGELIST_QUERIES[model])):
        assert root.get(url).status_code == 200
    for i in range(20):
        token_create(user=f.UserFactory(), name=f"token-{i}")
        f.GroupFactory()
    with django_assert_num_queries(len(PEOPLE_CHANGELIST_QUERIES[model])):
        assert root.get(url).status_code == 200


PEOPLE_CHANGE_PAGE_QUERIES = {
    User: [
        *session_queries(),
        "the signed-in user",
        "the user",
        "the groups field's initial value",
        "the permissions field's initial value",
        "the user's memberships, applications joined",
        "the groups field's choices",
        "the permissions field's choices",
        "the application autocomplete's selected option (one membership)",
    ],
    Group: [
        *session_queries(),
        "the signed-in user",
        "the group",
        "the permissions field's initial value",
        "the group's memberships, applications joined",
        "the permissions field's choices",
        "the application autocomplete's selected option (one membership)",
    ],
    APIToken: [*session_queries(), "the signed-in user", "the token, its user joined"],
}


@pytest.mark.parametrize("model", [User, Group, APIToken], ids=lambda m: m.__name__)
def test_the_people_change_pages_render_for_a_superuser(root, people, model, django_assert_num_queries):
    token, _ = token_create(user=people.developer_a, name="laptop")
    obj = {User: people.developer_a, Group: Group.objects.get(name="team-a"), APIToken: token}[model]
    url = admin_url(model, "change", obj.pk)
    root.get(url)
    with django_assert_num_queries(len(PEOPLE_CHANGE_PAGE_QUERIES[model])):
        response = root.get(url)
    assert response.status_code == 200
    if model is not APIToken:
        assert "app-a" in response.content.decode()  # the membership inline

"""Every list endpoint runs a constant number of SQL queries, whatever the page size (DESIGN.md 5).

Counted for a developer of A authenticated without a query (force_authenticate); a token adds one
query (the token and its user), a session one (the user; the session comes from the cache). The
counts are pinned: a change that adds a query per row, or any query, fails here first.
"""

from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import APIToken
from applications.tokens import token_create
from entities.filtersets import EntityFilterSet
from entities.kinds import KINDS
from entities.models import Function
from tests import factories as f

# Per kind: 1 COUNT(*); 1 page of rows joined to their FK references and creator; 1 their applications,
# labels and many-to-many references (secrets) (attach_tags: one UNION ALL); runs: 1 which of their
# functions the caller may see (a run links its function only then).
KIND_LIST_QUERIES = {
    "base-image": 3,
    "image": 3,
    "secret": 3,
    "function": 3,
    "api": 3,
    "event-driver-type": 3,
    "event-driver": 3,
    "subscription": 3,
    "run": 4,
}
# entities/ (grouped by kind, then by name): 1 the count of every kind (one UNION ALL of COUNTs); per
# kind on the page its rows joined to their references (9), which functions of the runs the caller may
# see (1); then the page's applications, labels and secrets (1, one UNION ALL), every kind at once.
ALL_KINDS_QUERIES = 1 + len(KINDS) + 1 + 1
# entities/?ordering=…: 1 COUNT(*) over a UNION ALL of every kind; 1 page of (kind, id, …) rows; then
# the same reads per kind as above.
ALL_KINDS_ORDERED_QUERIES = 2 + len(KINDS) + 1 + 1
# applications/: 1 COUNT(*); 1 page joined to the creator; 1 labels prefetch; 1 the caller's roles.
APPLICATION_LIST_QUERIES = 4
# applications/app-a/entities/: 1 the application (access gate); then as entities/ without the two
# system kinds.
APPLICATION_ENTITIES_QUERIES = 1 + 1 + (len(KINDS) - 2) + 1 + 1
# applications/app-a/members/: 1 the application; 1 its memberships joined to users and groups.
MEMBER_LIST_QUERIES = 2


def populate(people, count, kind_name=None):
    """`count` entities of one kind (None: of every kind) in A (system kinds: unassigned), each with
    its own references, two labels, and its own secret on the kinds that take secrets."""
    wanted = [kind_name] if kind_name else [kind.name for kind in KINDS]
    for _ in range(count):
        made: dict = {}
        for name in wanted:
            f.make_with_references(name, [people.app_a], made)
        for entity in made.values():
            entity.tags.add("role=test", "team=core")


def count_queries(client, path, expected_items):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    assert len(results) == expected_items
    return len(queries)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_each_kind_list_is_constant_for_1_and_50_items(people, client_for, kind):
    client = client_for(people.developer_a)
    populate(people, 1, kind.name)
    one = count_queries(client, f"/api/v1/{kind.plural}/", 1)
    populate(people, 49, kind.name)
    fifty = count_queries(client, f"/api/v1/{kind.plural}/", 50)
    assert one == fifty == KIND_LIST_QUERIES[kind.name]


def test_revealing_secrets_in_a_list_costs_one_query_more_whatever_the_size(people, client_for):
    client = client_for(people.developer_a)
    populate(people, 1, "secret")
    one = count_queries(client, "/api/v1/secrets/?reveal=true", 1)
    populate(people, 49, "secret")
    assert count_queries(client, "/api/v1/secrets/?reveal=true", 50) == one == KIND_LIST_QUERIES["secret"] + 1


def test_the_entity_list_is_constant_for_1_and_50_items_of_every_kind(people, client_for):
    client = client_for(people.developer_a)
    populate(people, 1)
    one = count_queries(client, "/api/v1/entities/", len(KINDS))
    populate(people, 49)
    fifty = count_queries(client, "/api/v1/entities/?limit=1000", 50 * len(KINDS))
    assert one == fifty == ALL_KINDS_QUERIES
    ordered = count_queries(client, "/api/v1/entities/?ordering=-created&limit=1000", 50 * len(KINDS))
    assert ordered == ALL_KINDS_ORDERED_QUERIES
    # One kind on the page: the counts, then the kind's own list queries but its COUNT(*).
    assert (
        count_queries(client, "/api/v1/entities/?kind=function&limit=1", 1) == KIND_LIST_QUERIES["function"]
    )
    assert count_queries(client, "/api/v1/entities/?kind=function", 50) == KIND_LIST_QUERIES["function"]
    # The default first page of 50 holds the first kind only (50 base images): the counts, their rows,
    # then their applications and labels (one query); whatever else the database holds, no other kind
    # is read.
    assert count_queries(client, "/api/v1/entities/", 50) == 1 + 1 + 1


def test_the_application_entity_list_is_constant_for_1_and_50_items(people, client_for):
    client = client_for(people.developer_a)
    populate(people, 1)
    one = count_queries(client, "/api/v1/applications/app-a/entities/", len(KINDS) - 2)
    populate(people, 49)
    fifty = count_queries(client, "/api/v1/applications/app-a/entities/?limit=1000", 50 * (len(KINDS) - 2))
    assert one == fifty == APPLICATION_ENTITIES_QUERIES


def test_the_application_list_is_constant_for_1_and_50_items(people, client_for):
    client = client_for(people.superuser)
    people.superuser.has_perm("applications.view_application")  # fill the permission cache first
    count_queries(client, "/api/v1/applications/", 2)
    from applications.models import Application

    Application.objects.exclude(name="app-a").delete()
    one = count_queries(client, "/api/v1/applications/", 1)
    for index in range(49):
        f.ApplicationFactory(name=f"app-{index:02d}").tags.add("team=core")
    fifty = count_queries(client, "/api/v1/applications/", 50)
    assert one == fifty == APPLICATION_LIST_QUERIES


def test_the_member_list_is_constant_for_1_and_50_members(people, client_for):
    from applications.models import Membership

    client = client_for(people.superuser)
    people.superuser.has_perm("applications.view_application")
    Membership.objects.filter(application=people.app_b).delete()
    f.MembershipFactory(application=people.app_b, user=people.member_b)
    one = count_queries(client, "/api/v1/applications/app-b/members/", 1)
    for index in range(49):
        f.MembershipFactory(application=people.app_b, user=f.UserFactory(username=f"member{index}"))
    fifty = count_queries(client, "/api/v1/applications/app-b/members/", 50)
    assert one == fifty == MEMBER_LIST_QUERIES


def with_token(user):
    """A client with a token used a moment ago, whose last use is therefore not written again."""
    token, key = token_create(user=user, name="counts")
    APIToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


# The benchmark's reads (benchmarks/run.py) by a developer of A with a token, A holding functions (each
# with its own image and secret). The first query is always the token joined to its user, with the
# user's memberships in the same row: the gate's roles and applications are read from them.
TOKEN_READS = [
    # 2 COUNT, 3 the page joined to the creator, 4 labels (the caller's roles come with the token).
    ("/api/v1/applications/", 1, 4),
    # 2 the list's count from app-a's items (one index range), 3 the page of functions joined to
    # their images, 4 their applications, labels and secrets (one UNION ALL); "app-a" is checked
    # against the token's memberships, without a query.
    ("/api/v1/functions/?application=app-a", 3, 4),
    # 2 the count of every kind (one UNION ALL; app-a found among the token's memberships), 3 the
    # page's images, 4 its secrets, 5 its functions, 6 every row's applications, labels and secrets
    # (one UNION ALL).
    ("/api/v1/applications/app-a/entities/", 9, 6),
]


@pytest.mark.parametrize(("path", "items", "expected"), TOKEN_READS, ids=[path for path, _, _ in TOKEN_READS])
def test_a_token_reads_its_user_and_memberships_in_one_query_and_the_gate_asks_for_them_no_more(
    people, path, items, expected
):
    populate(people, 3, "function")
    client = with_token(people.developer_a)
    client.get(path)  # fill Django's content-type cache, as the server does at start (wsgi.py)
    assert count_queries(client, path, items) == expected


def test_a_token_of_a_member_through_a_group_sees_the_same_as_a_direct_member(people):
    populate(people, 1, "function")
    for user in (people.developer_a, people.group_member_a):
        client = with_token(user)
        client.get("/api/v1/applications/")  # fill Django's content-type cache
        assert count_queries(client, "/api/v1/functions/?application=app-a", 1) == TOKEN_READS[1][2]
        assert count_queries(client, "/api/v1/applications/", 1) == TOKEN_READS[0][2]
    assert with_token(people.member_b).get("/api/v1/functions/?application=app-a").status_code == 400


def test_getting_one_by_name_and_application_reads_the_entity_and_its_labels_only(people, client_for):
    client = client_for(people.developer_a)
    populate(people, 1, "function")
    name = people.app_a.name
    function = f.FunctionFactory._meta.model.objects.get(name__isnull=False, applications__name=name)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/functions/{function.name}/?application={name}")
    assert response.status_code == 200
    # 1 the function joined to its image and creator, with "in an application of that name that the
    # caller sees" in the same WHERE; 1 its applications, labels and secrets (one UNION ALL).
    assert len(queries) == 2
    # A name the caller may not use is the same 404 as a function not in the application.
    other = people.app_b.name
    assert client.get(f"/api/v1/functions/{function.name}/?application={other}").status_code == 404
    assert client.get(f"/api/v1/functions/{function.name}/?application=nope").status_code == 404


def test_a_member_gets_one_by_name_through_the_applications_items_alone(people):
    """Signed in with a token, a member's memberships are known: the entity is read by the items of
    the application asked for, without an EXISTS that says it again (its planning was 3 of the
    query's 3.3 ms at 100,000 functions)."""
    populate(people, 1, "function")
    name = people.app_a.name
    function = f.FunctionFactory._meta.model.objects.get(name__isnull=False, applications__name=name)
    client = with_token(people.developer_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/functions/{function.name}/?application={name}")
    assert response.status_code == 200 and response.json()["name"] == function.name
    # 1 the token, its user and memberships; 1 the function; 1 its applications, labels and secrets
    assert len(queries) == 3
    assert "EXISTS" not in queries[1]["sql"]
    other = people.app_b.name
    assert client.get(f"/api/v1/functions/{function.name}/?application={other}").status_code == 404


def test_a_members_get_by_name_is_compiled_once_and_reads_each_name(people):
    """The token's query and the entity's are compiled once (dispatch_site/prepared.py): compiling
    them took longer than running them. Each request still reads its own entity."""
    populate(people, 2, "function")
    first, second = Function.objects.filter(applications=people.app_a).order_by("name")
    client = with_token(people.developer_a)
    client.get(f"/api/v1/functions/{first.name}/?application=app-a")
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        for function in (first, second):
            response = client.get(f"/api/v1/functions/{function.name}/?application=app-a")
            assert response.status_code == 200 and response.json()["name"] == function.name
        assert client.get("/api/v1/functions/nope/?application=app-a").status_code == 404
    # not a member of B: the general gate, which finds nothing of A there
    assert client.get(f"/api/v1/functions/{first.name}/?application=app-b").status_code == 404
    staff = with_token(people.staff)  # sees A by permission, not as a member
    assert staff.get(f"/api/v1/functions/{first.name}/?application=app-a").json()["name"] == first.name


def test_a_members_list_of_one_application_reads_by_that_application_alone(people):
    """Membership of the one application asked for implies the gate (every application of the caller,
    and the unassigned entities), so the list reads by that application's index alone: the same rows,
    without the gate's subquery that made an application's runs slow at 1,000,000 runs."""
    f.MembershipFactory(application=people.app_b, user=people.developer_a)
    populate(people, 2, "function")
    f.make_with_references("function", [people.app_b], {})
    f.make_with_references("function", [], {})
    client = with_token(people.developer_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/functions/?application=app-a")
    names = {row["name"] for row in response.json()["results"]}
    in_a = Function.objects.filter(applications=people.app_a).values_list("name", flat=True)
    assert names == set(in_a) and len(names) == 2
    # the list's count from app-a's items alone, then the page read by them
    [count] = [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert "applications_applicationitem" in count and "entities_function" not in count
    [page] = [query["sql"] for query in queries if query["sql"].startswith('SELECT "entities_function"."id"')]
    assert "unassigned" not in page.split(" WHERE ", 1)[1]
    # and the application filter does not ask again what the read already holds
    assert page.count("applications_applicationitem") == 1


def test_a_members_list_of_one_application_skips_the_filterset_unless_another_filter_is_asked(people):
    """Read by the one application asked for, the list has nothing left for the filterset to do; any
    other filter still goes through it."""
    populate(people, 2, "function")
    client = with_token(people.developer_a)
    with mock.patch.object(EntityFilterSet, "__init__", side_effect=AssertionError("filterset made")):
        response = client.get("/api/v1/functions/?application=app-a&limit=1")
    assert response.status_code == 200 and response.json()["count"] == 2
    first = response.json()["results"][0]["name"]
    narrowed = client.get(f"/api/v1/functions/?application=app-a&name={first}").json()
    assert [item["name"] for item in narrowed["results"]] == [first]
    assert client.get("/api/v1/functions/?application=app-a&status=nope").status_code == 400

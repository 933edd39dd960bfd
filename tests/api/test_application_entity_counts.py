"""An application's entity list counts from its through table when nothing narrows it and the gate adds
nothing for the caller (entities.selectors.counts_in_application); the count is always the rows' count."""

from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db.models.sql.compiler import SQLCompiler
from rest_framework.test import APIClient

from applications.tokens import token_create
from entities.api.filters import AllEntitiesFilterSet
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/app-a/entities/"


def listed(client, query=""):
    body = client.get(f"{URL}?limit=1000{query}").json()
    assert body["count"] == len(body["results"])
    return body


def test_a_member_counts_every_kind_of_the_application(people, scene, client_for):
    body = listed(client_for(people.viewer_a))
    assert body["count"] == 7
    assert {item["kind"] for item in body["results"]} == set(scene.a) - set(scene.system)


@pytest.mark.parametrize(
    "query, count",
    [
        ("&kind=function&kind=api", 2),
        ("&search=func", 1),
        ("&name=a-secret", 1),
        ("&tag=team=core", 1),
        ("&status=ERROR", 0),
        ("&unassigned=false", 7),
        ("&unassigned=true", 0),
    ],
)
def test_filters_count_what_they_keep(people, scene, client_for, query, count):
    scene.a["image"].tags.add("team=core")
    assert listed(client_for(people.developer_a), query)["count"] == count


def test_staff_count_only_the_kinds_they_may_view(people, scene, client_for):
    auditor = f.UserFactory(username="auditor", is_staff=True)
    auditor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_application", "view_function"])
    )
    body = listed(client_for(auditor))
    assert body["count"] == 1
    assert [item["name"] for item in body["results"]] == ["a-function"]


def test_a_deep_page_keeps_the_count(people, scene, client_for):
    body = client_for(people.viewer_a).get(f"{URL}?limit=2&offset=6").json()
    assert body["count"] == 7
    assert len(body["results"]) == 1


def test_a_superusers_unfiltered_list_of_every_entity_compiles_no_sql_after_the_first(people, scene):
    """Its count and pages are prepared (entities.selectors.prepared_windows, counts_of_every_entity);
    an application asked for still narrows it."""
    _, key = token_create(user=people.superuser, name="root")
    root = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    kinds = "kind=function&kind=secret&kind=api"  # not runs: showing one asks whether its function is seen
    first = root.get(f"/api/v1/entities/?limit=1000&{kinds}").json()
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        every = root.get(f"/api/v1/entities/?limit=1000&{kinds}").json()
    assert every == first and every["count"] == len(every["results"]) == 6  # of A and of B
    in_a = root.get(f"/api/v1/entities/?limit=1000&{kinds}&application=app-a").json()
    assert in_a["count"] == len(in_a["results"]) == 3


def test_a_list_that_names_no_filter_validates_no_filterset(people, scene, client_for):
    """Building and validating the filters' form was a tenth of an unfiltered page; a page that names
    no filter (only limit and offset) is the same without it."""
    client = client_for(people.viewer_a)
    with mock.patch.object(AllEntitiesFilterSet, "is_valid", side_effect=AssertionError("validated")):
        assert listed(client)["count"] == 7
        assert client.get("/api/v1/entities/?limit=2&offset=1").status_code == 200
    assert listed(client, "&kind=function")["count"] == 1
    assert client.get(f"{URL}?kind=nope").status_code == 400

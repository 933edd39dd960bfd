"""An application's entity list counts from its through table when nothing narrows it and the gate adds
nothing for the caller (entities.selectors.counts_in_application); the count is always the rows' count."""

import pytest
from django.contrib.auth.models import Permission

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

"""The seed's operations, each through HTTP, with its status code and body."""

from applications.models import Application, Membership, Role
from entities.models import Function
from tests import factories as f


def names(response):
    return [item["name"] for item in response.json()["results"]]


def test_it_lists_the_applications_the_caller_is_a_member_of(people, client_for):
    f.ApplicationFactory(name="app-c")
    response = client_for(people.developer_a).get("/api/v1/applications/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [app] = body["results"]
    assert app["name"] == "app-a"
    assert app["role"] == "developer"
    assert app["url"] == "http://testserver/api/v1/applications/app-a/"
    assert app["entities"] == "http://testserver/api/v1/applications/app-a/entities/"
    assert names(client_for(people.staff).get("/api/v1/applications/")) == ["app-a", "app-b", "app-c"]


def test_staff_create_an_application_and_become_its_admin(people, client_for):
    response = client_for(people.staff).post(
        "/api/v1/applications/", {"name": "new-app", "description": "New", "tags": ["team=core"]}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "new-app" and body["tags"] == ["team=core"] and body["status"] == "READY"
    assert body["role"] == "admin" and body["revision"] == 1
    assert response["ETag"] == '"1"'
    assert Membership.objects.get(application__name="new-app").user == people.staff


def test_a_member_cannot_create_an_application(people, client_for):
    response = client_for(people.admin_a).post("/api/v1/applications/", {"name": "mine"})
    assert response.status_code == 403
    assert "staff" in response.json()["message"]
    assert not Application.objects.filter(name="mine").exists()


def test_an_application_admin_updates_it(people, client_for):
    response = client_for(people.admin_a).patch(
        "/api/v1/applications/app-a/", {"description": "Changed", "revision": 1}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["description"] == "Changed"
    assert response.json()["revision"] == 2
    assert response["ETag"] == '"2"'
    response = client_for(people.admin_a).put(
        "/api/v1/applications/app-a/", {"name": "app-a", "description": "Replaced"}
    )
    assert response.status_code == 200 and response.json()["revision"] == 3


def test_a_developer_cannot_update_the_application(people, client_for):
    response = client_for(people.developer_a).patch("/api/v1/applications/app-a/", {"description": "x"})
    assert response.status_code == 403
    assert response.json()["message"] == "You need the admin role in application 'app-a' to change it."


def test_deleting_an_application_previews_then_deletes(people, scene, client_for):
    client = client_for(people.admin_a)
    preview = client.delete("/api/v1/applications/app-a/?dry_run=true")
    assert preview.status_code == 200
    plan = preview.json()
    assert plan["application"] == "app-a" and plan["cascade"] == "delete" and plan["dry_run"] is True
    assert {(e["kind"], e["name"]) for e in plan["deleted"]} >= {
        ("function", "a-function"),
        ("image", "a-image"),
    }
    assert plan["untagged"] == []
    assert Application.objects.filter(name="app-a").exists()
    assert Function.objects.filter(name="a-function").exists()

    response = client.delete("/api/v1/applications/app-a/")
    assert response.status_code == 200
    assert response.json()["dry_run"] is False
    assert response.json()["deleted"] == plan["deleted"]
    assert not Application.objects.filter(name="app-a").exists()
    assert not Function.objects.filter(name="a-function").exists()
    assert client.get("/api/v1/applications/app-a/").status_code == 404


def test_deleting_with_cascade_orphan_keeps_the_entities(people, scene, client_for):
    response = client_for(people.admin_a).delete("/api/v1/applications/app-a/?cascade=orphan")
    assert response.status_code == 200
    assert response.json()["deleted"] == []
    assert ("function", "a-function") in {(e["kind"], e["name"]) for e in response.json()["untagged"]}
    assert Function.objects.get(name="a-function").application_names() == []


def test_an_unknown_cascade_or_dry_run_is_a_400(people, client_for):
    client = client_for(people.admin_a)
    response = client.delete("/api/v1/applications/app-a/?cascade=everything")
    assert response.status_code == 400 and "cascade" in response.json()["errors"]
    response = client.delete("/api/v1/applications/app-a/?dry_run=perhaps")
    assert response.status_code == 400 and "dry_run" in response.json()["errors"]
    assert Application.objects.filter(name="app-a").exists()


def test_a_developer_cannot_delete_the_application(people, client_for):
    response = client_for(people.developer_a).delete("/api/v1/applications/app-a/?dry_run=true")
    assert response.status_code == 403


def test_it_lists_the_entities_of_an_application_every_kind_in_one_list(people, scene, client_for):
    response = client_for(people.viewer_a).get("/api/v1/applications/app-a/entities/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    kinds = {item["kind"] for item in body["results"]}
    assert kinds == {"image", "secret", "function", "api", "event-driver", "subscription", "run"}
    for item in body["results"]:
        assert item["applications"] == ["app-a"]
        assert item["url"].startswith("http://testserver/api/v1/")
    function = next(item for item in body["results"] if item["kind"] == "function")
    assert function["image"] == "a-image" and function["secrets"] == ["a-secret"]


def test_it_lists_one_kind_in_an_application(people, scene, client_for):
    response = client_for(people.superuser).get("/api/v1/functions/?application=app-a")
    assert response.status_code == 200
    assert names(response) == ["a-function"]
    assert response.json()["count"] == 1


def test_it_gets_an_entity_by_name_and_application(people, scene, client_for):
    client = client_for(people.superuser)
    response = client.get("/api/v1/functions/a-function/?application=app-a")
    assert response.status_code == 200
    assert response.json()["name"] == "a-function" and response.json()["kind"] == "function"
    response = client.get("/api/v1/functions/a-function/?application=app-b")
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "Function 'a-function' does not exist.", "errors": {}}
    assert client.get("/api/v1/functions/a-function/?application=no-such-app").status_code == 404


def test_it_lists_all_entities_of_all_applications(people, scene, client_for):
    loose = f.FunctionFactory(name="loose", image=scene.a["image"])
    loose.applications.clear()
    response = client_for(people.superuser).get("/api/v1/entities/?limit=100")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7 + 7 + 2 + 1
    assert {item["kind"] for item in body["results"]} == {
        "base-image",
        "image",
        "secret",
        "function",
        "api",
        "event-driver-type",
        "event-driver",
        "subscription",
        "run",
    }
    assert names(client_for(people.superuser).get("/api/v1/entities/?application=app-b&kind=function")) == [
        "b-function"
    ]
    assert names(client_for(people.superuser).get("/api/v1/entities/?unassigned=true&kind=function")) == [
        "loose"
    ]
    assert names(client_for(people.superuser).get("/api/v1/entities/?application=&kind=function")) == [
        "loose"
    ]


def test_the_entities_list_is_ordered_and_paginated(people, scene, client_for):
    client = client_for(people.developer_a)
    everything = names(client.get("/api/v1/entities/?limit=1000"))
    first = client.get("/api/v1/entities/?limit=3").json()
    second = client.get("/api/v1/entities/?limit=3&offset=3").json()
    assert [i["name"] for i in first["results"] + second["results"]] == everything[:6]
    assert first["next"].endswith("/api/v1/entities/?limit=3&offset=3")
    by_kind = client.get("/api/v1/entities/?ordering=kind,-created&limit=1000").json()["results"]
    kinds = [item["kind"] for item in by_kind]
    assert kinds == sorted(kinds)
    for kind in set(kinds):
        created = [item["created"] for item in by_kind if item["kind"] == kind]
        assert created == sorted(created, reverse=True)
    assert client.get("/api/v1/entities/?ordering=colour").status_code == 400


def test_membership_roles_show_in_the_application(people, client_for):
    Membership.objects.filter(user=people.viewer_a).update(role=Role.ADMIN)
    response = client_for(people.viewer_a).get("/api/v1/applications/app-a/")
    assert response.json()["role"] == "admin"


def test_applications_filter_by_name_search_tag_and_status(people, client_for):
    people.app_b.tags.add("team=payments")
    client = client_for(people.superuser)
    assert names(client.get("/api/v1/applications/?name=app-b")) == ["app-b"]
    assert names(client.get("/api/v1/applications/?search=Application A")) == ["app-a"]
    assert names(client.get("/api/v1/applications/?tag=team=payments")) == ["app-b"]
    assert names(client.get("/api/v1/applications/?status=READY&ordering=-name")) == ["app-b", "app-a"]
    assert client.get("/api/v1/applications/?status=GONE").status_code == 400
    assert client.get("/api/v1/applications/app-b/").json()["tags"] == ["team=payments"]

"""A member of B only never learns anything about A's entities, for every kind; roles are enforced."""

import pytest

from applications import scopes
from entities.kinds import KINDS
from tests import factories as f
from tests import samples

SCOPED = [kind for kind in KINDS if not kind.is_system]


def name_of(scene, kind):
    return scene.a[kind.name].name


@pytest.mark.parametrize("kind", SCOPED, ids=str)
def test_a_member_of_b_gets_404_for_an_entity_of_a(people, scene, client_for, kind):
    client = client_for(people.member_b)
    name = name_of(scene, kind)
    for method in ("get", "put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/{kind.plural}/{name}/", {})
        assert response.status_code in (404, 405), (method, response.status_code)
        if response.status_code == 404:
            assert name not in str(response.json()["errors"])
    assert kind.model.objects.filter(name=name).exists()


@pytest.mark.parametrize("kind", SCOPED, ids=str)
def test_a_member_of_b_never_sees_them_in_a_list_filter_search_or_count(people, scene, client_for, kind):
    client = client_for(people.member_b)
    name = name_of(scene, kind)
    for query in ("", f"name={name}", f"search={name[:3]}", "search=a-", "ordering=-created", "limit=1000"):
        body = client.get(f"/api/v1/{kind.plural}/?{query}").json()
        assert name not in [item["name"] for item in body["results"]], query
        assert body["count"] == sum(1 for item in body["results"])
    assert client.get(f"/api/v1/{kind.plural}/?name={name}").json()["count"] == 0
    response = client.get(f"/api/v1/{kind.plural}/?application=app-a")
    assert response.status_code == 400  # the same answer as for an application that does not exist
    unknown = client.get(f"/api/v1/{kind.plural}/?application=app-z").json()
    assert response.json()["errors"] == {
        field: [message.replace("app-z", "app-a") for message in messages]
        for field, messages in unknown["errors"].items()
    }


def test_a_member_of_b_sees_nothing_of_a_in_the_entity_lists(people, scene, client_for):
    client = client_for(people.member_b)
    a_names = {entity.name for entity in scene.a.values()}
    body = client.get("/api/v1/entities/?limit=1000").json()
    assert not a_names & {item["name"] for item in body["results"]}
    assert body["count"] == 7 + 2  # B's entities and the two system ones
    for name in a_names:
        assert client.get(f"/api/v1/entities/?search={name}").json()["count"] == 0
    found = client.get("/api/v1/entities/?search=a-").json()["results"]  # runs' UUIDs may contain "a-"
    assert not a_names & {item["name"] for item in found}
    assert client.get("/api/v1/entities/?application=app-a").status_code == 400
    assert client.get("/api/v1/applications/app-a/entities/").status_code == 404
    assert client.get("/api/v1/applications/app-a/members/").status_code == 404
    assert client.get("/api/v1/applications/app-a/").status_code == 404
    assert [a["name"] for a in client.get("/api/v1/applications/").json()["results"]] == ["app-b"]


def test_a_user_without_applications_sees_system_and_unassigned_entities_only(people, scene, client_for):
    loose = f.SecretFactory(name="loose")
    body = client_for(people.outsider).get("/api/v1/entities/").json()
    assert sorted(item["name"] for item in body["results"]) == sorted(["python3-base", "timer", loose.name])


INTO_A = [kind.name for kind in KINDS if kind.scope in (scopes.ONE, scopes.MANY)]  # kinds put in applications


@pytest.mark.parametrize("kind_name", INTO_A)
def test_a_member_of_b_cannot_create_into_a(people, scene, client_for, kind_name):
    kind = next(k for k in KINDS if k.name == kind_name)
    into_a = samples.payload(kind, "x", scene.references(kind, "b"), ["app-a"])  # B's references, into A
    response = client_for(people.member_b).post(f"/api/v1/{kind.plural}/", into_a)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "applications": ["Application 'app-a' does not exist; check the name or ask to be made a member."]
    }
    assert not kind.model.objects.filter(name="x").exists()


@pytest.mark.parametrize(
    "plural,payload,field",
    [
        ("images", {"name": "x", "base_image": "python3-base"}, None),
        ("functions", {"name": "x", "image": "a-image", "applications": ["app-b"]}, "image"),
        (
            "functions",
            {"name": "x", "image": "b-image", "secrets": ["a-secret"], "applications": ["app-b"]},
            "secrets",
        ),
        ("apis", {"name": "x", "function": "a-function"}, "function"),
        (
            "subscriptions",
            {"name": "x", "event_type": "e", "function": "a-function", "applications": ["app-b"]},
            "function",
        ),
        (
            "event-drivers",
            {"name": "x", "type": "timer", "secrets": ["a-secret"], "applications": ["app-b"]},
            "secrets",
        ),
    ],
)
def test_a_member_of_b_cannot_reference_entities_of_a(people, scene, client_for, plural, payload, field):
    response = client_for(people.member_b).post(f"/api/v1/{plural}/", payload)
    if field is None:  # an unassigned image: only staff may create one
        assert response.status_code == 403
        return
    assert response.status_code == 400
    [message] = response.json()["errors"][field]
    assert message.endswith("does not exist.")
    assert "app-a" not in message


@pytest.mark.parametrize("kind_name", ["image", "secret", "function", "event-driver", "subscription"])
def test_a_member_of_b_cannot_move_an_entity_into_a(people, scene, client_for, kind_name):
    kind = next(k for k in KINDS if k.name == kind_name)
    entity = scene.b[kind_name]
    response = client_for(people.member_b).patch(
        f"/api/v1/{kind.plural}/{entity.name}/", {"applications": ["app-a"]}
    )
    assert response.status_code == 400
    assert "applications" in response.json()["errors"]
    assert entity.application_names() == ["app-b"]


@pytest.mark.parametrize("kind", [k for k in SCOPED if k.name != "run"], ids=str)
def test_a_viewer_of_a_cannot_write_in_a(people, scene, client_for, kind):
    client = client_for(people.viewer_a)
    entity = scene.a[kind.name]
    response = client.patch(f"/api/v1/{kind.plural}/{entity.name}/", {"tags": ["x"]})
    assert response.status_code == 403
    assert "developer role" in response.json()["message"]
    assert client.delete(f"/api/v1/{kind.plural}/{entity.name}/").status_code == 403
    assert kind.model.objects.get(pk=entity.pk).revision == 1


def test_a_viewer_of_a_cannot_create_in_a(people, scene, client_for):
    response = client_for(people.viewer_a).post("/api/v1/secrets/", {"name": "x", "applications": ["app-a"]})
    assert response.status_code == 403
    assert response.json()["message"] == "You need the developer role in 'app-a' to create secrets there."


def test_a_developer_through_a_group_writes_in_a(people, scene, client_for):
    response = client_for(people.group_member_a).post(
        "/api/v1/secrets/", {"name": "x", "applications": ["app-a"]}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("kind_name", ["base-image", "event-driver-type"])
def test_only_staff_write_system_kinds(people, scene, client_for, kind_name):
    kind = next(k for k in KINDS if k.name == kind_name)
    entity = scene.system[kind_name]
    client = client_for(people.admin_a)
    assert client.get(f"/api/v1/{kind.plural}/{entity.name}/").status_code == 200
    assert client.patch(f"/api/v1/{kind.plural}/{entity.name}/", {"tags": ["x"]}).status_code == 403
    assert (
        client_for(people.staff).patch(f"/api/v1/{kind.plural}/{entity.name}/", {"tags": ["x"]}).status_code
        == 200
    )

"""Every kind through its resource: create, read, replace, change and delete, by name."""

import pytest

from applications import scopes
from entities.kinds import KINDS, get_kind
from tests import factories as f
from tests import samples

WRITABLE = [kind for kind in KINDS if kind.scope != scopes.FROZEN]  # runs are made by running


def new_payload(scene, kind) -> dict:
    """What a developer of A (staff, for system kinds) sends to create one entity of a kind: its full
    sample, referencing A's entities (or the system ones)."""
    applications = ["app-a"] if kind.scope in (scopes.ONE, scopes.MANY) else None
    return samples.payload(kind, f"new-{kind.name}", scene.references(kind, "a"), applications, full=True)


def author(people, kind):
    return people.staff if kind.is_system else people.developer_a


@pytest.mark.parametrize("kind", WRITABLE, ids=str)
def test_each_kind_is_created_read_changed_and_deleted(people, scene, client_for, kind):
    client = client_for(author(people, kind))
    payload = new_payload(scene, kind)
    response = client.post(f"/api/v1/{kind.plural}/", payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    url = f"http://testserver/api/v1/{kind.plural}/{payload['name']}/"
    assert body["kind"] == kind.name and body["url"] == url and response["Location"] == url
    assert body["revision"] == 1 and body["status"] == "READY"
    assert body["created_by"] == author(people, kind).username
    assert body["applications"] == ([] if kind.is_system else ["app-a"])
    for field, value in payload.items():
        if field not in ("values", "applications", "config"):
            assert body[field] == value, field

    response = client.get(f"/api/v1/{kind.plural}/{payload['name']}/")
    assert response.status_code == 200 and response.json() == body
    assert response["ETag"] == '"1"'

    response = client.patch(
        f"/api/v1/{kind.plural}/{payload['name']}/", {"tags": ["role=test"], "revision": 1}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["tags"] == ["role=test"] and response.json()["revision"] == 2

    replaced = {**payload, "status": "ERROR", "reason": ["it broke"]}
    response = client.put(f"/api/v1/{kind.plural}/{payload['name']}/", replaced)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ERROR" and response.json()["reason"] == ["it broke"]
    assert response.json()["tags"] == ["role=test"]  # left out of a PUT: unchanged
    assert response.json()["revision"] == 3

    response = client.delete(f"/api/v1/{kind.plural}/{payload['name']}/")
    assert response.status_code == 204
    assert not kind.model.objects.filter(name=payload["name"]).exists()
    assert client.get(f"/api/v1/{kind.plural}/{payload['name']}/").status_code == 404


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_each_kind_lists_with_references_by_name(people, scene, client_for, kind):
    response = client_for(people.developer_a).get(f"/api/v1/{kind.plural}/")
    assert response.status_code == 200
    body = response.json()
    expected = 1  # A's entity, or the one system entity
    assert body["count"] == expected and len(body["results"]) == expected
    item = body["results"][0]
    assert item["kind"] == kind.name
    for ref in kind.references:
        value = item[ref.field]
        assert value == (
            [o.name for o in getattr(scene.a[kind.name], ref.field).all()]
            if ref.many
            else getattr(scene.a[kind.name], ref.field).name
        )


def test_an_api_follows_its_function_and_a_subscription_shows_its_topic(people, scene, client_for):
    client = client_for(people.developer_a)
    api = client.get("/api/v1/apis/a-api/").json()
    assert api["applications"] == ["app-a"]
    subscription = client.get("/api/v1/subscriptions/a-subscription/").json()
    assert subscription["topic"] == "app-a.ticker.tick"


def test_a_function_moves_with_its_apis(people, client_for, settings):
    settings.DISPATCH_SCOPES = {"image": "many"}
    people.app_b.memberships.create(user=people.developer_a, role="developer")
    image = f.ImageFactory(name="img", applications=[people.app_a, people.app_b])
    function = f.FunctionFactory(name="fn", image=image, applications=[people.app_a])
    f.APIFactory(name="fn-api", function=function, applications=[people.app_a])
    client = client_for(people.developer_a)
    response = client.patch("/api/v1/functions/fn/", {"applications": ["app-b"]})
    assert response.status_code == 200, response.json()
    assert client.get("/api/v1/apis/fn-api/").json()["applications"] == ["app-b"]


def test_a_run_is_read_and_deleted_but_never_changed(people, scene, client_for):
    client = client_for(people.developer_a)
    run = scene.a["run"]
    body = client.get(f"/api/v1/runs/{run.name}/").json()
    assert body["function"] == "a-function" and body["input"] == {"name": "Jon"} and body["duration"] is None
    # POST /runs/ runs a function (tests/runs); a run itself is never written
    assert client.put(f"/api/v1/runs/{run.name}/", {}).status_code == 405
    assert client.patch(f"/api/v1/runs/{run.name}/", {}).status_code == 405
    assert client.delete(f"/api/v1/runs/{run.name}/").status_code == 204


def test_an_entity_in_use_is_not_deleted(people, scene, client_for):
    response = client_for(people.developer_a).delete("/api/v1/functions/a-function/")
    assert response.status_code == 400
    assert "is used by" in response.json()["message"]
    assert get_kind("function").model.objects.filter(name="a-function").exists()


def test_a_rename_moves_the_url(people, scene, client_for):
    client = client_for(people.developer_a)
    response = client.patch("/api/v1/secrets/a-secret/", {"name": "renamed"})
    assert response.status_code == 200
    assert response.json()["url"] == "http://testserver/api/v1/secrets/renamed/"
    assert client.get("/api/v1/secrets/renamed/").status_code == 200
    assert client.get("/api/v1/functions/a-function/").json()["secrets"] == ["renamed"]


def test_sparse_fields(people, scene, client_for):
    response = client_for(people.developer_a).get("/api/v1/functions/?fields=status,url")
    assert response.json()["results"] == [
        {
            "kind": "function",
            "name": "a-function",
            "status": "READY",
            "url": "http://testserver/api/v1/functions/a-function/",
        }
    ]


def test_filters_and_ordering(people, scene, client_for):
    client = client_for(people.superuser)
    f.FunctionFactory(name="z-function", image=scene.a["image"], applications=[people.app_a]).tags.add(
        "role=test"
    )

    def names(query):
        response = client.get(f"/api/v1/functions/?{query}")
        assert response.status_code == 200, response.json()
        return [item["name"] for item in response.json()["results"]]

    assert names("") == ["a-function", "b-function", "z-function"]
    assert names("ordering=-name") == ["z-function", "b-function", "a-function"]
    assert names("application=app-a&application=app-b") == ["a-function", "b-function", "z-function"]
    assert names("tag=role=test") == ["z-function"]
    assert names("search=z-fun") == ["z-function"]
    assert names("name=b-function") == ["b-function"]
    assert names("image=b-image") == ["b-function"]
    assert names("status=ERROR") == []
    assert names("created_after=2000-01-01T00:00:00Z&created_before=2999-01-01T00:00:00Z") == names("")
    assert names("limit=1&offset=1") == ["b-function"]
    assert names("application=&unassigned=true") == []
    assert client.get("/api/v1/functions/?created_after=yesterday").status_code == 400
    assert client.get("/api/v1/subscriptions/?function=b-function").json()["count"] == 1
    assert client.get("/api/v1/event-drivers/?type=timer").json()["count"] == 2
    assert client.get("/api/v1/images/?base_image=python3-base").json()["count"] == 2


def test_pages_hold_fifty_by_default_and_a_thousand_at_most(people, client_for):
    base = f.BaseImageFactory.create_batch(60)
    client = client_for(people.developer_a)
    body = client.get("/api/v1/base-images/").json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"].endswith("limit=50&offset=50")
    assert len(client.get("/api/v1/base-images/?limit=5000").json()["results"]) == 60
    assert len(base) == 60

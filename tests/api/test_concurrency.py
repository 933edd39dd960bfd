"""Optimistic concurrency: a stale body `revision` is a 409, a stale If-Match a 412; nothing is written."""

import pytest

from applications.models import Application
from entities.models import Function


def test_get_returns_the_revision_as_etag(people, scene, client_for):
    response = client_for(people.developer_a).get("/api/v1/functions/a-function/")
    assert response["ETag"] == '"1"' and response.json()["revision"] == 1


def test_a_stale_revision_in_the_body_is_a_409(people, scene, client_for):
    client = client_for(people.developer_a)
    assert (
        client.patch("/api/v1/functions/a-function/", {"handler": "one.handle", "revision": 1}).status_code
        == 200
    )
    response = client.patch("/api/v1/functions/a-function/", {"handler": "two.handle", "revision": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == 409 and "revision 1" in body["message"] and "revision 2" in body["message"]
    assert list(body["errors"]) == ["revision"]
    function = Function.objects.get(name="a-function")
    assert function.handler == "one.handle" and function.revision == 2


@pytest.mark.parametrize("method", ["put", "patch"])
def test_if_match_with_the_current_etag_writes(people, scene, client_for, method):
    client = client_for(people.developer_a)
    etag = client.get("/api/v1/secrets/a-secret/")["ETag"]
    response = getattr(client, method)("/api/v1/secrets/a-secret/", {"name": "a-secret"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_stale_if_match_is_a_412(people, scene, client_for, method):
    client = client_for(people.developer_a)
    response = getattr(client, method)("/api/v1/secrets/a-secret/", {"name": "renamed"}, HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    assert response.json()["code"] == 412 and "revision 7" in response.json()["message"]
    assert scene.a["secret"].__class__.objects.filter(name="a-secret", revision=1).exists()


def test_if_match_star_or_weak_etags_are_understood(people, scene, client_for):
    client = client_for(people.developer_a)
    assert client.patch("/api/v1/secrets/a-secret/", {}, HTTP_IF_MATCH="*").status_code == 200
    assert client.patch("/api/v1/secrets/a-secret/", {}, HTTP_IF_MATCH='"1", W/"2"').status_code == 200


def test_delete_with_a_stale_revision_is_a_409(people, client_for):
    from tests import factories as f

    f.SecretFactory(name="lonely", applications=[people.app_a])
    client = client_for(people.developer_a)
    response = client.delete("/api/v1/secrets/lonely/?revision=3")
    assert response.status_code == 409
    assert client.delete("/api/v1/secrets/lonely/?revision=x").status_code == 400
    assert client.delete("/api/v1/secrets/lonely/?revision=1").status_code == 204


def test_applications_have_etags_and_refuse_stale_writes(people, client_for):
    client = client_for(people.admin_a)
    assert client.get("/api/v1/applications/app-a/")["ETag"] == '"1"'
    assert (
        client.patch("/api/v1/applications/app-a/", {"description": "x"}, HTTP_IF_MATCH='"9"').status_code
        == 412
    )
    assert client.patch("/api/v1/applications/app-a/", {"description": "x", "revision": 9}).status_code == 409
    assert client.delete("/api/v1/applications/app-a/", HTTP_IF_MATCH='"9"').status_code == 412
    assert Application.objects.get(name="app-a").description == "Application A"

"""Bundles over HTTP: POST/DELETE /api/v1/bundles/ and GET /api/v1/applications/{name}/export/."""

import json

import pytest
import yaml
from rest_framework.test import APIClient

from applications.tokens import token_create
from dispatch_cli.bundles import read as read_bundle
from entities import models as m
from tests import factories as f

from .examples import lay_out

BUNDLE = """
kind: Secret
name: db
secrets: {password: s3cret}
---
kind: Function
name: hello
image: img
secrets: [db]
tags: [{key: role, value: test}]
"""


def client_for(user) -> APIClient:
    client = APIClient()
    _, key = token_create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def post_yaml(client, text, query=""):
    return client.post(f"/api/v1/bundles/{query}", data=text.encode(), content_type="application/yaml")


@pytest.fixture
def image_a(people):
    return f.ImageFactory(name="img", applications=[people.app_a])


def test_it_applies_a_yaml_bundle_into_the_application_named_in_the_query(people, image_a):
    response = post_yaml(client_for(people.developer_a), BUNDLE, "?application=app-a")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "dry_run": False,
        "counts": {"created": 2},
        "results": [
            {"position": 1, "kind": "Secret", "name": "db", "action": "created"},
            {"position": 2, "kind": "Function", "name": "hello", "action": "created"},
        ],
    }
    assert m.Function.objects.get(name="hello").application_names() == ["app-a"]


def test_it_accepts_a_json_list_of_documents(people, image_a):
    documents = list(yaml.safe_load_all(BUNDLE))
    response = client_for(people.developer_a).post(
        "/api/v1/bundles/?application=app-a", data=json.dumps(documents), content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["counts"] == {"created": 2}


def test_a_dry_run_answers_the_plan_and_writes_nothing(people, image_a):
    response = post_yaml(client_for(people.developer_a), BUNDLE, "?application=app-a&dry_run=true")

    assert response.status_code == 200
    assert response.json()["dry_run"] is True and response.json()["counts"] == {"created": 2}
    assert not m.Function.objects.exists() and not m.Secret.objects.exists()


def test_a_bad_document_is_a_400_naming_it_and_nothing_is_written(people, image_a):
    response = post_yaml(
        client_for(people.developer_a), BUNDLE.replace("image: img", "image: nope"), "?application=app-a"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": 400,
        "message": "Document 2 (Function 'hello'): An image named 'nope' does not exist; "
        "create it first or add it to the bundle.",
        "errors": {
            "image": ["An image named 'nope' does not exist; create it first or add it to the bundle."]
        },
        "document": {"position": 2, "kind": "Function", "name": "hello"},
    }
    assert not m.Secret.objects.exists()


def test_malformed_yaml_and_a_wrong_body_are_400s(people):
    client = client_for(people.developer_a)
    assert post_yaml(client, "kind: [").json()["message"].startswith("The bundle is not valid YAML")
    response = client.post(
        "/api/v1/bundles/", data=json.dumps({"kind": "Secret"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Send the bundle as YAML text or a JSON list of documents."


def test_a_viewer_gets_a_403_and_an_anonymous_caller_a_401(people, image_a):
    assert post_yaml(client_for(people.viewer_a), BUNDLE, "?application=app-a").status_code == 403
    response = APIClient().post("/api/v1/bundles/", data=BUNDLE.encode(), content_type="application/yaml")
    assert response.status_code == 401
    assert response.json()["message"] == "Sign in first: send 'Authorization: Token <key>' or use a session."
    assert not m.Secret.objects.exists()


def test_delete_by_bundle_deletes_what_it_names(people, image_a):
    client = client_for(people.developer_a)
    post_yaml(client, BUNDLE, "?application=app-a")

    response = client.delete("/api/v1/bundles/", data=BUNDLE.encode(), content_type="application/yaml")

    assert response.status_code == 200
    assert response.json()["counts"] == {"deleted": 2}
    assert not m.Function.objects.exists()


def test_export_answers_yaml_that_reimports_unchanged(people, tmp_path):
    folder = lay_out(tmp_path)
    staff = client_for(people.staff)
    for name in ("images.yaml", "seed.yaml"):
        text, _ = read_bundle(str(folder / name), progress=False)  # as `dispatch create -f` sends it
        assert post_yaml(staff, text, "?application=app-a").status_code == 200

    response = client_for(people.developer_a).get("/api/v1/applications/app-a/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    documents = list(yaml.safe_load_all(response.content))
    assert documents[0] == {
        "kind": "Application",
        "name": "app-a",
        "description": "Application A",
        "tags": [],
    }
    again = post_yaml(client_for(people.developer_a), response.content.decode())
    assert set(again.json()["counts"]) == {"unchanged"}


def test_export_answers_json_when_asked(people):
    f.SecretFactory(name="db", applications=[people.app_a])

    response = client_for(people.admin_a).get(
        "/api/v1/applications/app-a/export/?include_secret_values=true", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert response.json()[1] == {
        "kind": "Secret",
        "name": "db",
        "secrets": {"password": "OpenSesame"},
        "tags": [{"key": "Application", "value": "app-a"}],
    }


def test_export_of_secret_values_is_a_403_for_developers_and_a_404_for_other_applications(people):
    response = client_for(people.developer_a).get(
        "/api/v1/applications/app-a/export/?include_secret_values=1"
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "admin role in application 'app-a'" in response.json()["message"]

    response = client_for(people.member_b).get("/api/v1/applications/app-a/export/")
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "Application 'app-a' does not exist.", "errors": {}}


def test_a_body_that_is_not_utf8_or_too_large_is_refused_before_parsing(people, settings):
    client = client_for(people.developer_a)
    response = client.post(
        "/api/v1/bundles/", data="kind: Secret\nname: é\n".encode("latin-1"), content_type="application/yaml"
    )
    assert (response.status_code, response.json()["message"]) == (
        400,
        "The bundle is not UTF-8 text; save the file as UTF-8.",
    )

    settings.DISPATCH_MAX_BODY_BYTES = 10
    response = post_yaml(client, "kind: Secret\nname: a-long-enough-name\n")
    assert (response.status_code, response.json()["code"]) == (413, 413)
    assert not m.Secret.objects.exists()

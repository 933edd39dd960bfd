"""Every error under /api/ is JSON in one shape: {"code", "message", "errors"}, never an HTML page."""

import json

import pytest
from django.http import HttpResponse
from rest_framework.test import APIClient

from entities.api import exceptions as errors
from entities.api import views
from entities.models import Secret


def assert_error(response, code):
    assert response.status_code == code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"].endswith((".", "?"))
    assert isinstance(body["errors"], dict)
    return body


def test_malformed_json_is_a_400(people, client_for):
    response = client_for(people.developer_a).post(
        "/api/v1/secrets/", '{"name": "broken",', content_type="application/json"
    )
    body = assert_error(response, 400)
    assert "JSON parse error" in body["message"]
    assert not Secret.objects.exists()


def test_field_errors_are_listed_per_field(people, client_for):
    response = client_for(people.developer_a).post(
        "/api/v1/functions/", {"name": "bad name!", "timeout": "soon", "applications": ["app-a"]}
    )
    body = assert_error(response, 400)
    assert set(body["errors"]) == {"name", "timeout", "image"}
    assert body["message"].startswith("Invalid input: ")


def test_a_wrong_item_of_a_json_field_is_named_by_its_position(people, scene, client_for):
    response = client_for(people.developer_a).post(
        "/api/v1/images/",
        {
            "name": "img",
            "base_image": "python3-base",
            "applications": ["app-a"],
            "system_dependencies": [{"name": "curl", "version": "8"}, {"version": "1"}],
        },
    )
    body = assert_error(response, 400)
    assert body["errors"] == {"system_dependencies": ["Item 2 of 'system_dependencies' needs a 'name'."]}
    assert body["message"] == "system_dependencies: Item 2 of 'system_dependencies' needs a 'name'."


def test_a_missing_entity_is_a_json_404(people, client_for):
    body = assert_error(client_for(people.developer_a).get("/api/v1/images/nothing/"), 404)
    assert body["message"] == "Image 'nothing' does not exist."


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/nothing", "/api/v1/functions/a/b/c/"])
def test_an_unknown_api_url_is_a_json_404_not_a_page(people, client_for, path):
    body = assert_error(client_for(people.developer_a).get(path), 404)
    assert "/api/docs/" in body["message"]


def test_a_method_the_resource_lacks_is_a_405(people, scene, client_for):
    client = client_for(people.superuser)
    run = scene.a["run"]
    body = assert_error(client.patch(f"/api/v1/runs/{run.name}/", {"input": {}}), 405)
    assert body["message"] == 'Method "PATCH" not allowed.'
    assert_error(client.delete("/api/v1/entities/"), 405)


def test_a_body_that_is_not_json_is_a_415(people, client_for):
    response = client_for(people.developer_a).post(
        "/api/v1/secrets/", "name=x", content_type="application/x-www-form-urlencoded"
    )
    body = assert_error(response, 415)
    assert "JSON" in body["message"]


def test_asking_for_html_is_a_406_answered_in_json(people, client_for):
    response = client_for(people.developer_a).get("/api/v1/functions/", HTTP_ACCEPT="text/html")
    assert_error(response, 406)


def test_a_crash_is_a_json_500(people, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.EntityListView, "get", explode)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(people.developer_a)
    body = assert_error(client.get("/api/v1/entities/"), 500)
    assert "boom" not in body["message"]


def test_pages_outside_the_api_keep_html_errors(people, client):
    client.force_login(people.developer_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "factory,code",
    [
        (lambda: errors.api_or_html_400(), 400),
        (lambda: errors.api_or_html_403(), 403),
        (lambda: errors.api_or_html_404(), 404),
    ],
)
def test_djangos_own_error_handlers_answer_json_under_the_api(rf, factory, code):
    handler = factory()
    response = handler(rf.get("/api/v1/functions/"), Exception())
    assert response.status_code == code and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == code
    page = handler(rf.get("/functions/"), Exception())
    assert page.status_code == code and not page["Content-Type"].startswith("application/json")


def test_the_html_side_of_the_handlers_is_a_hook_for_the_pages(rf):
    def html_404(request, exception):
        return HttpResponse("our page", status=404)

    handler = errors.api_or_html_404(html_404)
    assert handler(rf.get("/functions/"), Exception()).content == b"our page"
    assert json.loads(handler(rf.get("/api/x"), Exception()).content)["code"] == 404
    server_error = errors.api_or_html_500(lambda request: HttpResponse("oops", status=500))
    assert server_error(rf.get("/functions/")).content == b"oops"
    assert json.loads(server_error(rf.get("/api/v1/")).content)["code"] == 500

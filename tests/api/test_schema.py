"""The OpenAPI schema generates without warnings, describes the errors and filters, and the docs
work offline."""

import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from entities.kinds import KINDS


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_every_kind_has_its_resource_by_name(schema):
    for kind in KINDS:
        assert f"/api/v1/{kind.plural}/" in schema["paths"]
        assert f"/api/v1/{kind.plural}/{{name}}/" in schema["paths"]
    assert set(schema["paths"]["/api/v1/runs/"]) == {"get", "post"}  # POST runs a function
    assert set(schema["paths"]["/api/v1/runs/{name}/"]) == {"get", "delete"}
    assert set(schema["paths"]["/api/v1/functions/{name}/"]) == {"get", "put", "patch", "delete"}


def test_the_schema_describes_errors_in_one_shape(schema):
    error = "#/components/schemas/Error"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
            assert errors, (method, path)
            for code, response in errors.items():
                assert response["content"]["application/json"]["schema"]["$ref"] == error, (
                    method,
                    path,
                    code,
                )
    put = schema["paths"]["/api/v1/functions/{name}/"]["put"]["responses"]
    assert {"400", "401", "403", "404", "409", "412", "415"} <= set(put)


def test_the_schema_describes_the_filters_and_pagination(schema):
    functions = schema["paths"]["/api/v1/functions/"]["get"]
    names = {p["name"] for p in functions["parameters"]}
    assert {"application", "unassigned", "tag", "status", "name", "search", "created_after", "created_before",
            "image", "ordering", "limit", "offset"} <= names  # fmt: skip
    page = functions["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page == "#/components/schemas/PaginatedFunctionList"
    entities = {p["name"] for p in schema["paths"]["/api/v1/entities/"]["get"]["parameters"]}
    assert {"application", "kind", "search", "ordering", "limit", "offset"} <= entities
    retrieve = {p["name"] for p in schema["paths"]["/api/v1/functions/{name}/"]["get"]["parameters"]}
    assert "application" in retrieve


def test_the_schema_and_docs_need_a_sign_in(people):
    assert APIClient().get("/api/schema/").status_code == 401
    response = APIClient().get("/api/docs/")
    assert response.status_code == 302 and "next=/api/docs/" in response["Location"]


def test_the_docs_are_served_from_local_files(people):
    client = APIClient()
    client.force_login(people.developer_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert not re.search(r"https?://(?!testserver)", html.replace("http://www.w3.org", ""))
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "Dispatch API"

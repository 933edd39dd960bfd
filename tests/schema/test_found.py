"""What schemathesis found, pinned down as plain tests so that it stays fixed whatever it generates next."""

import pytest
import yaml
from rest_framework.test import APIClient

from tests import factories as f


@pytest.fixture
def developer(people):
    client = APIClient()
    client.force_authenticate(people.developer_a)
    return client


@pytest.mark.parametrize("tags", [{}, "role=test", 7])
def test_tags_that_are_not_a_list_are_a_400_not_a_500(people, developer, tags):
    response = developer.post("/api/v1/secrets/", {"name": "s", "applications": ["app-a"], "tags": tags})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "tags": ["Give tags as a list of strings or of {key, value} objects."]
    }


@pytest.mark.parametrize(
    "moment, status",
    [
        ("0250-06-16T12:08:00.63+20:21", 200),  # Python accepts the offset, PostgreSQL would not
        ("2026-01-01T00:00:00-23:59", 200),
        ("0001-01-01T00:00:00+05:00", 400),  # before the year 1 in UTC
        ("9999-12-31T23:00:00-05:00", 400),  # after the year 9999 in UTC
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/functions/", "/api/v1/entities/", "/functions/"])
def test_dates_are_compared_in_utc_and_out_of_range_ones_are_a_400(people, developer, moment, status, path):
    developer.force_login(people.developer_a)  # the pages share the API's FilterSets

    response = developer.get(path, {"created_after": moment, "created_before": moment})

    assert response.status_code == status


def test_an_entity_without_a_creator_shows_created_by_as_null(people, developer):
    f.SecretFactory(name="orphaned", applications=[people.app_a], created_by=None)

    assert developer.get("/api/v1/secrets/orphaned/").json()["created_by"] is None


def test_the_schema_says_what_the_api_answers(people, developer):
    schema = yaml.safe_load(developer.get("/api/schema/").content)
    components = schema["components"]["schemas"]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    export = schema["paths"]["/api/v1/applications/{name}/export/"]["get"]["responses"]["200"]["content"]

    assert components["Function"]["properties"]["created_by"]["nullable"] is True
    assert components["Function"]["required"] == ["kind", "name"]  # ?fields= may leave out the rest
    assert token["401"]["description"] == "Wrong username or password."
    assert export["application/json"]["schema"]["type"] == "array"


# PostgreSQL stores no NUL character in text and cannot compare text with it: each of these was a 500.


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/functions/a%00/",
        "/api/v1/applications/%00/",
        "/api/v1/applications/app-a/entities/?search=%00",
        "/api/v1/functions/?%00=x",
        "/functions/a%00/",
    ],
)
def test_a_url_holding_nul_is_a_400(people, developer, url):
    developer.force_login(people.developer_a)

    response = developer.get(url)

    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json() == {"code": 400, "message": "The request is malformed.", "errors": {}}


@pytest.mark.parametrize(
    "field, value",
    [("tags", ["a\x00"]), ("applications", ["app-a\x00"]), ("reason", ["\x00"]), ("schema_in", {"k\x00": 1})],
)
def test_a_body_holding_nul_is_a_400_naming_the_field(people, developer, field, value):
    f.ImageFactory(name="img", applications=[people.app_a])
    body = {"name": "fn", "image": "img", "applications": ["app-a"], field: value}

    response = developer.post("/api/v1/functions/", body)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["Text cannot hold the NUL character (U+0000)."]}


def test_a_bundle_holding_nul_is_a_400_naming_the_document(people, developer):
    bundle = b'kind: Secret\nname: ok\n---\nkind: Secret\nname: bad\nsecrets: {key: "a\\0"}\n'

    response = developer.post(
        "/api/v1/bundles/?application=app-a", data=bundle, content_type="application/yaml"
    )

    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "Document 2 (Secret 'bad'): Text cannot hold the NUL character (U+0000)."
    )

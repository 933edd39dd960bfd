"""Bad input is a 400 with field errors, and nothing is written."""

import pytest

from entities.models import API, BaseImage, Function, Secret
from tests import factories as f


@pytest.fixture
def nothing_written(scene):
    """Counts rows of every kind before the test and checks they did not change after it."""
    from entities.kinds import KINDS

    before = {kind.name: kind.model.objects.count() for kind in KINDS}
    revisions = {kind.name: sorted(kind.model.objects.values_list("revision", flat=True)) for kind in KINDS}
    yield
    assert before == {kind.name: kind.model.objects.count() for kind in KINDS}
    assert revisions == {
        kind.name: sorted(kind.model.objects.values_list("revision", flat=True)) for kind in KINDS
    }


BAD_CREATES = [
    ("not an object", "secrets", ["a", "list"], "non_field_errors"),
    ("wrong type: applications", "secrets", {"name": "s", "applications": "app-a"}, "applications"),
    (
        "wrong type: timeout",
        "functions",
        {"name": "fn", "image": "a-image", "timeout": "long", "applications": ["app-a"]},
        "timeout",
    ),
    (
        "negative timeout",
        "functions",
        {"name": "fn", "image": "a-image", "timeout": -1, "applications": ["app-a"]},
        "timeout",
    ),
    (
        "wrong type: secret values",
        "secrets",
        {"name": "s", "values": ["x"], "applications": ["app-a"]},
        "values",
    ),
    (
        "wrong type: schema",
        "functions",
        {"name": "fn", "image": "a-image", "schema_in": "{}", "applications": ["app-a"]},
        "schema_in",
    ),
    ("wrong type: reference", "functions", {"name": "fn", "image": 7, "applications": ["app-a"]}, "image"),
    ("invalid name", "secrets", {"name": "no spaces", "applications": ["app-a"]}, "name"),
    ("name starting with a dash", "secrets", {"name": "-x", "applications": ["app-a"]}, "name"),
    ("overlong name", "secrets", {"name": "x" * 64, "applications": ["app-a"]}, "name"),
    ("missing name", "secrets", {"applications": ["app-a"]}, "name"),
    ("duplicate name", "secrets", {"name": "a-secret", "applications": ["app-a"]}, "name"),
    ("unknown application", "secrets", {"name": "s", "applications": ["no-such-app"]}, "applications"),
    (
        "unknown reference",
        "functions",
        {"name": "fn", "image": "no-such-image", "applications": ["app-a"]},
        "image",
    ),
    (
        "unknown many reference",
        "functions",
        {"name": "fn", "image": "a-image", "secrets": ["nope"], "applications": ["app-a"]},
        "secrets",
    ),
    (
        "second application on a one kind",
        "secrets",
        {"name": "s", "applications": ["app-a", "app-b"]},
        "applications",
    ),
    (
        "API in another application than its function",
        "apis",
        {"name": "x", "function": "a-function", "applications": ["app-b"]},
        "applications",
    ),
    ("unknown field", "secrets", {"name": "s", "applications": ["app-a"], "colour": "red"}, "colour"),
    (
        "read-only kind of field",
        "images",
        {"name": "i", "base_image": "python3-base", "language": 5, "colour": 1, "applications": ["app-a"]},
        "colour",
    ),
    (
        "bad choice",
        "apis",
        {"name": "x", "function": "a-function", "authentication": "magic"},
        "authentication",
    ),
    ("bad method", "apis", {"name": "x", "function": "a-function", "methods": ["FETCH"]}, "methods.0"),
    (
        "bad secret key",
        "secrets",
        {"name": "s", "values": {"not ok": "v"}, "applications": ["app-a"]},
        "values",
    ),
    (
        "bad event type",
        "subscriptions",
        {"name": "s", "event_type": "a b", "function": "a-function", "applications": ["app-a"]},
        "event_type",
    ),
    ("bad tag", "secrets", {"name": "s", "tags": [{"value": "no key"}], "applications": ["app-a"]}, "tags"),
    (
        "bad config",
        "event-drivers",
        {"name": "d", "type": "timer", "config": [{"value": "v"}], "applications": ["app-a"]},
        "config.0.key",
    ),
]


@pytest.mark.parametrize("what,plural,payload,field", BAD_CREATES, ids=[case[0] for case in BAD_CREATES])
def test_bad_creates_are_400_with_field_errors(
    people, client_for, nothing_written, what, plural, payload, field
):
    response = client_for(people.superuser).post(f"/api/v1/{plural}/", payload)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == 400
    assert field in body["errors"], body
    assert body["message"]


def test_a_system_kind_given_an_application_is_a_400(people, client_for, nothing_written):
    response = client_for(people.staff).post(
        "/api/v1/base-images/",
        {"name": "b", "docker_url": "x", "language": "python3", "applications": ["app-a"]},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "applications": ["A base image is system-scoped and cannot be put in an application."]
    }
    assert not BaseImage.objects.filter(name="b").exists()


def test_an_api_cannot_be_moved_away_from_its_function(people, client_for, nothing_written):
    response = client_for(people.superuser).patch("/api/v1/apis/a-api/", {"applications": ["app-b"]})
    assert response.status_code == 400
    assert "applications of its function" in response.json()["errors"]["applications"][0]
    assert API.objects.get(name="a-api").application_names() == ["app-a"]


def test_a_second_application_on_a_one_kind_is_refused_on_update(people, client_for, nothing_written):
    response = client_for(people.superuser).patch(
        "/api/v1/secrets/a-secret/", {"applications": ["app-a", "app-b"]}
    )
    assert response.status_code == 400
    assert "one application only" in response.json()["errors"]["applications"][0]


def test_the_reference_rule_is_a_400_naming_both_entities(people, client_for, nothing_written):
    response = client_for(people.superuser).post(
        "/api/v1/functions/", {"name": "fn", "image": "a-image", "applications": ["app-b"]}
    )
    assert response.status_code == 400
    [message] = response.json()["errors"]["image"]
    assert (
        "Function 'fn' (in application 'app-b') cannot use image 'a-image' (in application 'app-a')"
        in message
    )


def test_a_wrong_type_on_update_writes_nothing(people, client_for, nothing_written):
    response = client_for(people.developer_a).patch("/api/v1/functions/a-function/", {"timeout": [1]})
    assert response.status_code == 400
    assert Function.objects.get(name="a-function").timeout == 0


def test_unknown_fields_are_refused_on_update_too(people, client_for, nothing_written):
    response = client_for(people.developer_a).patch("/api/v1/secrets/a-secret/", {"valeus": {"a": "b"}})
    assert response.status_code == 400
    assert response.json()["errors"] == {"valeus": ["Unknown field: a secret has no field 'valeus'."]}


def test_shown_read_only_fields_are_ignored_so_a_get_body_can_be_put_back(people, scene, client_for):
    client = client_for(people.developer_a)
    body = client.get("/api/v1/functions/a-function/").json()
    body["handler"] = "other.handle"
    body["id"] = "00000000-0000-0000-0000-000000000000"
    response = client.put("/api/v1/functions/a-function/", body)
    assert response.status_code == 200, response.json()
    assert response.json()["handler"] == "other.handle"
    assert response.json()["id"] == str(scene.a["function"].id)
    assert response.json()["revision"] == 2


def test_secret_values_are_never_stored_in_clear_through_the_api(people, client_for, nothing_written):
    f.SecretFactory  # noqa: B018 - the scene made the secrets; this checks the column of one of them
    assert "OpenSesame" not in Secret.objects.get(name="a-secret").encrypted_values

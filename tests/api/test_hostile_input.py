"""Hostile input to the API (issue 11, items 5 and 7): each is a 400 in the one error shape, and nothing
is written. Deep JSON on every endpoint that reads a body, numbers JSON cannot hold, query flags and
revisions that do not parse, names with a trailing newline."""

import pytest

from applications.models import Application
from entities import models as m
from entities.kinds import KINDS, get_kind
from tests.api.test_errors import assert_error
from tests.hostile import deep_list, deep_object, snapshot

EDITABLE = [kind for kind in KINDS if kind.name != "run"]

# (method, url) of every endpoint that reads a JSON body; names from the api scene (tests/api/conftest.py)
BODY_ENDPOINTS = [
    *[("post", f"/api/v1/{kind.plural}/") for kind in EDITABLE],
    *[
        (method, f"/api/v1/{kind.plural}/{name}/")
        for kind, name in [
            (KINDS[0], "python3-base"),
            *[
                (k, "a-" + {"event-driver": "driver"}.get(k.name, k.name))
                for k in EDITABLE
                if not k.is_system
            ],
            (get_kind("event-driver-type"), "timer"),
        ]
        for method in ("put", "patch")
    ],
    ("post", "/api/v1/applications/"),
    ("put", "/api/v1/applications/app-a/"),
    ("patch", "/api/v1/applications/app-a/"),
    ("post", "/api/v1/applications/app-a/members/"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/bundles/"),
    ("delete", "/api/v1/bundles/"),
]


@pytest.mark.parametrize("body", [deep_list(1_000), deep_object(1_000), deep_list(100_000)], ids=len)
@pytest.mark.parametrize(("method", "url"), BODY_ENDPOINTS)
def test_json_nested_a_thousand_levels_deep_is_a_400_on_every_endpoint(
    people, scene, client_for, method, url, body
):
    before = snapshot()
    response = getattr(client_for(people.superuser), method)(url, body, content_type="application/json")
    error = assert_error(response, 400)
    assert error["message"] == "The JSON is nested more than 100 levels deep; flatten it."
    assert error["errors"] == {"non_field_errors": [error["message"]]}
    assert snapshot() == before


def test_nesting_inside_a_json_field_is_refused_before_it_is_decoded(people, scene, client_for):
    before = snapshot()
    body = '{"schema_in": ' + deep_object(400) + "}"
    response = client_for(people.developer_a).patch(
        "/api/v1/functions/a-function/", body, content_type="application/json"
    )
    assert assert_error(response, 400)["message"].startswith("The JSON is nested more than 100 levels")
    assert snapshot() == before


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_numbers_json_cannot_hold_are_a_400(people, scene, client_for, number):
    before = snapshot()
    response = client_for(people.developer_a).patch(
        "/api/v1/functions/a-function/",
        '{"schema_in": {"x": ' + number + "}}",
        content_type="application/json",
    )
    message = assert_error(response, 400)["message"]
    assert number.lstrip("-") in message and "finite number" in message
    assert snapshot() == before


def test_a_body_larger_than_allowed_is_a_413(people, scene, client_for, settings):
    settings.DISPATCH_MAX_BODY_BYTES = 1_000
    before = snapshot()
    body = '{"name": "big", "applications": ["app-a"], "values": {"a": "' + "x" * 1_000 + '"}}'
    response = client_for(people.developer_a).post("/api/v1/secrets/", body, content_type="application/json")
    assert (
        assert_error(response, 413)["message"] == "The body is larger than 1,000 bytes; send less at a time."
    )
    assert snapshot() == before


# --- query flags and revisions --------------------------------------------------------------------

BAD_FLAGS = ["ture", "", "on", "2", "yes please", "%C2%B2"]


@pytest.mark.parametrize("value", BAD_FLAGS)
def test_an_unknown_dry_run_value_on_a_bundle_delete_is_a_400_and_deletes_nothing(
    people, scene, client_for, value
):
    before = snapshot()
    response = client_for(people.developer_a).delete(
        f"/api/v1/bundles/?dry_run={value}",
        '[{"kind": "Secret", "name": "a-secret"}]',
        content_type="application/json",
    )
    error = assert_error(response, 400)
    assert list(error["errors"]) == ["dry_run"] and error["message"].startswith(
        "'dry_run' must be true or false"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url", "flag"),
    [
        ("post", "/api/v1/bundles/?dry_run=ture", "dry_run"),
        ("delete", "/api/v1/applications/app-a/?dry_run=ture", "dry_run"),
        ("get", "/api/v1/secrets/a-secret/?reveal=ture", "reveal"),
        ("get", "/api/v1/secrets/?reveal=ture", "reveal"),
        ("get", "/api/v1/applications/app-a/export/?include_secret_values=ture", "include_secret_values"),
        ("get", "/api/v1/functions/?unassigned=ture", "unassigned"),
        ("get", "/api/v1/entities/?unassigned=ture", "unassigned"),
        ("get", "/api/v1/apis/?enabled=ture", "enabled"),
        ("get", "/api/v1/subscriptions/?unassigned=%25s%25d%14", "unassigned"),
    ],
)
def test_every_boolean_flag_refuses_a_value_it_does_not_know(people, scene, client_for, method, url, flag):
    before = snapshot()
    body = '[{"kind": "Secret", "name": "new-one"}]' if method == "post" else None
    response = getattr(client_for(people.admin_a), method)(url, body, content_type="application/json")
    assert flag in assert_error(response, 400)["errors"]
    assert snapshot() == before


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "0", "false", "no"])
def test_the_known_flag_values_are_accepted(people, scene, client_for, value):
    response = client_for(people.admin_a).delete(f"/api/v1/applications/app-a/?dry_run={value}")
    assert response.status_code == 200
    dry_run = value.lower() in {"1", "true", "yes"}
    assert response.json()["dry_run"] is dry_run
    assert Application.objects.filter(name="app-a").exists() is dry_run


@pytest.mark.parametrize("revision", ["abc", "%C2%B2", "%D9%A3", "1.0", "-1", "1e3", "", "9" * 30])
def test_a_revision_that_is_not_an_ascii_whole_number_is_a_400(people, scene, client_for, revision):
    before = snapshot()
    response = client_for(people.developer_a).delete(f"/api/v1/functions/a-function/?revision={revision}")
    assert list(assert_error(response, 400)["errors"]) == ["revision"]
    assert snapshot() == before


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hello-py\n", "hello-py\r\n", " hello-py", "hello-py ", "hello-py\t"])
def test_a_name_with_surrounding_whitespace_is_refused_not_trimmed(people, scene, client_for, name):
    before = snapshot()
    response = client_for(people.developer_a).post(
        "/api/v1/secrets/", {"name": name, "applications": ["app-a"]}
    )
    assert list(assert_error(response, 400)["errors"]) == ["name"]
    assert snapshot() == before
    assert not m.Secret.objects.filter(name__startswith="hello").exists()


def test_an_event_type_with_a_trailing_newline_is_refused(people, scene, client_for):
    before = snapshot()
    response = client_for(people.developer_a).patch(
        "/api/v1/subscriptions/a-subscription/", {"event_type": "ticker.tick\n"}
    )
    assert list(assert_error(response, 400)["errors"]) == ["event_type"]
    assert snapshot() == before


def test_an_application_name_with_a_trailing_newline_is_refused(people, scene, client_for):
    before = snapshot()
    client = client_for(people.superuser)
    response = client.post("/api/v1/applications/", {"name": "hello-app\n"})
    assert list(assert_error(response, 400)["errors"]) == ["name"]
    response = client.patch("/api/v1/applications/app-a/", {"name": "app-c\n"})
    assert list(assert_error(response, 400)["errors"]) == ["name"]
    assert snapshot() == before


def test_an_application_named_with_a_trailing_newline_is_not_the_application(people, scene, client_for):
    before = snapshot()
    response = client_for(people.developer_a).post(
        "/api/v1/secrets/", {"name": "s", "applications": ["app-a\n"]}
    )
    assert list(assert_error(response, 400)["errors"]) == ["applications"]
    assert snapshot() == before


def test_a_body_with_more_values_than_allowed_is_a_400_before_it_is_decoded(people, scene, client_for):
    before = snapshot()
    body = '{"name": "x", "schema_in": {"enum": [' + ",".join(["[[1]]"] * 20_000) + "]}}"
    response = client_for(people.developer_a).post(
        "/api/v1/functions/", body, content_type="application/json"
    )
    assert (
        assert_error(response, 400)["message"] == "The JSON has more than 50,000 values; send less at a time."
    )
    assert snapshot() == before

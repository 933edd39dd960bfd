"""Hostile bundles (issue 11, items 1, 2, 5 and 7): alias bombs, huge and deep documents, numbers JSON
cannot hold, secret values guessed one request at a time, names with a trailing newline. Each is
refused in the API's error shape, before anything walks the document, and nothing is written."""

import json

import pytest
from rest_framework.test import APIClient

from dispatch_cli import bounded_yaml
from dispatch_site import parsing
from entities import bundles
from entities import models as m
from tests import factories as f
from tests.api.test_errors import assert_error
from tests.hostile import deep_list, snapshot

from .test_api import client_for, post_yaml


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """The reported one: 616 bytes that expand to 10⁹ values."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def secret_a(people):
    return f.SecretFactory(name="db", values={"password": "s3cret"}, applications=[people.app_a])


@pytest.fixture
def composed(monkeypatch):
    """How many YAML values the bounded composer counted, to show that it stopped early."""
    counted = []
    count = bounded_yaml._BoundedComposer._count

    def counting(self, size, height, mark):
        counted.append(size)
        return count(self, size, height, mark)

    monkeypatch.setattr(bounded_yaml._BoundedComposer, "_count", counting)
    return counted


@pytest.mark.parametrize("user", ["viewer_a", "developer_a", "outsider"])
@pytest.mark.parametrize("query", ["?dry_run=true", "?application=app-a", ""])
def test_an_alias_bomb_is_a_400_after_a_few_dozen_values(people, secret_a, composed, user, query):
    client = client_for(getattr(people, user))
    before = snapshot()
    response = post_yaml(client, alias_bomb(), query)
    error = assert_error(response, 400)
    assert error["message"] == (
        "The bundle has more than 50,000 YAML values (each alias counts as what it repeats); "
        "split it into several files."
    )
    assert len(composed) < 100  # l0's 12 values, then each level's key, list and aliases until 10⁵
    assert snapshot() == before


def test_an_alias_bomb_is_refused_by_delete_too(people, secret_a):
    client = client_for(people.viewer_a)
    before = snapshot()
    response = client.delete(
        "/api/v1/bundles/?dry_run=true", data=alias_bomb().encode(), content_type="application/yaml"
    )
    assert assert_error(response, 400)["message"].startswith("The bundle has more than 50,000 YAML values")
    assert snapshot() == before


def test_an_anonymous_bomb_is_a_401_and_is_never_parsed(people, monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("parsed before authentication")

    monkeypatch.setattr(parsing, "load_yaml_documents", parse)
    before = snapshot()
    response = APIClient().post(
        "/api/v1/bundles/", data=alias_bomb().encode(), content_type="application/yaml"
    )
    assert assert_error(response, 401)
    assert snapshot() == before


def test_a_20_mb_flat_yaml_is_a_413_before_it_is_parsed(people, monkeypatch):
    client = client_for(people.viewer_a)
    monkeypatch.setattr(parsing, "load_yaml_documents", lambda *a, **k: pytest.fail("parsed"))
    before = snapshot()
    flat = "".join(f"k{i}: v\n" for i in range(2_500_000)).encode()
    assert len(flat) > 20_000_000
    response = client.post("/api/v1/bundles/?dry_run=true", data=flat, content_type="application/yaml")
    assert (
        assert_error(response, 413)["message"]
        == "The body is larger than 10,000,000 bytes; send less at a time."
    )
    assert snapshot() == before


def test_a_large_flat_yaml_under_the_byte_cap_stops_at_the_value_cap(people, settings, composed):
    settings.DISPATCH_MAX_VALUES = 1_000
    client = client_for(people.viewer_a)
    before = snapshot()
    response = post_yaml(client, "".join(f"k{i}: v\n" for i in range(100_000)), "?dry_run=true")
    assert assert_error(response, 400)["message"].startswith("The bundle has more than 1,000 YAML values")
    assert len(composed) == 1_001  # the map, then a key and a value at a time until over the cap
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: " + "[" * 100_000, "The bundle is n"),  # libyaml's scanner may stop it first, at 1,000
        ("".join(" " * i + f"k{i}:\n" for i in range(150)), "The bundle is nested more than 100 levels deep"),
        ("a: " + "{b: " * 200 + "1" + "}" * 200, "The bundle is nested more than 100 levels deep (line 1)"),
        (
            "a: &a [1]\nb: " + "[" * 99 + "*a" + "]" * 99,  # an alias that reaches one level too far
            "The bundle is nested more than 100 levels deep (line 2); flatten it.",
        ),
        ("a: &a [*a]\n", "The alias *a (line 1) repeats the node that holds it"),
        (
            "kind: Secret\nname: s\nsecrets: {a: .nan}\n",
            "The bundle is not valid YAML at line 3: .nan is not a",
        ),
        (
            "kind: Secret\nname: s\nsecrets: {a: .inf}\n",
            "The bundle is not valid YAML at line 3: .inf is not a",
        ),
        (
            "kind: Secret\nname: s\nsecrets: {a: -.Inf}\n",
            "The bundle is not valid YAML at line 3: -.Inf is not",
        ),
        (
            "kind: Secret\nname: s\nsecrets: {a: " + "9" * 5000 + "}\n",
            "The bundle is not valid YAML at line 3",
        ),
        ("kind: Secret\nname: s\nsecrets: !!binary aGVsbG8=\n", "The bundle is not valid YAML at line 3"),
        ("kind: Secret\nname: s\nsecrets: !!set {a}\n", "The bundle is not valid YAML at line 3"),
    ],
)
def test_deep_recursive_or_non_json_yaml_is_a_400(people, secret_a, text, message):
    client = client_for(people.developer_a)
    before = snapshot()
    response = post_yaml(client, text, "?application=app-a")
    assert assert_error(response, 400)["message"].startswith(message)
    assert snapshot() == before


@pytest.mark.parametrize("body", [deep_list(1_000), deep_list(100_000), "[" + deep_list(150) + "]"])
def test_a_deep_json_bundle_is_a_400(people, secret_a, body):
    client = client_for(people.viewer_a)
    before = snapshot()
    for method in ("post", "delete"):
        response = getattr(client, method)("/api/v1/bundles/", data=body, content_type="application/json")
        assert (
            assert_error(response, 400)["message"]
            == "The JSON is nested more than 100 levels deep; flatten it."
        )
    assert snapshot() == before


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
def test_a_json_bundle_with_a_number_json_cannot_hold_is_a_400(people, number):
    client = client_for(people.developer_a)
    before = snapshot()
    body = '[{"kind": "Secret", "name": "s", "secrets": {"a": ' + number + "}}]"
    response = client.post("/api/v1/bundles/?application=app-a", data=body, content_type="application/json")
    assert "finite number" in assert_error(response, 400)["message"]
    assert snapshot() == before


def test_timestamps_are_read_as_the_text_they_were_written_as(people):
    client = client_for(people.developer_a)
    response = post_yaml(
        client, "kind: Secret\nname: s\nsecrets: {since: 2024-01-31}\n", "?application=app-a"
    )
    assert response.status_code == 200, response.json()
    assert m.Secret.objects.get(name="s").values == {"since": "2024-01-31"}


# --- the secret-value oracle -----------------------------------------------------------------------


def secret_document(password: str) -> str:
    tags = "tags: [{key: Application, value: app-a}]"
    return f"kind: Secret\nname: db\nsecrets: {{password: {password}}}\n{tags}\n"


@pytest.mark.parametrize("query", ["", "?dry_run=true"])
def test_a_viewer_gets_the_same_answer_for_the_right_and_a_wrong_secret_value(people, secret_a, query):
    client = client_for(people.viewer_a)
    before = snapshot()
    right = post_yaml(client, secret_document("s3cret"), query)
    wrong = post_yaml(client, secret_document("guess"), query)
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json())
    assert right.status_code == right.json()["code"] == 403
    assert snapshot() == before
    secret_a.refresh_from_db()
    assert secret_a.values == {"password": "s3cret"}


def test_an_unassigned_secret_cannot_be_guessed_by_any_signed_in_user(people):
    secret = f.SecretFactory(name="loose", values={"token": "abc"})
    client = client_for(people.outsider)
    before = snapshot()
    answers = [
        post_yaml(client, f"kind: Secret\nname: loose\nsecrets: {{token: {value}}}\n", "?dry_run=true")
        for value in ("abc", "xyz")
    ]
    assert answers[0].status_code == answers[1].status_code == 403
    assert answers[0].json() == answers[1].json()
    assert snapshot() == before
    secret.refresh_from_db()
    assert secret.revision == 1


def test_a_viewer_deleting_by_bundle_gets_the_same_refusal_whatever_the_values(people, secret_a):
    client = client_for(people.viewer_a)
    before = snapshot()
    answers = [
        client.delete(
            "/api/v1/bundles/", data=secret_document(value).encode(), content_type="application/yaml"
        )
        for value in ("s3cret", "guess")
    ]
    assert answers[0].status_code == answers[1].status_code == 403
    assert answers[0].json() == answers[1].json()
    assert snapshot() == before


def test_those_who_may_read_the_values_still_get_unchanged(people, secret_a):
    client = client_for(people.developer_a)
    before = snapshot()
    response = post_yaml(client, secret_document("s3cret"))
    assert response.json()["counts"] == {"unchanged": 1}
    assert snapshot() == before


def test_a_viewer_reimporting_a_secret_without_values_gets_unchanged(people, secret_a):
    response = post_yaml(
        client_for(people.viewer_a), "kind: Secret\nname: db\ntags: [{key: Application, value: app-a}]\n"
    )
    assert response.json()["counts"] == {"unchanged": 1}


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"kind": "Secret", "name": "hello-py\n"}, "name"),
        ({"kind": "Application", "name": "hello-app\n"}, "name"),
        (
            {"kind": "Subscription", "name": "sub", "function": "fn", "eventType": "ticker.tick\n"},
            "eventType",
        ),
        ({"kind": "Secret", "name": "s", "tags": [{"key": "Application", "value": "app-a\n"}]}, "tags"),
    ],
)
def test_a_name_with_a_trailing_newline_is_refused_in_yaml_and_json_bundles(people, document, field):
    fn = f.FunctionFactory(name="fn", applications=[people.app_a])
    assert fn
    client = client_for(people.superuser)
    before = snapshot()
    as_yaml = bundles.dump([document])
    for response in (
        post_yaml(client, as_yaml, "?application=app-a"),
        client.post(
            "/api/v1/bundles/?application=app-a", json.dumps([document]), content_type="application/json"
        ),
    ):
        assert list(assert_error_with_document(response)["errors"]) == [field]
    assert snapshot() == before


def assert_error_with_document(response):
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "errors", "document"}
    return body

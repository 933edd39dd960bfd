"""Hostile input to the admin (issue 11, items 5 and 7): every JSON field reads its text with the API's
bounds, and names are taken as typed. A refusal is an error on the form; nothing is written."""

import pytest

from applications.models import Application
from entities import models as m
from tests import factories as f
from tests.hostile import deep_list, deep_object, snapshot

from .conftest import admin_url
from .test_entity_admin import function_form


def form_errors(response, field) -> str:
    return " ".join(response.context["adminform"].form.errors.get(field, []))


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("schema_in", '{"x": NaN}', "NaN, which is not a number JSON allows"),
        ("schema_out", '{"x": "\\u0000"}', "Text cannot hold the NUL character"),
        ("schema_in", '{"x": 1e999}', "too large a number"),
    ],
)
def test_json_the_database_cannot_store_is_an_error_on_the_admin_form(root, people, field, text, message):
    image = f.ImageFactory(applications=[people.app_a])
    before = snapshot()
    response = root.post(
        admin_url(m.Function, "add"), function_form(image, applications=["app-a"], **{field: text})
    )
    assert response.status_code == 200
    assert message in form_errors(response, field)
    assert snapshot() == before


def test_a_reason_nested_too_deep_is_an_error_on_the_admin_form(root, people):
    """The reason is on the form only when there is one (an entity in ERROR), so that is where it is tried."""
    function = f.FunctionFactory(
        status="ERROR",
        reason=["the image is gone"],
        applications=[people.app_a],
        image__applications=[people.app_a],
    )
    before = snapshot()
    data = function_form(
        function.image,
        name=function.name,
        status="ERROR",
        reason=deep_list(100_000),
        applications="app-a",
        expected_revision=str(function.revision),
    )
    response = root.post(admin_url(m.Function, "change", function.pk), data)
    assert response.status_code == 200
    assert "nested more than 100 levels deep" in form_errors(response, "reason")
    assert snapshot() == before


def test_api_uris_with_infinity_are_refused_in_the_admin(root, people):
    api = f.APIFactory(applications=[people.app_a], function__applications=[people.app_a])
    before = snapshot()
    data = {
        "name": api.name,
        "status": "READY",
        "reason": "[]",
        "function": str(api.function.pk),
        "methods": '["GET"]',
        "protocols": '["https"]',
        "uris": "[Infinity]",
        "hosts": "[]",
        "authentication": "public",
        "tags": "",
        "applications": ["app-a"],
        "expected_revision": str(api.revision),
    }
    response = root.post(admin_url(m.API, "change", api.pk), data)
    assert response.status_code == 200
    assert "Infinity" in form_errors(response, "uris")
    assert snapshot() == before


def test_deep_json_secret_values_are_refused_in_the_admin(root, people):
    secret = f.SecretFactory(name="db", applications=[people.app_a])
    before = snapshot()
    data = {"name": "db", "applications": ["app-a"], "new_values": deep_object(5_000), "tags": ""}
    response = root.post(admin_url(m.Secret, "change", secret.pk), {**data, "expected_revision": "1"})
    assert response.status_code == 200
    assert "not a valid JSON object" in form_errors(response, "new_values")
    assert snapshot() == before


@pytest.mark.parametrize("name", ["hello\n", "hello ", "\thello"])
def test_a_name_with_surrounding_whitespace_is_refused_in_the_admin(root, people, name):
    image = f.ImageFactory(applications=[people.app_a])
    before = snapshot()
    response = root.post(
        admin_url(m.Function, "add"), function_form(image, applications=["app-a"], name=name)
    )
    assert response.status_code == 200
    assert "Use letters, digits" in form_errors(response, "name")
    response = root.post(admin_url(Application, "add"), {"name": "hello-app\n", "status": "READY"})
    assert response.status_code == 200
    assert form_errors(response, "name")
    assert snapshot() == before

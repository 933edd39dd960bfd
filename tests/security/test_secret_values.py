"""A secret's values never leave the server by default: not in the logs (even at DEBUG, SQL included,
through creates, updates, reveals and failing requests), not in the HTML of the pages or the admin, not
in API lists, details or exports. Only an explicit reveal (`?reveal=`), or the edit form, shows them, to
those who may reveal them, and never cached."""

import logging
import secrets

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from entities import services
from entities.models import Secret
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def value():
    return "clear-" + secrets.token_hex(12)


@pytest.fixture
def secret(people, value):
    return f.SecretFactory(name="vault", values={"password": value}, applications=[people.app_a])


@pytest.fixture
def every_log_line(caplog):
    """Every logger at DEBUG, and the SQL too (Django logs queries only with a debug cursor)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django's own default stops at INFO
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


def test_values_stay_out_of_the_logs_through_create_update_reveal_and_failures(
    people, value, every_log_line, monkeypatch
):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(people.developer_a)
    body = {"name": "vault", "applications": ["app-a"], "values": {"password": value}}
    assert api.post("/api/v1/secrets/", body, format="json").status_code == 201
    assert api.patch("/api/v1/secrets/vault/", {"values": {"password": value + "2"}}).status_code == 200
    assert value in api.get("/api/v1/secrets/vault/?reveal=true").content.decode()
    assert api.post("/api/v1/secrets/", {**body, "name": "Not A Name!"}, format="json").status_code == 400
    assert api.patch("/api/v1/secrets/vault/", {"values": {"p": value}, "revision": 1}).status_code == 409
    pages = Client()
    pages.force_login(people.developer_a)
    assert value in pages.get("/secrets/vault/?reveal=1").content.decode()
    edit = {"name": "vault", "applications": "app-a", "values-key": "password", "values-value": value + "3"}
    assert pages.post("/secrets/vault/edit/", edit).status_code == 302

    def broken_save(kind, entity):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_save", broken_save)
    assert api.patch("/api/v1/secrets/vault/", {"values": {"password": value}}).status_code == 500

    logged = every_log_line.text
    assert "the database went away" in logged and "INSERT INTO" in logged  # the capture works
    assert value not in logged


def test_the_column_holds_no_clear_text(secret, value):
    stored = Secret.objects.filter(pk=secret.pk).values_list("encrypted_values", flat=True).get()
    assert value not in str(stored)


@pytest.mark.parametrize(
    "url",
    [
        "/secrets/",
        "/secrets/?application=app-a",
        "/secrets/vault/",
        "/applications/app-a/",
        "/admin/entities/secret/",
        "/admin/entities/secret/{pk}/change/",
    ],
)
def test_pages_and_admin_do_not_show_values_unless_revealed(url, secret, value, people, client):
    client.force_login(people.superuser)
    response = client.get(url.format(pk=secret.pk))
    assert response.status_code == 200
    assert value not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/secrets/",
        "/api/v1/secrets/vault/",
        "/api/v1/entities/",
        "/api/v1/entities/?kind=secret",
        "/api/v1/applications/app-a/entities/",
        "/api/v1/applications/app-a/export/",
        "/api/v1/applications/app-a/export/?format=json",
    ],
)
def test_api_lists_details_and_exports_do_not_carry_values_by_default(url, secret, value, people):
    api = APIClient()
    api.force_authenticate(people.admin_a)
    response = api.get(url)
    assert response.status_code == 200
    assert value not in response.content.decode()
    assert "vault" in response.content.decode()


def test_only_an_explicit_reveal_or_the_never_cached_edit_form_shows_them(secret, value, people, client):
    client.force_login(people.developer_a)
    revealed = client.get("/secrets/vault/?reveal=1")
    assert value in revealed.content.decode() and revealed["Cache-Control"] == "no-store"
    edit = client.get("/secrets/vault/edit/")
    assert value in edit.content.decode() and edit["Cache-Control"] == "no-store"
    client.force_login(people.viewer_a)
    assert value not in client.get("/secrets/vault/?reveal=1").content.decode()
    assert client.get("/secrets/vault/edit/").status_code == 403


@pytest.mark.parametrize("role, shown", [("developer_a", True), ("viewer_a", False), ("member_b", False)])
def test_an_api_list_shows_values_only_when_asked_and_only_to_who_may_reveal_them(
    role, shown, secret, value, people
):
    api = APIClient()
    api.force_authenticate(getattr(people, role))
    assert (value in api.get("/api/v1/secrets/?reveal=true").content.decode()) is shown

"""Secret values never reach admin HTML; they are replaced through a write-only field."""

import pytest
from django.contrib.admin.models import LogEntry

from entities import models as m
from tests import factories as f

from .conftest import admin_url

pytestmark = pytest.mark.django_db

VALUE = "OpenSesame-7f3a"


@pytest.fixture
def secret(people):
    secret = f.SecretFactory(name="db-password", applications=[people.app_a], values={"password": VALUE})
    secret.tags.add("role=test")
    return secret


def secret_form(**overrides) -> dict:
    data = {"name": "db-password", "status": "READY", "reason": "[]", "tags": "", "applications": ["app-a"]}
    data.update(overrides)
    return data


def test_no_secret_value_appears_in_any_admin_page(root, people, secret):
    function = f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    function.secrets.add(secret)
    driver = f.EventDriverFactory(applications=[people.app_a])
    driver.secrets.add(secret)
    root.post(admin_url(m.Secret, "change", secret.pk), secret_form(tags="role=prod"))  # a history entry
    urls = [
        "/admin/",
        admin_url(m.Function, "change", function.pk),
        admin_url(m.EventDriver, "change", driver.pk),
        admin_url(m.Secret),
        admin_url(m.Secret) + "?q=db",
        admin_url(m.Secret) + "?application=app-a",
        admin_url(m.Secret, "change", secret.pk),
        admin_url(m.Secret, "history", secret.pk),
        admin_url(m.Secret, "delete", secret.pk),
        admin_url(m.Secret, "add"),
        "/admin/autocomplete/?app_label=entities&model_name=function&field_name=secrets&term=db",
    ]
    for url in urls:
        response = root.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert VALUE not in html, url
        assert secret.encrypted_values not in html, url  # not even the ciphertext


def test_the_keys_are_shown_but_not_the_values(root, people, secret):
    f.SecretFactory(name="second", values={"user": "u", "token": "t"})
    change = root.get(admin_url(m.Secret, "change", secret.pk)).content.decode()
    assert '<div class="readonly">password</div>' in change
    listing = root.get(admin_url(m.Secret)).content.decode()
    assert '<td class="field-value_keys">token, user</td>' in listing


def test_the_values_field_is_never_pre_filled(root, people, secret):
    form = root.get(admin_url(m.Secret, "change", secret.pk)).context["adminform"].form
    assert form["new_values"].value() in (None, "")
    assert str(form["new_values"]).endswith("\n</textarea>")


def test_new_values_replace_all_values_through_the_services(root, people, secret):
    response = root.post(
        admin_url(m.Secret, "change", secret.pk),
        secret_form(new_values="user=admin\ntoken=abc=def\n", expected_revision="1"),
    )
    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.values == {"user": "admin", "token": "abc=def"}
    assert secret.revision == 2
    assert VALUE not in str(LogEntry.objects.get().change_message)


def test_values_may_be_given_as_a_json_object(root, people, secret):
    response = root.post(
        admin_url(m.Secret, "change", secret.pk), secret_form(new_values='{"api_key": "k-1"}')
    )
    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.values == {"api_key": "k-1"}


def test_leaving_the_values_empty_keeps_them(root, people, secret):
    response = root.post(
        admin_url(m.Secret, "change", secret.pk), secret_form(new_values="", tags="role=prod")
    )
    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.values == {"password": VALUE}


def test_bad_values_are_a_form_error_that_does_not_echo_what_was_typed(root, people, secret):
    typed = "password=NewSecret-99\nthis line has no equals sign"
    response = root.post(admin_url(m.Secret, "change", secret.pk), secret_form(new_values=typed))
    assert response.status_code == 200
    assert "Line 2 has no '='" in response.context["adminform"].form.errors["new_values"][0]
    html = response.content.decode()
    assert "NewSecret-99" not in html and VALUE not in html
    secret.refresh_from_db()
    assert secret.values == {"password": VALUE}


def test_an_invalid_key_refused_by_the_services_shows_on_the_values_field(root, people, secret):
    response = root.post(
        admin_url(m.Secret, "change", secret.pk), secret_form(new_values="bad key!=NewSecret-99")
    )
    assert response.status_code == 200
    assert "Secret key 'bad key!' is invalid" in response.context["adminform"].form.errors["new_values"][0]
    assert "NewSecret-99" not in response.content.decode()


def test_a_secret_made_in_the_admin_stores_its_values_encrypted(root, people):
    response = root.post(admin_url(m.Secret, "add"), secret_form(name="api-key", new_values="key=k-42"))
    assert response.status_code == 302
    secret = m.Secret.objects.get(name="api-key")
    assert secret.values == {"key": "k-42"}
    assert "k-42" not in secret.encrypted_values

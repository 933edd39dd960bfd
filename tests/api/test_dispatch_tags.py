"""Writes take `applications: [...]` and Dispatch's `tags: [{"key": "Application", "value": "x"}]`."""

import pytest

from entities.models import Secret


@pytest.mark.parametrize("key", ["Application", "application", "APP", "app"])
def test_an_application_key_in_tags_names_the_application(people, client_for, key):
    response = client_for(people.developer_a).post(
        "/api/v1/secrets/",
        {"name": "s", "tags": [{"key": key, "value": "app-a"}, {"key": "role", "value": "test"}]},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["applications"] == ["app-a"]
    assert response.json()["tags"] == ["role=test"]


def test_both_forms_and_plain_strings_mix(people, client_for):
    response = client_for(people.developer_a).post(
        "/api/v1/secrets/",
        {
            "name": "s",
            "applications": ["app-a"],
            "tags": ["plain", {"key": "Application", "value": "app-a"}, {"key": "flag"}],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["applications"] == ["app-a"] and response.json()["tags"] == ["flag", "plain"]


def test_the_tags_form_moves_an_entity_and_obeys_the_scope(people, scene, client_for):
    client = client_for(people.superuser)
    response = client.patch("/api/v1/secrets/a-secret/", {"tags": [{"key": "Application", "value": "app-b"}]})
    assert response.status_code == 400  # a-secret is used by a-function in app-a
    response = client.post(
        "/api/v1/secrets/",
        {"name": "s", "tags": [{"key": "Application", "value": "app-a"}, {"key": "app", "value": "app-b"}]},
    )
    assert response.status_code == 400 and "one application only" in response.json()["message"]
    assert not Secret.objects.filter(name="s").exists()
    response = client.post(
        "/api/v1/secrets/", {"name": "s", "tags": [{"key": "Application", "value": "nope"}]}
    )
    assert response.status_code == 400 and "applications" in response.json()["errors"]

"""Secrets show their keys; their values only with ?reveal=true, to developers and admins of their app."""

import pytest

from applications import access
from entities.models import Secret


def test_a_secret_shows_its_keys_only(people, scene, client_for):
    body = client_for(people.developer_a).get("/api/v1/secrets/a-secret/").json()
    assert body["keys"] == ["password"]
    assert "values" not in body
    listed = client_for(people.developer_a).get("/api/v1/secrets/").json()["results"][0]
    assert "values" not in listed and "OpenSesame" not in str(listed)


@pytest.mark.parametrize("who", ["developer_a", "admin_a", "group_member_a", "staff", "superuser"])
def test_developers_and_admins_reveal_the_values(people, scene, client_for, who):
    response = client_for(getattr(people, who)).get("/api/v1/secrets/a-secret/?reveal=true")
    assert response.status_code == 200
    assert response.json()["values"] == {"password": "OpenSesame"}


def test_a_viewer_may_not_reveal_them(people, scene, client_for):
    response = client_for(people.viewer_a).get("/api/v1/secrets/a-secret/?reveal=true")
    assert response.status_code == 403
    assert "OpenSesame" not in str(response.json())


def test_a_list_reveals_exactly_what_the_gate_allows(people, scene, client_for):
    for who in (
        "admin_a",
        "developer_a",
        "viewer_a",
        "member_b",
        "group_member_a",
        "outsider",
        "staff",
        "superuser",
    ):
        user = getattr(people, who)
        body = client_for(user).get("/api/v1/entities/?kind=secret&reveal=true").json()
        revealed = {item["name"] for item in body["results"] if "values" in item}
        allowed = {
            s.name
            for s in Secret.objects.all()
            if access.may_view(user, s) and access.may_reveal_secret(user, s)
        }
        assert revealed == allowed, who
        body = client_for(user).get("/api/v1/secrets/?reveal=1").json()
        assert {item["name"] for item in body["results"] if "values" in item} == allowed, who


def test_values_are_written_in_full_and_read_back(people, scene, client_for):
    client = client_for(people.developer_a)
    response = client.patch("/api/v1/secrets/a-secret/?reveal=true", {"values": {"token": "abc"}})
    assert response.status_code == 200
    assert response.json()["keys"] == ["token"] and response.json()["values"] == {"token": "abc"}
    assert "abc" not in Secret.objects.get(name="a-secret").encrypted_values

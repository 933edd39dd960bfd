"""Who may call the API: tokens (Token or Bearer), sessions, and nobody else."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from applications import tokens
from applications.models import APIToken


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/functions/", "/api/v1/entities/", "/api/v1/applications/app-a/"]
)
def test_anonymous_calls_get_a_401_in_the_error_shape(people, path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["code"] == 401 and body["errors"] == {}
    assert "Token" in body["message"]


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token", "bearer"])
def test_a_token_signs_the_caller_in(people, keyword):
    _, key = tokens.token_create(user=people.developer_a, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    response = client.get("/api/v1/applications/")
    assert response.status_code == 200
    assert [app["name"] for app in response.json()["results"]] == ["app-a"]


@pytest.mark.parametrize("header", ["Token dsp_unknown", "Token", "Token a b", "Bearer nope"])
def test_a_wrong_token_is_a_401(people, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401
    assert response.json()["code"] == 401


def test_a_revoked_token_no_longer_works(people):
    token, key = tokens.token_create(user=people.developer_a, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/functions/").status_code == 200
    tokens.token_revoke(token=token, user=people.developer_a)
    response = client.get("/api/v1/functions/")
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


def test_a_token_of_an_inactive_user_is_refused(people):
    _, key = tokens.token_create(user=people.developer_a, name="script")
    people.developer_a.is_active = False
    people.developer_a.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/functions/").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/auth/token/"])
def test_username_and_password_make_a_token_shown_once(people, path):
    response = APIClient().post(
        path, {"username": "developer_a", "password": "correct horse battery staple", "name": "ci"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    key = body["token"]
    assert key.startswith("dsp_") and body["name"] == "ci" and body["prefix"] == key[:10]
    stored = APIToken.objects.get(user=people.developer_a)
    assert key not in stored.key_hash
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/applications/app-a/").status_code == 200
    listed = client.get("/api/v1/auth/tokens/").json()
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]


def test_a_wrong_password_makes_no_token(people):
    response = APIClient().post("/api/v1/auth/token", {"username": "developer_a", "password": "guess"})
    assert response.status_code == 401
    assert response.json()["message"] == "Wrong username or password."
    assert not APIToken.objects.exists()


def test_a_token_request_needs_username_and_password(people):
    response = APIClient().post("/api/v1/auth/token", {"username": "developer_a"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["This field is required."]}


def test_token_requests_are_throttled(people, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", "2/minute")
    client = APIClient()
    for _ in range(2):
        assert client.post("/api/v1/auth/token", {"username": "x", "password": "y"}).status_code == 401
    response = client.post("/api/v1/auth/token", {"username": "x", "password": "y"})
    assert response.status_code == 429
    assert response.json()["code"] == 429 and "Retry-After" in response


def test_a_user_may_hold_several_tokens_and_revoke_one(people, client_for):
    first, _ = tokens.token_create(user=people.developer_a, name="laptop")
    tokens.token_create(user=people.developer_a, name="ci")
    tokens.token_create(user=people.member_b, name="other")
    client = client_for(people.developer_a)
    assert sorted(t["name"] for t in client.get("/api/v1/auth/tokens/").json()) == ["ci", "laptop"]
    assert client.delete(f"/api/v1/auth/tokens/{first.pk}/").status_code == 204
    assert [t["name"] for t in client.get("/api/v1/auth/tokens/").json()] == ["ci"]
    other = APIToken.objects.get(name="other")
    assert client.delete(f"/api/v1/auth/tokens/{other.pk}/").status_code == 404


def test_a_session_signs_the_browser_in_and_writes_need_csrf(people):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.developer_a)
    assert client.get("/api/v1/applications/").status_code == 200
    response = client.post("/api/v1/secrets/", {"name": "s", "applications": ["app-a"]})
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]

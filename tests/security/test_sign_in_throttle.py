"""Sign-in is throttled: too many failures for one username, or from one address, within the window get a
429 that says how long to wait, on the pages, the admin and the API's token endpoint; even the right
password waits. The token endpoint is also throttled per address by DRF (30 a minute)."""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
SIGN_IN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def api_client():
    return APIClient(REMOTE_ADDR="10.0.0.1")


def sign_in(url, username, password, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": password})


@pytest.fixture
def limits(settings):
    settings.DISPATCH_SIGN_IN_FAILURES = 3
    settings.DISPATCH_SIGN_IN_ADDRESS_FAILURES = 6
    settings.DISPATCH_SIGN_IN_WINDOW = 600
    return settings


@pytest.mark.parametrize("url", SIGN_IN_PAGES)
def test_a_username_with_too_many_failures_is_refused_with_429_even_with_the_right_password(
    url, people, limits
):
    for _ in range(3):
        assert sign_in(url, "staff", "wrong").status_code == 200  # the form again, with its error
    response = sign_in(url, "staff", PASSWORD, address="10.0.0.2")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 10 minutes." in response.content.decode()
    assert 590 <= int(response["Retry-After"]) <= 600
    assert "_auth_user_id" not in response.client.session


@pytest.mark.parametrize("url", SIGN_IN_PAGES)
def test_an_address_with_too_many_failures_is_refused_for_every_username(url, people, limits):
    for username in ["a", "b", "c", "d", "e", "f"]:
        sign_in(url, username, "wrong")
    assert sign_in(url, "staff", PASSWORD).status_code == 429
    assert sign_in(url, "staff", PASSWORD, address="10.0.0.9").status_code == 302


def test_failures_below_the_limit_do_not_stop_the_right_password_which_clears_them(people, limits):
    for _ in range(2):
        sign_in("/accounts/login/", "developer_a", "wrong")
    assert sign_in("/accounts/login/", "developer_a", PASSWORD).status_code == 302
    for _ in range(2):
        sign_in("/accounts/login/", "developer_a", "wrong")
    assert sign_in("/accounts/login/", "developer_a", PASSWORD).status_code == 302


def test_the_block_ends_with_the_window(people, limits, monkeypatch):
    for _ in range(3):
        sign_in("/accounts/login/", "developer_a", "wrong")
    assert sign_in("/accounts/login/", "developer_a", PASSWORD).status_code == 429
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    assert sign_in("/accounts/login/", "developer_a", PASSWORD).status_code == 302


def test_failures_on_one_surface_count_on_the_others(people, limits, api_client):
    sign_in("/admin/login/", "developer_a", "wrong")
    sign_in("/accounts/login/", "developer_a", "wrong")
    api_client.post("/api/v1/auth/token", {"username": "developer_a", "password": "wrong", "name": "x"})
    response = api_client.post(
        "/api/v1/auth/token", {"username": "developer_a", "password": PASSWORD, "name": "x"}
    )
    assert response.status_code == 429
    assert response.json()["message"].startswith("Too many failed sign-in attempts. Try again in 10 minutes.")
    assert not people.developer_a.api_tokens.exists()


def test_the_token_endpoint_answers_429_after_30_requests_a_minute_from_one_address(
    people, api_client, settings
):
    settings.DISPATCH_SIGN_IN_ADDRESS_FAILURES = 100  # so that DRF's rate is what refuses
    statuses = [
        api_client.post(
            "/api/v1/auth/token", {"username": f"nobody-{i}", "password": "x", "name": "x"}
        ).status_code
        for i in range(31)
    ]
    assert statuses == [401] * 30 + [429]
    response = api_client.post(
        "/api/v1/auth/token", {"username": "developer_a", "password": PASSWORD, "name": "x"}
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0

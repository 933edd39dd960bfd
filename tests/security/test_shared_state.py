"""What every worker must agree on is kept where every worker reads it: a sign-out ends the session for
all of them, and failed sign-ins and the API's throttle are counted once for all of them and survive a
restart. A forged X-Forwarded-For gets nobody a fresh count.

A second worker is simulated in this process: its memory is a copy of this process's local caches as
they were before the sign-out; a restart empties them."""

import copy

import pytest
from django.contrib.sessions.models import Session
from django.core.cache.backends import locmem
from django.test import Client
from rest_framework.test import APIClient

from applications import signin
from applications.throttling import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def local_memory() -> dict:
    """Every local-memory cache of this process, as a second worker started with it would hold it."""
    return {name: copy.deepcopy(entries) for name, entries in locmem._caches.items()}, copy.deepcopy(
        locmem._expire_info
    )


def become(memory) -> None:
    """This process now holds `memory` in its local caches (another worker's, or none: a restart)."""
    entries, expiry = memory
    for name, held in locmem._caches.items():
        held.clear()
        held.update(entries.get(name, {}))
    for name, held in locmem._expire_info.items():
        held.clear()
        held.update(expiry.get(name, {}))


def restart() -> None:
    become(({}, {}))


def signed_in_client(username="developer_a") -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    assert client.get("/profile/").status_code == 200
    return client


def test_a_cookie_is_dead_after_sign_out_on_every_worker(people):
    client = signed_in_client()
    cookie = client.cookies["sessionid"].value
    other_worker = local_memory()  # has served this session, so may hold it in memory
    assert client.post("/accounts/logout/").status_code == 302

    become(other_worker)
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    response = stolen.get("/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=cookie).exists()


def test_a_session_outlives_a_worker_restart(people):
    client = signed_in_client()
    restart()
    assert client.get("/profile/").status_code == 200


def test_failed_sign_ins_are_still_counted_after_a_restart(people, settings):
    settings.DISPATCH_SIGN_IN_FAILURES = 3
    for _ in range(3):
        Client().post("/accounts/login/", {"username": "developer_a", "password": "wrong"})
    restart()
    response = Client().post("/accounts/login/", {"username": "developer_a", "password": PASSWORD})
    assert response.status_code == 429


def test_the_token_endpoints_rate_is_still_counted_after_a_restart(people, settings):
    settings.DISPATCH_SIGN_IN_ADDRESS_FAILURES = 100  # so that DRF's rate is what refuses
    client = APIClient()
    for i in range(30):
        client.post("/api/v1/auth/token", {"username": f"nobody-{i}", "password": "x", "name": "x"})
    restart()
    response = client.post("/api/v1/auth/token", {"username": "nobody", "password": "x", "name": "x"})
    assert response.status_code == 429
    assert set(response.json()) == {"code", "message", "errors"}


def test_seventy_requests_from_seventy_forged_addresses_are_throttled(people, settings):
    settings.DISPATCH_SIGN_IN_ADDRESS_FAILURES = 100  # so that DRF's rate is what refuses
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token",
            {"username": f"nobody-{i}", "password": "x", "name": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(70)
    ]
    assert statuses == [401] * 30 + [429] * 40
    assert not people.developer_a.api_tokens.exists()


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_failed_sign_ins_from_forged_addresses_count_against_the_real_one(url, people, settings):
    settings.DISPATCH_SIGN_IN_ADDRESS_FAILURES = 6
    for i in range(6):
        Client().post(url, {"username": f"u{i}", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    response = Client().post(
        url, {"username": "developer_a", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(people, settings):
    settings.DISPATCH_TRUSTED_PROXIES = 1
    settings.DISPATCH_SIGN_IN_ADDRESS_FAILURES = 100
    proxy = APIClient(REMOTE_ADDR="10.0.0.1")
    statuses = [
        proxy.post(
            "/api/v1/auth/token",
            {"username": f"nobody-{i}", "password": "x", "name": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",  # forged, then what the proxy saw
        ).status_code
        for i in range(31)
    ]
    assert statuses == [401] * 30 + [429]
    other = proxy.post(
        "/api/v1/auth/token",
        {"username": "nobody", "password": "x", "name": "x"},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert other.status_code == 401  # another client behind the same proxy has its own count


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "1.1.1.1", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),
        (2, "1.1.1.1, 2.2.2.2, 3.3.3.3", "2.2.2.2"),
        (3, "2.2.2.2", "2.2.2.2"),  # fewer entries than proxies: the left-most there is
        (1, " , ", "10.0.0.1"),
        (1, "evil key\x7f with spaces", "evilkeywithspaces"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(rf, settings, proxies, forwarded, expected):
    settings.DISPATCH_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_flood_of_made_up_usernames_does_not_wipe_the_real_counts(people, settings, rf):
    settings.DISPATCH_SIGN_IN_FAILURES = 3
    for _ in range(3):
        Client().post("/accounts/login/", {"username": "developer_a", "password": "wrong"})
    for i in range(400):  # a database cache culls a third of its rows past MAX_ENTRIES (300 by default)
        signin.record_failure(
            None, {"username": f"made-up-{i}"}, request=rf.post("/", REMOTE_ADDR=f"10.1.{i // 250}.{i % 250}")
        )
    response = Client().post("/accounts/login/", {"username": "developer_a", "password": PASSWORD})
    assert response.status_code == 429

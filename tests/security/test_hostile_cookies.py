"""A session cookie that no session engine could have made (issue 11, item 5): a NUL in it made every
URL a 500 on PostgreSQL, signed in or not. Now it is dropped before the session is looked up."""

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f

URLS = [
    "/",
    "/accounts/login/",
    "/functions/",
    "/functions/hello/",
    "/applications/",
    "/profile/",
    "/admin/",
    "/admin/entities/function/",
    "/api/v1/functions/",
    "/api/v1/entities/",
    "/api/docs/",
    "/health/",
    "/no-such-page/",
]
COOKIES = [
    "abcdefgh\x00ijklmnop",
    "\x00" * 32,
    "abcdefgh\x01\x7fijklmnop",
    "é" * 32,
    "x" * 5_000,
    "abcdefgh ijklmnop",
]


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", COOKIES, ids=range(len(COOKIES)))
@pytest.mark.parametrize("url", URLS)
def test_a_session_cookie_no_engine_made_never_makes_a_500(url, cookie):
    f.FunctionFactory(name="hello")
    client = Client(raise_request_exception=False)
    response = client.get(url, HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={cookie}")
    assert response.status_code < 500
    if url.startswith("/api/v1/"):
        assert response.status_code == 401  # simply signed out


@pytest.mark.django_db
def test_a_sign_in_form_posted_with_a_nul_session_cookie_still_signs_in(people, client):
    people.developer_a.set_password("a-long-password")
    people.developer_a.save()
    response = client.post(
        "/accounts/login/",
        {"username": "developer_a", "password": "a-long-password"},
        HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abcdefgh\x00ijklmnop",
    )
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200

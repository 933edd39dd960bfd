"""Production settings, as `DJANGO_ENV=production` gives them, in a fresh process: `check --deploy` has
nothing to say, and responses carry HSTS, nosniff, a referrer policy, X-Frame-Options and a
Content-Security-Policy, with secure cookies (the session's also HttpOnly)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs in the production process: a request over HTTPS (as the proxy says) to the sign-in page, a sign-in,
# and a plain-HTTP request. collectstatic is a deployment step; the plain static storage stands in for
# the manifest it would write.
REQUESTS = r"""
import json
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings

call_command("migrate", verbosity=0)
User.objects.create_user("someone", password="correct horse battery staple")
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
storages = {**settings.STORAGES, "staticfiles": plain_static}
with override_settings(STORAGES=storages):
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    page = client.get("/accounts/login/")
    credentials = {"username": "someone", "password": "correct horse battery staple"}
    signed_in = client.post("/accounts/login/", credentials)
    plain = Client().get("/accounts/login/")
api = Client(HTTP_X_FORWARDED_PROTO="https").get("/api/v1/functions/")
cookies = {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]), "samesite": c["samesite"]}
           for name, c in client.cookies.items()}
print(json.dumps({
    "page": [page.status_code, dict(page.headers)],
    "api": [api.status_code, dict(api.headers)],
    "signed_in": signed_in.status_code,
    "plain": [plain.status_code, plain.get("Location")],
    "cookies": cookies,
}))
"""


def production_env(tmp_path, **extra):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never would.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50)[:50],
        "DJANGO_SETTINGS_MODULE": "dispatch_site.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "",
        **extra,
    }


def test_check_deploy_prints_no_issues(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path, ALLOWED_HOSTS="example.com"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS],
        cwd=ROOT,
        env=production_env(tmp_path, ALLOWED_HOSTS="testserver"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("response", ["page", "api"])
def test_production_responses_carry_the_security_headers(production, response):
    status, headers = production[response]
    assert status == (200 if response == "page" else 401)
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe" not in policy


def test_production_cookies_are_secure_and_the_session_cookie_is_http_only(production):
    assert production["signed_in"] == 302
    assert production["cookies"]["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert production["cookies"]["csrftoken"]["secure"] is True


def test_production_sends_plain_http_to_https(production):
    assert production["plain"] == [301, "https://testserver/accounts/login/"]

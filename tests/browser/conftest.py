"""Browser tests: Playwright for Python driving Debian's Chromium, headless, against the live server.

Without /usr/bin/chromium they skip on a laptop but fail in CI (where `.ci/run` installs it), so a
missing browser can never pass CI silently. Screenshots go to test-artifacts/ (not committed).
"""

import os
from pathlib import Path

import pytest

from applications.models import Role
from tests import factories as f

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("DISPATCH_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium is missing at {CHROMIUM}; install Debian's chromium package."
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run the browser tests.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies), at the live server."""
    contexts = []

    def open_page(width=1280, javascript=True):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def two_applications(people):
    """developer_a develops in A and views B; A has an image, a secret and `hello`, B has `bee`.
    Returns `hello`, for the tests that hang more on it."""
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.VIEWER)
    image = f.ImageFactory(name="python3", base_image__name="python3-base", applications=[people.app_a])
    f.SecretFactory(name="open-sesame", applications=[people.app_a])
    f.FunctionFactory(
        name="bee", image__name="bee-image", image__applications=[people.app_b], applications=[people.app_b]
    )
    return f.FunctionFactory(name="hello", image=image, applications=[people.app_a])


def sign_in(page, username, password="correct horse battery staple"):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

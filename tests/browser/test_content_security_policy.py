"""In Chromium, the pages, the admin and the Swagger UI work under the Content-Security-Policy: no
violation is reported and no script fails, and the scripted parts (the switcher, the masked values, the
docs) do their work."""

import pytest
from playwright.sync_api import expect

from tests.pages.conftest import scene  # noqa: F401 (a fixture, used by name)

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/functions/",
    "/functions/hello/edit/",
    "/secrets/open-sesame/edit/",
    "/applications/app-a/delete/",
    "/admin/entities/function/",
    "/admin/entities/function/add/",
]


def test_pages_admin_and_docs_run_under_the_policy_without_a_violation(scene, people, new_page):  # noqa: F811
    page = new_page()
    complaints = []
    # Chromium reports each violation as a console error ("Refused to … Content Security Policy …").
    page.on("console", lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.on("response", lambda r: complaints.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    sign_in(page, people.superuser.username)
    for url in PAGES:
        response = page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/secrets/open-sesame/edit/")
    page.get_by_role("button", name="Show values").click()
    expect(page.get_by_role("button", name="Hide values")).to_be_visible()
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Dispatch API")
    assert complaints == []

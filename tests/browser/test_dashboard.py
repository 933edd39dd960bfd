"""The dashboard in a real browser: charts drawn as SVG under the site's Content-Security-Policy (no
script needed), events in and runs caused by them, the range picker, the figures as tables without
JavaScript, and a failure's link to its run."""

import re

import pytest
from playwright.sync_api import expect

from applications import metrics
from tests.monitoring.scene import T0, make_runs

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(people, monkeypatch):
    monkeypatch.setattr(metrics, "now", lambda: T0.replace(minute=10))
    make_runs(people)
    return people


def test_a_viewer_reads_the_dashboard_of_their_application(world, new_page, screenshot):
    page = new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, "viewer_a")
    page.goto("/applications/app-a/")
    page.get_by_role("link", name="Dashboard").click()

    expect(page.get_by_role("heading", name="Dashboard app-a")).to_be_visible()
    expect(page.get_by_role("img", name="Runs per minute")).to_be_visible()
    expect(page.locator("svg.chart rect.bar-functionerror")).to_have_count(1)
    expect(page.locator('dd[data-figure="runs"]')).to_have_text("7")
    expect(page.get_by_role("img", name="Events in and runs caused by events")).to_be_visible()
    expect(page.locator('dd[data-figure="events_in"]')).to_have_text("6")
    expect(page.locator('dd[data-figure="caused_by_events"]')).to_have_text("1")
    screenshot(page, "dashboard-1h")
    assert not [e for e in errors if "Content Security Policy" in e], errors  # nothing the CSP refused

    page.get_by_role("link", name="24h").click()
    expect(page.get_by_role("img", name="Runs per hour")).to_be_visible()
    page.get_by_role("link", name="hello").first.click()
    expect(page.get_by_role("heading", name="Dashboard app-a · function hello")).to_be_visible()
    screenshot(page, "dashboard-function")


def test_without_javascript_the_figures_are_a_table_and_failures_link_to_runs(world, new_page, screenshot):
    page = new_page(javascript=False)
    sign_in(page, "viewer_a")
    page.goto("/applications/app-a/dashboard/")
    page.get_by_text("The same figures as a table").click()

    row = page.locator("tr", has=page.locator("td", has_text="03:01"))
    expect(row.locator("td").nth(4)).to_have_text("FunctionError 1")
    expect(row.locator("td").nth(5)).to_have_text("1")  # the event received at 03:01:59
    screenshot(page, "dashboard-table")
    page.locator("section", has_text="Recent failures").locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]+/$"))

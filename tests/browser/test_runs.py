"""Running Dispatch's example functions from their pages in a real browser: the "Run" form, the run's
page with the documented output, and an async run whose page reloads itself (no script) until a
worker has executed it."""

import json
import re

import pytest
from playwright.sync_api import expect

from entities import models as m
from entities.runs.services import execute_run
from tests.runs.conftest import HELLO_INPUT, functions  # noqa: F401 - the example functions in A

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def run_from_page(page, function, payload, wait=True):
    page.goto(f"/functions/{function}/")
    page.get_by_label("Input").fill(json.dumps(payload))
    if not wait:
        page.get_by_label("Wait for the result").uncheck()
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))


def test_a_developer_runs_the_examples_from_their_pages(functions, new_page, screenshot):  # noqa: F811
    page = new_page()
    sign_in(page, "developer_a")
    run_from_page(page, "hello-py", HELLO_INPUT)
    expect(page.locator("[data-run-status]")).to_have_text("READY")
    expect(page.locator("[data-run-output]")).to_contain_text('"myField": "Hello, Jon from Winterfell"')
    expect(page.locator("[data-run-stdout]")).to_have_text("messages to stdout show up in logs")
    screenshot(page, "runs-01-hello-py")
    run_from_page(page, "hello-js", HELLO_INPUT)
    expect(page.locator("[data-run-output]")).to_contain_text("Hello, Jon from Winterfell")
    run_from_page(page, "i-have-a-secret", {})
    expect(page.locator("[data-run-output]")).to_contain_text("The password is OpenSesame")


def test_an_async_run_page_reloads_until_the_run_has_finished(functions, new_page, screenshot):  # noqa: F811
    page = new_page(javascript=False)  # the reload is a meta refresh: it needs no script
    sign_in(page, "developer_a")
    run_from_page(page, "hello-py", HELLO_INPUT, wait=False)
    expect(page.locator("[data-run-status]")).to_have_text("INITIALIZED")
    screenshot(page, "runs-02-queued")
    run = m.FunctionRun.objects.get()
    execute_run(run_id=run.pk)  # what a worker does with the queued run
    expect(page.locator("[data-run-status]")).to_have_text("READY", timeout=15_000)
    expect(page.locator("[data-run-output]")).to_contain_text("Hello, Jon from Winterfell")

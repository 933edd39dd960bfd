"""Issue 16's rough edges in a real browser: a developer who only views another application is
offered only what they may use, each choice labelled with its application, and sees every error of a
form at once; a secret's values are revealed with ?reveal=true (a viewer who asks gets the 403);
statuses read READY everywhere; a page leads to its API resource and the navigation to the API docs."""

import re

import pytest
from playwright.sync_api import expect

from entities import models as m

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_developer_is_offered_only_what_they_may_use_and_sees_every_error_at_once(
    people, two_applications, new_page, screenshot
):
    page = new_page()
    sign_in(page, "developer_a")  # develops in app-a, only views app-b (which holds bee-image)
    page.goto("/functions/")
    page.get_by_role("link", name="New function").click()
    image = page.get_by_label("Image")
    expect(image.locator("option")).to_have_text(["---------", "python3 (app-a)"])
    expect(page.get_by_label("open-sesame (app-a)")).to_be_visible()

    page.get_by_label("Name").fill("hello")  # taken
    page.get_by_label("Application", exact=True).nth(1).select_option("app-a")
    image.select_option("python3")
    page.get_by_label("Schema in").fill("{nope")
    page.get_by_role("button", name="Create function").click()
    name_errors = page.locator(".field.has-error", has=page.get_by_label("Name")).locator(".error")
    expect(name_errors).to_have_text(["A function named 'hello' already exists; choose another name."])
    schema_errors = page.locator(".field.has-error", has=page.get_by_label("Schema in")).locator(".error")
    expect(schema_errors).to_contain_text("JSON parse error")
    screenshot(page, "form-every-error-at-once")
    assert m.Function.objects.filter(name="hello").count() == 1

    page.get_by_label("Name").fill("greeter")
    page.get_by_label("Schema in").fill("{}")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/greeter/$"))
    assert m.Function.objects.get(name="greeter").image.name == "python3"


def test_a_developer_reveals_a_secret_and_a_viewer_who_asks_is_refused(
    people, two_applications, new_page, screenshot
):
    secret = m.Secret.objects.get(name="open-sesame")  # made by the fixture, in app-a
    secret.values = {"password": "OpenSesame"}
    secret.save()

    page = new_page()
    sign_in(page, "developer_a")
    page.goto("/secrets/open-sesame/")
    expect(page.get_by_text("OpenSesame")).to_have_count(0)
    page.get_by_role("link", name="Reveal values").click()
    expect(page).to_have_url(re.compile(r"/secrets/open-sesame/\?reveal=true$"))
    expect(page.get_by_text("OpenSesame")).to_be_visible()
    page.get_by_role("link", name="Hide values").click()
    expect(page.get_by_text("OpenSesame")).to_have_count(0)

    viewer = new_page()
    sign_in(viewer, "viewer_a")
    viewer.goto("/secrets/open-sesame/")
    expect(viewer.get_by_role("link", name="Reveal values")).to_have_count(0)
    response = viewer.goto("/secrets/open-sesame/?reveal=true")
    assert response.status == 403
    expect(viewer.get_by_text("leave out reveal to see its keys")).to_be_visible()
    expect(viewer.get_by_text("OpenSesame")).to_have_count(0)
    screenshot(viewer, "reveal-refused")


def test_a_page_leads_to_its_api_resource_and_the_navigation_to_the_api_docs(
    people, two_applications, new_page
):
    page = new_page()
    sign_in(page, "developer_a")
    page.goto("/functions/")
    expect(page.locator("td", has_text=re.compile("^READY$")).first).to_be_visible()
    page.goto("/functions/hello/")
    expect(page.locator(".status")).to_have_text("READY")
    page.get_by_role("link", name="API resource").click()
    expect(page).to_have_url(re.compile(r"/api/v1/functions/hello/$"))
    expect(page.get_by_text('"name":"hello"').or_(page.get_by_text('"name": "hello"')).first).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="API docs").click()
    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    expect(page.locator("#swagger-ui")).to_be_attached()

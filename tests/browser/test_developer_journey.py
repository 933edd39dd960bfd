"""The developer's journey of issue 4 in a real browser: sign in, switch application, filter a list,
create a function in an application, find it on the application's page, edit it, delete it after the
confirmation; a member of another application reaching its URL gets the 404 page."""

import re

import pytest
from playwright.sync_api import expect

from entities import models as m
from tests import factories as f

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(people, two_applications):
    hello = two_applications
    f.FunctionFactory(name="help-desk", image=hello.image, handler="desk.handle", applications=[people.app_a])
    f.FunctionRunFactory(function=hello, applications=[people.app_a])
    return people


def test_a_developer_creates_finds_edits_and_deletes_a_function(world, new_page, screenshot):
    page = new_page()
    page.goto("/functions/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/functions/$"))
    screenshot(page, "01-sign-in")
    sign_in(page, "developer_a")
    expect(page.get_by_role("heading", name="Your applications")).to_be_visible()
    screenshot(page, "02-home")

    # Switch application: the switcher submits on change and every list follows it.
    page.goto("/functions/")
    expect(page.locator("td.name", has_text="bee")).to_be_visible()
    page.get_by_label("Application", exact=True).select_option("app-a")
    page.wait_for_load_state()
    expect(page.get_by_label("Application", exact=True)).to_have_value("app-a")
    expect(page.locator("td.name", has_text="hello")).to_be_visible()
    expect(page.locator("td.name", has_text="bee")).to_have_count(0)

    # Filter the list with the search of the shared FilterSet.
    page.get_by_label("Search").fill("help")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"search=help"))
    expect(page.locator("td.name")).to_have_count(1)
    expect(page.locator("td.name", has_text="help-desk")).to_be_visible()
    screenshot(page, "03-functions-filtered")

    # Create a function in application A.
    page.get_by_role("link", name="New function").click()
    page.get_by_label("Name").fill("greeter")
    expect(page.get_by_label("Application", exact=True).nth(1)).to_have_value("app-a")
    page.get_by_label("Image").select_option("python3")
    page.get_by_label("Handler").fill("greeter.handle")
    page.get_by_label("Source").fill("def handle(context, payload):\n    return {'hi': 1}\n")
    page.get_by_label("open-sesame").check()
    screenshot(page, "04-function-new")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/greeter/$"))
    expect(page.get_by_role("status")).to_contain_text("Function 'greeter' created.")
    screenshot(page, "05-function-detail")
    assert m.Function.objects.get(name="greeter").application_names() == ["app-a"]

    # Find it on the application's page.
    page.get_by_role("link", name="app-a").first.click()
    expect(page).to_have_url(re.compile(r"/applications/app-a/$"))
    manages = page.locator("section", has=page.get_by_role("heading", name="Manages"))
    expect(manages.get_by_role("link", name="greeter")).to_be_visible()
    screenshot(page, "06-application")
    manages.get_by_role("link", name="greeter").click()

    # Edit it.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Handler").fill("greeter.say_hi")
    page.get_by_label("Timeout").fill("15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Function 'greeter' saved.")
    expect(page.locator("dd", has_text="greeter.say_hi")).to_be_visible()
    assert m.Function.objects.get(name="greeter").revision == 2

    # A member of another application reaching its URL gets the 404 page.
    stranger = new_page()
    sign_in(stranger, "member_b")
    response = stranger.goto("/functions/greeter/")
    assert response.status == 404
    expect(stranger.get_by_role("heading", name="Not found")).to_be_visible()
    screenshot(stranger, "07-not-found")

    # Delete it, after the confirmation.
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete function greeter?")).to_be_visible()
    screenshot(page, "08-function-delete")
    assert m.Function.objects.filter(name="greeter").exists()
    page.get_by_role("button", name="Delete function").click()
    expect(page).to_have_url(re.compile(r"/functions/$"))
    expect(page.get_by_role("status")).to_contain_text("Function 'greeter' deleted.")
    assert not m.Function.objects.filter(name="greeter").exists()


def test_the_pages_work_without_javascript(world, new_page, screenshot):
    page = new_page(javascript=False)
    sign_in(page, "developer_a")
    page.goto("/functions/")
    page.get_by_label("Application", exact=True).select_option("app-b")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("td.name", has_text="bee")).to_be_visible()
    expect(page.locator("td.name", has_text="hello")).to_have_count(0)
    page.get_by_role("button", name="Show all applications").click()
    expect(page.locator("td.name", has_text="hello")).to_be_visible()
    page.goto("/secrets/open-sesame/edit/")
    expect(page.locator("input[name=values-value]").first).to_have_attribute("type", "password")


def test_the_main_pages_fit_a_narrow_screen(world, new_page, screenshot):
    page = new_page(width=390)
    sign_in(page, "admin_a")
    for path, name in (
        ("/", "narrow-home"),
        ("/functions/", "narrow-functions"),
        ("/functions/hello/", "narrow-function"),
        ("/applications/app-a/delete/", "narrow-application-delete"),
        ("/profile/", "narrow-profile"),
    ):
        page.goto(path)
        screenshot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"{path} scrolls sideways: {width}px"


def test_keyboard_focus_is_visible(world, new_page, screenshot):
    page = new_page()
    sign_in(page, "developer_a")
    page.goto("/functions/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    screenshot(page, "09-focus")

"""The all-entities page in a real browser: reached from the navigation, narrowed by kind, application
and search with the filter form, each row leading to its entity's page; another application's member
sees none of it."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(people, two_applications):
    f.APIFactory(name="post-hello", function=two_applications, applications=[people.app_a])
    return people


def test_a_developer_narrows_all_entities_to_one_kind_of_one_application(world, new_page, screenshot):
    page = new_page()
    sign_in(page, "developer_a")
    page.get_by_role("link", name="All entities").click()
    expect(page.get_by_role("heading", name="All entities")).to_be_visible()
    for name in ("python3", "open-sesame", "hello", "post-hello", "bee", "bee-image"):
        expect(page.locator("td.name", has_text=re.compile(f"^{name}$"))).to_be_visible()

    filters = page.get_by_role("search", name="Filter All entities")
    filters.get_by_role("checkbox", name="Function", exact=True).check()
    filters.get_by_role("checkbox", name="app-a", exact=True).check()
    filters.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"kind=function.*application=app-a|application=app-a.*kind=function"))
    expect(page.locator("td.name")).to_have_count(1)
    expect(page.locator("td.name", has_text="hello")).to_be_visible()
    screenshot(page, "all-entities-filtered")

    page.get_by_role("link", name="Reset").click()
    page.get_by_label("Search").fill("hello")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("td.name")).to_have_count(2)
    page.get_by_role("link", name="post-hello", exact=True).click()
    expect(page).to_have_url(re.compile(r"/apis/post-hello/$"))


def test_a_member_of_another_application_sees_none_of_its_entities(world, new_page):
    page = new_page()
    sign_in(page, "member_b")
    page.goto("/entities/")
    expect(page.locator("td.name", has_text="bee")).to_have_count(2)  # the function and its image
    for name in ("python3", "open-sesame", "hello", "post-hello"):
        expect(page.locator("td.name", has_text=re.compile(f"^{name}$"))).to_have_count(0)

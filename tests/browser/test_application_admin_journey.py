"""An application admin in a real browser: members, an API token, a secret's values, and the
application's delete after its plan."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import APIToken, Application, Membership
from entities import models as m
from tests import factories as f

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(people):
    image = f.ImageFactory(name="python3", applications=[people.app_a])
    f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    f.SecretFactory(name="open-sesame", values={"password": "OpenSesame"}, applications=[people.app_a])
    return people


def test_an_admin_manages_members_tokens_secrets_and_deletes_the_application(world, new_page, screenshot):
    page = new_page()
    sign_in(page, "admin_a")

    # Members: add the outsider as a developer.
    page.goto("/applications/app-a/members/")
    page.get_by_label("User or group").fill("outsider")
    page.get_by_label("Role").select_option("developer")
    page.get_by_role("button", name="Save member").click()
    expect(page.get_by_role("status")).to_contain_text("Outsider is now developer.")
    screenshot(page, "10-members")
    assert Membership.objects.get(application__name="app-a", user__username="outsider").role == "developer"

    # A token, shown once.
    page.goto("/profile/")
    page.get_by_label("Token name").fill("laptop")
    page.get_by_role("button", name="Make token").click()
    key = page.locator("#new-token-key").inner_text()
    assert key.startswith("dsp_")
    screenshot(page, "11-profile-new-token")
    page.reload()
    expect(page.locator("#new-token-key")).to_have_count(0)
    expect(page.get_by_role("cell", name="laptop", exact=True)).to_be_visible()
    assert APIToken.objects.filter(name="laptop").count() == 1

    # A secret's values: masked, shown on request.
    page.goto("/secrets/open-sesame/")
    expect(page.get_by_text("OpenSesame")).to_have_count(0)
    page.get_by_role("link", name="Reveal values").click()
    expect(page.get_by_text("OpenSesame")).to_be_visible()
    page.goto("/secrets/open-sesame/edit/")
    value = page.get_by_label("Value 1")
    expect(value).to_have_attribute("type", "password")
    page.get_by_role("button", name="Show values").click()
    expect(value).to_have_attribute("type", "text")

    # The delete shows the plan for each cascade before anything happens.
    page.goto("/applications/app-a/")
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name="Deleted (3)")).to_be_visible()
    expect(page.locator("ul.plan").first).to_contain_text("hello")
    page.get_by_label("Keep every entity").check()
    expect(page).to_have_url(re.compile(r"cascade=orphan"))
    expect(page.get_by_role("heading", name="Deleted (0)")).to_be_visible()
    screenshot(page, "12-application-delete-plan")
    assert Application.objects.filter(name="app-a").exists()
    page.get_by_role("button", name="Delete app-a, keep its entities").click()
    expect(page).to_have_url(re.compile(r"/applications/$"))
    expect(page.get_by_role("status")).to_contain_text("Application 'app-a' deleted")
    assert not Application.objects.filter(name="app-a").exists()
    assert m.Function.objects.get(name="hello").application_names() == []

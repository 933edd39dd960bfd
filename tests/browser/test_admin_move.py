"""The admin in a real browser: "Move to application…" on selected rows, the single select of a kind
allowed one application, and the "Applications" label before the two-box selector of one allowed many."""

import pytest
from playwright.sync_api import expect

from entities import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def admin_sign_in(page, username="root", password="correct horse battery staple"):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def test_an_administrator_moves_two_secrets_to_another_application(people, new_page, screenshot):
    f.SecretFactory(name="first", applications=[people.app_a])
    f.SecretFactory(name="second")
    f.SecretFactory(name="stays", applications=[people.app_a])
    page = new_page()
    admin_sign_in(page)

    page.goto("/admin/entities/secret/")
    for name in ("first", "second"):
        page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True)).get_by_role(
            "checkbox"
        ).check()
    page.get_by_role("combobox", name="Action").select_option(label="Move to application…")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Move secrets to an application")).to_be_visible()
    expect(page.locator("#selected-entities li")).to_have_count(2)
    page.get_by_label("Application").select_option("app-b")
    screenshot(page, "30-admin-move-to-application")
    page.get_by_role("button", name="Move to application").click()

    expect(page.locator("ul.messagelist")).to_contain_text("2 secrets moved to application 'app-b'.")
    assert m.Secret.objects.get(name="first").application_names() == ["app-b"]
    assert m.Secret.objects.get(name="second").application_names() == ["app-b"]
    assert m.Secret.objects.get(name="stays").application_names() == ["app-a"]


def test_a_refused_move_lists_the_reason_and_moves_nothing(people, new_page):
    f.FunctionFactory(
        name="stuck", applications=[people.app_a], image__name="img-a", image__applications=[people.app_a]
    )
    page = new_page()
    admin_sign_in(page)

    page.goto("/admin/entities/function/")
    page.get_by_role("checkbox", name="Select all objects on this page for an action").check()
    page.get_by_role("combobox", name="Action").select_option(label="Move to application…")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Application").select_option("app-b")
    page.get_by_role("button", name="Move to application").click()

    messages = page.locator("ul.messagelist")
    expect(messages).to_contain_text(
        "Function 'stuck' was refused: Function 'stuck' (in application 'app-b')"
    )
    expect(messages).to_contain_text("Nothing was changed: 1 of the 1 selected functions was refused.")
    assert m.Function.objects.get(name="stuck").application_names() == ["app-a"]


def test_the_change_form_shows_one_select_or_the_selector_after_its_label(people, new_page, screenshot):
    function = f.FunctionFactory(
        name="hello", applications=[people.app_a], image__applications=[people.app_a]
    )
    api = f.APIFactory(name="hello-api", function=function, applications=[people.app_a])
    page = new_page()
    admin_sign_in(page)

    # A function is in one application at most: one select, with the application it is in.
    page.goto(f"/admin/entities/function/{function.pk}/change/")
    select = page.get_by_label("Applications:")
    expect(select).not_to_have_attribute("multiple", "")
    expect(select).to_have_value("app-a")

    # An API follows its function into any number: the two boxes, after the label, not before it.
    page.goto(f"/admin/entities/api/{api.pk}/change/")
    label = page.locator('label[for="id_applications"]')
    selector = page.locator(".field-applications .selector")
    expect(selector).to_be_visible()
    screenshot(page, "31-admin-api-applications")
    label_box, selector_box = label.bounding_box(), selector.bounding_box()
    assert label_box["x"] + label_box["width"] <= selector_box["x"]

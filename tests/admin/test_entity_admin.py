"""Entity admins: filters, search, and saves that go through entities.services."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings

from applications.models import Application
from entities import models as m
from tests import factories as f

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db


def listed(response) -> set[str]:
    return {entity.name for entity in response.context["cl"].result_list}


@pytest.fixture
def three_functions(people):
    return {
        "in_a": f.FunctionFactory(name="in-a", applications=[people.app_a]),
        "in_b": f.FunctionFactory(name="in-b", applications=[people.app_b]),
        "nowhere": f.FunctionFactory(name="nowhere"),
    }


def test_the_application_filter_lists_the_functions_of_that_application(root, three_functions):
    response = root.get(admin_url(m.Function), {"application": "app-a"})
    assert listed(response) == {"in-a"}


def test_the_unassigned_choice_lists_only_functions_in_no_application(root, three_functions):
    response = root.get(admin_url(m.Function), {"application": "_unassigned"})
    assert listed(response) == {"nowhere"}


def test_the_application_filter_offers_every_application_and_unassigned(root, three_functions):
    response = root.get(admin_url(m.Function))
    application_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.title == "application"
    )
    assert [value for value, _ in application_filter.lookup_choices] == ["app-a", "app-b", "_unassigned"]


def test_an_unknown_application_in_the_filter_lists_nothing(root, three_functions):
    response = root.get(admin_url(m.Function), {"application": "no-such-app"})
    assert listed(response) == set()


def test_system_kinds_have_no_application_filter(root, people):
    f.BaseImageFactory()
    response = root.get(admin_url(m.BaseImage))
    assert "application" not in [spec.title for spec in response.context["cl"].filter_specs]


def test_the_tag_and_status_filters_and_the_search_narrow_the_list(root, three_functions):
    three_functions["in_b"].tags.add("role=test")
    m.Function.objects.filter(name="nowhere").update(status="ERROR")
    assert listed(root.get(admin_url(m.Function), {"tag": "role=test"})) == {"in-b"}
    assert listed(root.get(admin_url(m.Function), {"status__exact": "ERROR"})) == {"nowhere"}
    assert listed(root.get(admin_url(m.Function), {"q": "in-"})) == {"in-a", "in-b"}


def test_the_list_shows_applications_status_and_created(root, three_functions):
    html = root.get(admin_url(m.Function)).content.decode()
    for column in ("column-application_list", "column-status", "column-created"):
        assert column in html
    assert '<a href="?application=app-a">app-a</a>' in html


def function_form(image, **overrides) -> dict:
    data = {
        "name": "hello",
        "status": "READY",
        "reason": "[]",
        "image": str(image.pk),
        "handler": "hello.handle",
        "source": "",
        "schema_in": "{}",
        "schema_out": "{}",
        "timeout": "60",
        "tags": "",
    }
    data.update(overrides)
    return data


def test_creating_a_function_goes_through_the_services(root, people):
    image = f.ImageFactory(applications=[people.app_a])
    response = root.post(
        admin_url(m.Function, "add"), function_form(image, applications=["app-a"], tags="role=test")
    )
    assert response.status_code == 302
    function = m.Function.objects.get(name="hello")
    assert function.application_names() == ["app-a"]
    assert [t.name for t in function.tags.all()] == ["role=test"]
    assert function.created_by == people.superuser  # set by entity_create, not by the admin


def test_a_function_source_from_the_admin_keeps_lf_newlines(root, people):
    image = f.ImageFactory(applications=[people.app_a])
    data = function_form(image, applications=["app-a"], source="def handle(c, p):\r\n    return 1\r\n")
    assert root.post(admin_url(m.Function, "add"), data).status_code == 302
    assert m.Function.objects.get(name="hello").source == "def handle(c, p):\n    return 1\n"


def test_a_reference_across_applications_is_refused_on_the_form(root, people):
    image = f.ImageFactory(name="img-b", applications=[people.app_b])
    response = root.post(admin_url(m.Function, "add"), function_form(image, applications=["app-a"]))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "image 'img-b' (in application 'app-b')" in errors["image"][0]
    assert not m.Function.objects.filter(name="hello").exists()


def test_a_one_kind_offers_a_single_select_of_applications_and_saves_the_one_picked(root, people):
    # A single select cannot send two applications: the scope policy is in the widget, and the
    # services still refuse two (tests/test_scopes.py).
    image = f.ImageFactory(applications=[people.app_b])
    html = root.get(admin_url(m.Function, "add")).content.decode()
    select = re.search(r'<select name="applications"[^>]*>', html).group()
    assert "multiple" not in select
    assert '<option value="" selected>— none (unassigned) —</option>' in html
    response = root.post(admin_url(m.Function, "add"), function_form(image, applications="app-b"))
    assert response.status_code == 302
    function = m.Function.objects.get(name="hello")
    assert function.application_names() == ["app-b"]
    change = root.get(admin_url(m.Function, "change", function.pk)).content.decode()
    assert '<option value="app-b" selected>app-b</option>' in change


def test_leaving_the_single_select_empty_takes_the_function_out_of_its_application(root, people):
    function = f.FunctionFactory(name="hello", applications=[people.app_a], image__applications=[])
    data = function_form(function.image, applications="", expected_revision="1")
    response = root.post(admin_url(m.Function, "change", function.pk), data)
    assert response.status_code == 302
    assert m.Function.objects.get(pk=function.pk).application_names() == []


@override_settings(DISPATCH_SCOPES={"function": "many", "image": "many"})
def test_a_kind_allowed_many_applications_offers_the_two_box_selector_after_its_label(root, people):
    image = f.ImageFactory(applications=[people.app_a, people.app_b])  # the reference rule wants both
    html = root.get(admin_url(m.Function, "add")).content.decode()
    # The selector's script puts its boxes first in the widget's parent: the <div> keeps them after
    # the label (without it they landed before "Applications:").
    label_then_box = r'<label for="id_applications">Applications:</label>\s*<div><select name="applications"'
    assert re.search(label_then_box + r'[^>]* multiple class="selectfilter"', html)
    response = root.post(admin_url(m.Function, "add"), function_form(image, applications=["app-a", "app-b"]))
    assert response.status_code == 302
    assert m.Function.objects.get(name="hello").application_names() == ["app-a", "app-b"]


def test_changing_a_function_bumps_its_revision(root, people):
    function = f.FunctionFactory(
        name="hello", applications=[people.app_a], image__applications=[people.app_a]
    )
    data = function_form(
        function.image, handler="other.handle", applications=["app-a"], expected_revision="1"
    )
    response = root.post(admin_url(m.Function, "change", function.pk), data)
    assert response.status_code == 302
    function.refresh_from_db()
    assert (function.handler, function.revision) == ("other.handle", 2)


def test_a_stale_revision_is_shown_on_the_form_and_changes_nothing(root, people):
    function = f.FunctionFactory(
        name="hello", applications=[people.app_a], image__applications=[people.app_a]
    )
    m.Function.objects.filter(pk=function.pk).update(revision=5)  # someone else changed it meanwhile
    data = function_form(
        function.image, handler="other.handle", applications=["app-a"], expected_revision="4"
    )
    response = root.post(admin_url(m.Function, "change", function.pk), data)
    assert response.status_code == 200
    assert "has changed since revision 4" in str(response.context["adminform"].form.non_field_errors())
    function.refresh_from_db()
    assert function.handler == "hello.handle"


def test_an_api_made_without_applications_takes_its_functions(root, people):
    function = f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    data = {
        "name": "hello-api",
        "status": "READY",
        "reason": "[]",
        "function": str(function.pk),
        "methods": '["GET"]',
        "protocols": '["https"]',
        "uris": '["/hello"]',
        "hosts": "[]",
        "authentication": "public",
        "enabled": "on",
        "tags": "",
    }
    response = root.post(admin_url(m.API, "add"), data)
    assert response.status_code == 302
    assert m.API.objects.get(name="hello-api").application_names() == ["app-a"]


def test_a_system_kind_cannot_be_put_in_an_application_from_its_form(root, people):
    base = f.BaseImageFactory()
    html = root.get(admin_url(m.BaseImage, "change", base.pk)).content.decode()
    assert 'name="applications"' not in html


def test_the_record_fields_are_read_only(root, people):
    function = f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    form = root.get(admin_url(m.Function, "change", function.pk)).context["adminform"].form
    for name in ("id", "revision", "created", "modified", "created_by"):
        assert name not in form.fields


def test_references_use_autocomplete(root, people):
    function = f.FunctionFactory()
    form = root.get(admin_url(m.Function, "change", function.pk)).context["adminform"].form
    assert form.fields["image"].widget.widget.__class__.__name__ == "AutocompleteSelect"
    assert form.fields["secrets"].widget.widget.__class__.__name__ == "AutocompleteSelectMultiple"


def test_deleting_a_function_goes_through_the_services_and_takes_its_runs(root, people):
    run = f.FunctionRunFactory()
    response = root.post(admin_url(m.Function, "delete", run.function.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not m.Function.objects.exists() and not m.FunctionRun.objects.exists()


def test_an_image_in_use_is_not_deleted(root, people):
    function = f.FunctionFactory()
    response = root.post(admin_url(m.Image, "delete", function.image.pk), {"post": "yes"})
    assert response.status_code == 200  # the page lists the function that uses it
    assert function.name in response.content.decode()
    assert m.Image.objects.filter(pk=function.image.pk).exists()


def test_a_bulk_delete_that_the_services_refuse_deletes_nothing(root, people, monkeypatch):
    first, second = f.FunctionFactory(name="first"), f.FunctionFactory(name="second")

    from entities import services

    real_delete = services.entity_delete

    def refuse_second(*, entity, user, revision=None):
        if entity.name == "second":
            raise services.ValidationError("Function 'second' is busy; try again later.")
        return real_delete(entity=entity, user=user, revision=revision)

    monkeypatch.setattr(services, "entity_delete", refuse_second)
    data = {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"}
    response = root.post(admin_url(m.Function), data, follow=True)
    assert "Nothing was deleted. Function 'second': Function 'second' is busy" in " ".join(
        messages_of(response)
    )
    assert m.Function.objects.count() == 2


def test_staff_without_the_change_permission_gets_no_bulk_actions(client, people):
    viewer = f.UserFactory(username="staff-viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_function"))
    client.force_login(viewer)
    f.FunctionFactory()
    response = client.get(admin_url(m.Function))
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no action is offered at all
    assert "Add to application" not in response.content.decode()


def test_a_signed_in_user_without_staff_status_is_sent_to_the_admin_sign_in(client, people):
    client.force_login(people.developer_a)
    for url in ("/admin/", admin_url(m.Function), admin_url(m.Secret)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


def test_staff_who_may_only_view_see_a_read_only_page_without_write_only_fields(client, people):
    viewer = f.UserFactory(username="staff-viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    secret = f.SecretFactory(applications=[people.app_a], values={"password": "OpenSesame-7f3a"})
    for url in (admin_url(m.Secret, "change", secret.pk), admin_url(Application, "change", people.app_a.pk)):
        html = client.get(url).content.decode()
        assert "Expected revision" not in html and "New values" not in html
        assert "OpenSesame-7f3a" not in html
    response = client.post(admin_url(m.Secret, "change", secret.pk), {"name": "x", "new_values": "a=b"})
    assert response.status_code == 403
    secret.refresh_from_db()
    assert secret.values == {"password": "OpenSesame-7f3a"}


def test_labels_are_not_edited_behind_the_entities_backs(root):
    assert root.get("/admin/taggit/tag/").status_code == 404


def test_the_subscription_list_shows_scoped_topics(root, people):
    f.SubscriptionFactory(name="tick", event_type="ticker.tick", applications=[people.app_a])
    assert (
        '<td class="field-topic">app-a.ticker.tick</td>'
        in root.get(admin_url(m.Subscription)).content.decode()
    )


def test_the_change_page_links_to_the_entitys_web_page(root, people):
    function = f.FunctionFactory(name="hello")
    html = root.get(admin_url(m.Function, "change", function.pk)).content.decode()
    assert 'href="/functions/hello/"' in html


def test_the_admin_writes_a_status_as_the_api_does(root, three_functions):
    """READY in the list, its filter and the change form, as in the API and on the pages (Django would
    derive the label "Ready" from the choice's name)."""
    listing = root.get(admin_url(m.Function)).content.decode()
    change = root.get(admin_url(m.Function, "change", three_functions["in_a"].pk)).content.decode()
    assert ">READY<" in listing and '<option value="READY" selected>READY</option>' in change
    assert not re.search(r">\s*(Ready|Error|Creating|Updating|Deleting|Initialized)\s*<", listing + change)

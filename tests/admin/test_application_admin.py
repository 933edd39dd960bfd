"""The application admin: entity counts, the link to its page, members through the services, and a
delete that shows the service's plan."""

import pytest
from django.test import override_settings

from applications.models import Application, Membership, Role
from entities import models as m
from tests import factories as f

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db


def membership_formset(*rows, initial: int = 0) -> dict:
    data = {
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"memberships-{i}-{key}": value for key, value in row.items()})
    return data


def test_the_list_counts_the_entities_of_each_kind_and_links_to_them(root, people):
    image = f.ImageFactory(applications=[people.app_a])
    f.FunctionFactory(applications=[people.app_a], image=image)
    f.FunctionFactory(applications=[people.app_a], image=image)
    f.SecretFactory(applications=[people.app_b])
    html = root.get(admin_url(Application)).content.decode()
    assert '<a href="/admin/entities/function/?application=app-a">2 functions</a>' in html
    assert '<a href="/admin/entities/image/?application=app-a">1 image</a>' in html
    assert '<a href="/admin/entities/secret/?application=app-b">1 secret</a>' in html


def test_the_list_links_to_the_applications_page(root, people):
    html = root.get(admin_url(Application)).content.decode()
    assert '<a href="/applications/app-a/">app-a</a>' in html
    change = root.get(admin_url(Application, "change", people.app_a.pk)).content.decode()
    assert 'href="/applications/app-a/"' in change  # "View on site"


def test_the_list_searches_and_filters_by_status(root, people):
    Application.objects.filter(pk=people.app_b.pk).update(status="ERROR")
    found = root.get(admin_url(Application), {"q": "Application B"}).context["cl"].result_list
    assert [a.name for a in found] == ["app-b"]
    found = root.get(admin_url(Application), {"status__exact": "ERROR"}).context["cl"].result_list
    assert [a.name for a in found] == ["app-b"]


def test_creating_an_application_goes_through_the_services_with_its_members(root, people):
    data = {"name": "billing", "description": "Money", "tags": "team=payments"}
    data.update(membership_formset({"user": str(people.developer_a.pk), "group": "", "role": Role.DEVELOPER}))
    response = root.post(admin_url(Application, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    billing = Application.objects.get(name="billing")
    roles = {(ms.user.username, ms.role) for ms in billing.memberships.select_related("user")}
    assert roles == {("root", Role.ADMIN), ("developer_a", Role.DEVELOPER)}  # the creator is its first admin
    assert billing.slug == "billing" and billing.created_by == people.superuser


def test_an_invalid_name_is_a_form_error(root, people):
    response = root.post(admin_url(Application, "add"), {"name": "Bad_Name", **membership_formset()})
    assert response.status_code == 200
    assert "lowercase" in response.context["adminform"].form.errors["name"][0]
    assert not Application.objects.filter(name="Bad_Name").exists()


def test_a_member_that_is_both_a_user_and_a_group_is_refused_and_nothing_is_made(root, people):
    team = Membership.objects.get(group__name="team-a").group
    row = {"user": str(people.outsider.pk), "group": str(team.pk), "role": Role.VIEWER}
    response = root.post(admin_url(Application, "add"), {"name": "billing", **membership_formset(row)})
    assert response.status_code == 200
    assert "Choose either a user or a group" in str(
        response.context["inline_admin_formsets"][0].formset.errors
    )
    # The application was written while its form validated; the invalid inline rolled it back.
    assert not Application.objects.filter(name="billing").exists()


def test_changing_a_role_in_the_inline_goes_through_the_services(root, people):
    memberships = list(people.app_a.memberships.order_by("pk"))
    rows = [
        {
            "id": str(ms.pk),
            "application": str(people.app_a.pk),
            "user": str(ms.user_id or ""),
            "group": str(ms.group_id or ""),
            "role": Role.ADMIN if ms.user == people.viewer_a else ms.role,
        }
        for ms in memberships
    ]
    rows[-1]["DELETE"] = "on"  # and take the last one out
    data = {"name": "app-a", "description": "Application A", "status": "READY", "tags": ""}
    data.update(membership_formset(*rows, initial=len(rows)))
    response = root.post(admin_url(Application, "change", people.app_a.pk), data)
    assert response.status_code == 302
    assert Membership.objects.get(application=people.app_a, user=people.viewer_a).role == Role.ADMIN
    assert not Membership.objects.filter(pk=memberships[-1].pk).exists()
    people.app_a.refresh_from_db()
    assert people.app_a.revision == 2


def test_the_delete_page_shows_both_plans(root, people):
    f.FunctionFactory(name="hello", applications=[people.app_a], image__applications=[people.app_a])
    html = root.get(admin_url(Application, "delete", people.app_a.pk)).content.decode()
    assert 'value="delete"' in html and 'value="orphan"' in html
    assert "function hello" in html


def test_deleting_with_cascade_orphan_keeps_the_entities(root, people):
    function = f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    response = root.post(
        admin_url(Application, "delete", people.app_a.pk), {"post": "yes", "cascade": "orphan"}
    )
    assert response.status_code == 302
    assert not Application.objects.filter(name="app-a").exists()
    assert m.Function.objects.get(pk=function.pk).application_names() == []


def test_deleting_with_cascade_delete_deletes_the_entities_only_it_holds(root, people):
    function = f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    response = root.post(
        admin_url(Application, "delete", people.app_a.pk), {"post": "yes", "cascade": "delete"}
    )
    assert response.status_code == 302
    assert not m.Function.objects.filter(pk=function.pk).exists()


@override_settings(DISPATCH_SCOPES={"function": "many"})
def test_a_delete_the_services_refuse_is_reported_and_changes_nothing(root, people):
    image = f.ImageFactory(name="private-image", applications=[people.app_a])
    f.FunctionFactory(name="shared", applications=[people.app_a, people.app_b], image=image)
    response = root.post(
        admin_url(Application, "delete", people.app_a.pk), {"post": "yes", "cascade": "delete"}, follow=True
    )
    assert any("cannot be deleted with cascade=delete" in msg for msg in messages_of(response))
    assert Application.objects.filter(name="app-a").exists()
    assert m.Image.objects.filter(name="private-image").exists()

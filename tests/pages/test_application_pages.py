"""Application pages: list, detail (manages, uses, members), create, edit, delete with its plan,
and member management, for every role."""

import pytest

from applications.models import Application, Membership, Role
from entities import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_list_shows_only_the_users_applications_with_their_role(people, client_for):
    page = client_for(people.developer_a).get("/applications/").content.decode()
    assert 'href="/applications/app-a/"' in page and "app-b" not in page
    assert "developer" in page


def test_the_list_searches_names_and_descriptions(people, client_for):
    f.ApplicationFactory(name="billing", description="Invoices")
    client = client_for(people.superuser)
    page = client.get("/applications/?search=invoice").content.decode()
    assert "/applications/billing/" in page and "/applications/app-a/" not in page


def test_the_detail_shows_what_it_manages_uses_and_who_its_members_are(scene, people, client_for):
    page = client_for(people.viewer_a).get("/applications/app-a/").content.decode()
    manages, uses = page.split('id="manages-heading"')[1].split('id="uses-heading"')
    assert 'href="/functions/hello/"' in manages and 'href="/images/python3/"' in manages
    assert 'href="/runs/' in manages
    assert 'href="/base-images/python3-base/"' in uses and 'href="/event-driver-types/ticker-type/"' in uses
    assert "/functions/hello/" not in uses
    assert "admin_a" in page and "group team-a" in page
    assert "/functions/bee/" not in page


def test_an_application_the_user_is_not_in_is_a_404_on_every_page(people, client_for):
    client = client_for(people.member_b)
    for url in ("/applications/app-a/", "/applications/app-a/edit/", "/applications/app-a/delete/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/applications/app-a/members/").status_code == 404
    assert (
        client.post("/applications/app-a/members/", {"member": "member_b", "role": "admin"}).status_code
        == 404
    )
    assert not Membership.objects.filter(application=people.app_a, user=people.member_b).exists()


def test_only_staff_create_applications_and_become_their_admin(people, client_for):
    assert client_for(people.admin_a).get("/applications/new/").status_code == 403
    client = client_for(people.staff)
    response = client.post("/applications/new/", {"name": "fresh", "description": "New", "tags": "team=x"})
    assert response.status_code == 302 and response["Location"] == "/applications/fresh/"
    application = Application.objects.get(name="fresh")
    assert Membership.objects.get(application=application).user == people.staff
    assert list(application.tags.names()) == ["team=x"]


def test_a_bad_application_name_is_a_field_error_and_nothing_is_made(people, client_for):
    response = client_for(people.staff).post("/applications/new/", {"name": "Not A Label"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "Use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit."
    ]
    response = client_for(people.staff).post("/applications/new/", {"name": "app-a"})
    assert response.context["form"].errors["name"] == [
        "An application named 'app-a' already exists; choose another name."
    ]
    assert Application.objects.count() == 2


def test_an_application_admin_edits_it_and_a_developer_may_not(people, client_for):
    assert client_for(people.developer_a).get("/applications/app-a/edit/").status_code == 403
    client = client_for(people.admin_a)
    data = {"name": "app-a", "description": "Changed", "status": "READY", "tags": "", "revision": "1"}
    assert client.post("/applications/app-a/edit/", data).status_code == 302
    people.app_a.refresh_from_db()
    assert people.app_a.description == "Changed" and people.app_a.revision == 2


def test_renaming_the_current_application_keeps_it_current(people, client_for):
    client = client_for(people.admin_a)
    client.post("/switch/", {"application": "app-a"})
    client.post("/applications/app-a/edit/", {"name": "app-z", "status": "READY"})
    assert client.session["dispatch_application"] == "app-z"


def test_delete_shows_the_plan_for_both_cascades_before_deleting(scene, people, client_for):
    shared = f.SecretFactory(name="shared", applications=[people.app_a, people.app_b])
    client = client_for(people.admin_a)
    page = client.get("/applications/app-a/delete/").content.decode()
    deleted, kept = page.split("Deleted (")[1].split("Kept, without this application (")
    assert "hello" in deleted and "shared" in kept and "shared" not in deleted
    orphan = client.get("/applications/app-a/delete/?cascade=orphan").content.decode()
    deleted, kept = orphan.split("Deleted (")[1].split("Kept, without this application (")
    assert "Nothing is deleted." in deleted and "hello" in kept
    assert (
        Application.objects.filter(name="app-a").exists() and m.Secret.objects.filter(pk=shared.pk).exists()
    )


def test_delete_with_orphan_keeps_every_entity(scene, people, client_for):
    client = client_for(people.admin_a)
    response = client.post("/applications/app-a/delete/", {"cascade": "orphan"})
    assert response.status_code == 302 and response["Location"] == "/applications/"
    assert not Application.objects.filter(name="app-a").exists()
    assert m.Function.objects.get(name="hello").application_names() == []


def test_delete_with_cascade_deletes_what_only_it_holds(scene, people, client_for):
    client = client_for(people.admin_a)
    client.post("/switch/", {"application": "app-a"})
    assert client.post("/applications/app-a/delete/", {"cascade": "delete"}).status_code == 302
    assert not m.Function.objects.filter(name="hello").exists()
    assert m.Function.objects.filter(name="bee").exists()
    assert "dispatch_application" not in client.session


def test_a_delete_that_would_break_a_reference_says_so_and_offers_orphan(scene, people, client_for):
    f.FunctionFactory(name="shared", image=scene.image, applications=[people.app_a, people.app_b])
    client = client_for(people.admin_a)
    page = client.get("/applications/app-a/delete/").content.decode()
    assert "cannot be deleted with cascade=delete" in page and "Delete app-a</button>" not in page
    response = client.post("/applications/app-a/delete/", {"cascade": "delete"})
    assert response.status_code == 400
    assert Application.objects.filter(name="app-a").exists()


def test_a_developer_may_not_delete_the_application(scene, people, client_for):
    client = client_for(people.developer_a)
    assert client.get("/applications/app-a/delete/").status_code == 403
    assert client.post("/applications/app-a/delete/", {"cascade": "delete"}).status_code == 403
    assert Application.objects.filter(name="app-a").exists()


def test_an_unknown_cascade_is_refused(people, client_for):
    response = client_for(people.admin_a).post("/applications/app-a/delete/", {"cascade": "everything"})
    assert response.status_code == 400
    assert Application.objects.filter(name="app-a").exists()


def test_an_admin_adds_changes_and_removes_members(people, client_for):
    client = client_for(people.admin_a)
    assert (
        client.post("/applications/app-a/members/", {"member": "outsider", "role": "viewer"}).status_code
        == 302
    )
    membership = Membership.objects.get(application=people.app_a, user=people.outsider)
    assert membership.role == Role.VIEWER
    client.post("/applications/app-a/members/", {"member": "outsider", "role": "developer"})
    membership.refresh_from_db()
    assert membership.role == Role.DEVELOPER
    f.GroupFactory(name="ops")
    client.post("/applications/app-a/members/", {"member": "group:ops", "role": "viewer"})
    assert Membership.objects.filter(application=people.app_a, group__name="ops").exists()
    assert client.post("/applications/app-a/members/", {"remove": membership.pk}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_unknown_members_and_roles_are_field_errors(people, client_for):
    client = client_for(people.admin_a)
    response = client.post("/applications/app-a/members/", {"member": "nobody", "role": "viewer"})
    assert response.status_code == 400
    assert response.context["form"].errors["member"] == ["User 'nobody' does not exist; check the username."]
    response = client.post("/applications/app-a/members/", {"member": "group:none", "role": "viewer"})
    assert response.context["form"].errors["member"] == ["Group 'none' does not exist."]
    response = client.post("/applications/app-a/members/", {"member": "outsider", "role": "owner"})
    assert response.status_code == 400 and response.context["form"].errors["role"]
    assert not Membership.objects.filter(user=people.outsider).exists()


def test_a_developer_sees_members_but_may_not_change_them(people, client_for):
    client = client_for(people.developer_a)
    page = client.get("/applications/app-a/members/").content.decode()
    assert "admin_a" in page and "Save member" not in page
    assert (
        client.post("/applications/app-a/members/", {"member": "outsider", "role": "admin"}).status_code
        == 403
    )
    membership = Membership.objects.get(application=people.app_a, user=people.viewer_a)
    assert client.post("/applications/app-a/members/", {"remove": membership.pk}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_application_cannot_be_removed_through_this_one(people, client_for):
    other = Membership.objects.get(application=people.app_b, user=people.member_b)
    response = client_for(people.admin_a).post("/applications/app-a/members/", {"remove": other.pk})
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()

"""An application never loses its last admin through its own admins: not by self-demotion, not by
removal, not by removing the group that is its only admin path. Staff may, on purpose. The same rule
and message on the services, the API, the pages and the admin; nothing changes when it is refused."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from applications import services
from applications.models import Membership, Role
from tests import factories as f
from tests.admin.conftest import admin_url

pytestmark = pytest.mark.django_db

REFUSAL = (
    "Application 'app-a' would have no admin left without admin_a; make another member admin first, "
    "or ask staff."
)


def admin_membership(people) -> Membership:
    return Membership.objects.get(application=people.app_a, user=people.admin_a)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def roles(people) -> list:
    return sorted(people.app_a.memberships.values_list("user__username", "group__name", "role"), key=str)


def test_the_last_admin_may_not_demote_themselves_through_the_service(people):
    before = roles(people)
    with pytest.raises(ValidationError) as exc:
        services.membership_set(
            application=people.app_a, user=people.admin_a, member_user=people.admin_a, role=Role.DEVELOPER
        )
    assert exc.value.message_dict == {"role": [REFUSAL]}
    with pytest.raises(ValidationError):
        services.membership_delete(membership=admin_membership(people), user=people.admin_a)
    assert roles(people) == before


def test_the_last_admin_may_not_demote_themselves_on_the_api(people):
    before = roles(people)
    url = f"/api/v1/applications/app-a/members/{admin_membership(people).pk}/"
    response = api(people.admin_a).patch(url, {"role": "viewer"})
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": f"role: {REFUSAL}", "errors": {"role": [REFUSAL]}}
    response = api(people.admin_a).post(
        "/api/v1/applications/app-a/members/", {"user": "admin_a", "role": "viewer"}
    )
    assert response.status_code == 400 and response.json()["errors"] == {"role": [REFUSAL]}
    assert roles(people) == before


def test_the_last_admin_may_not_remove_themselves_on_the_api(people):
    before = roles(people)
    response = api(people.admin_a).delete(
        f"/api/v1/applications/app-a/members/{admin_membership(people).pk}/"
    )
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": REFUSAL, "errors": {"non_field_errors": [REFUSAL]}}
    assert roles(people) == before


def test_the_last_admin_may_not_demote_or_remove_themselves_on_the_pages(people, client):
    before = roles(people)
    client.force_login(people.admin_a)
    response = client.post("/applications/app-a/members/", {"remove": admin_membership(people).pk})
    assert response.status_code == 400
    assert REFUSAL.replace("'", "&#x27;") in response.content.decode()
    response = client.post("/applications/app-a/members/", {"member": "admin_a", "role": "developer"})
    assert response.status_code == 400
    assert REFUSAL.replace("'", "&#x27;") in response.content.decode()
    assert roles(people) == before


def test_an_admin_may_step_down_once_someone_else_is_admin(people):
    services.membership_set(
        application=people.app_a, user=people.admin_a, member_user=people.developer_a, role=Role.ADMIN
    )
    services.membership_delete(membership=admin_membership(people), user=people.admin_a)
    assert not Membership.objects.filter(application=people.app_a, user=people.admin_a).exists()


def test_a_group_that_is_the_only_admin_path_may_not_be_removed(people):
    team = Membership.objects.get(application=people.app_a, group__name="team-a")
    services.membership_set(
        application=people.app_a, user=people.admin_a, member_group=team.group, role=Role.ADMIN
    )
    services.membership_delete(membership=admin_membership(people), user=people.group_member_a)
    response = api(people.group_member_a).delete(f"/api/v1/applications/app-a/members/{team.pk}/")
    assert response.status_code == 400
    assert "would have no admin left without group team-a" in response.json()["message"]
    assert Membership.objects.get(pk=team.pk).role == Role.ADMIN


def test_an_empty_group_or_a_deactivated_user_is_no_admin_path(people):
    empty = f.GroupFactory(name="nobody-here")
    Membership.objects.create(application=people.app_a, group=empty, role=Role.ADMIN)
    gone = f.UserFactory(username="gone", is_active=False)
    Membership.objects.create(application=people.app_a, user=gone, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.membership_delete(membership=admin_membership(people), user=people.admin_a)


def test_staff_may_leave_an_application_without_admin(people):
    response = api(people.staff).delete(f"/api/v1/applications/app-a/members/{admin_membership(people).pk}/")
    assert response.status_code == 204
    assert not people.app_a.memberships.filter(role=Role.ADMIN).exists()


def test_two_admins_may_not_remove_each_other_one_after_the_other(people):
    services.membership_set(
        application=people.app_a, user=people.admin_a, member_user=people.developer_a, role=Role.ADMIN
    )
    other = Membership.objects.get(application=people.app_a, user=people.developer_a)
    services.membership_delete(membership=other, user=people.admin_a)
    with pytest.raises(ValidationError):
        services.membership_delete(membership=admin_membership(people), user=people.admin_a)


@pytest.fixture
def staff_admin_without_application_rights(people, client):
    """admin_a may edit users in the admin (and memberships there) but not applications as staff."""
    user = people.admin_a
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_user",
                "change_user",
                "view_membership",
                "change_membership",
                "delete_membership",
            ]
        )
    )
    client.force_login(user)
    return client


def user_page(user, **changes) -> dict:
    data = {
        "username": user.username,
        "password": user.password,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "groups": [str(g.pk) for g in user.groups.all()],
        "application_memberships-TOTAL_FORMS": "0",
        "application_memberships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def user_form(user, membership, **row) -> dict:
    """The user's admin page with one membership row, changed by `row`."""
    fields = {"id": membership.pk, "user": user.pk, "application": membership.application_id, "role": "admin"}
    fields.update(row)
    return user_page(
        user,
        is_staff="on",
        **{"application_memberships-TOTAL_FORMS": "1", "application_memberships-INITIAL_FORMS": "1"},
        **{f"application_memberships-0-{key}": str(value) for key, value in fields.items()},
    )


@pytest.mark.parametrize("change", [{"role": "viewer"}, {"DELETE": "on"}], ids=["demote", "remove"])
def test_the_last_admin_may_not_drop_their_role_in_the_admin(
    people, staff_admin_without_application_rights, change
):
    before = roles(people)
    url = admin_url(User, "change", people.admin_a.pk)
    response = staff_admin_without_application_rights.post(
        url, user_form(people.admin_a, admin_membership(people), **change)
    )
    assert response.status_code == 200
    assert REFUSAL.replace("'", "&#x27;") in response.content.decode()
    assert roles(people) == before


def test_a_superuser_may_drop_the_last_admin_in_the_admin(people, client):
    client.force_login(people.superuser)
    url = admin_url(User, "change", people.admin_a.pk)
    data = user_form(people.admin_a, admin_membership(people), role="viewer")
    data.pop("is_staff")
    response = client.post(url, data)
    assert response.status_code == 302
    assert admin_membership(people).role == Role.VIEWER


@pytest.fixture
def helpdesk(people, client):
    """Staff who manage users and groups in the admin, but not applications."""
    user = f.UserFactory(username="helpdesk", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="auth", content_type__model__in=["user", "group"])
    )
    client.force_login(user)
    return client


def only_the_group_is_admin(people) -> Membership:
    team = Membership.objects.get(application=people.app_a, group__name="team-a")
    team.role = Role.ADMIN
    team.save()
    admin_membership(people).delete()
    return team


ADMIN_REFUSAL = (
    "Nothing was changed: application &#x27;app-a&#x27; would have no admin left; make another member "
    "admin first, or ask staff."
)


def test_staff_without_application_rights_may_not_deactivate_the_last_admin(people, helpdesk):
    response = helpdesk.post(
        admin_url(User, "change", people.admin_a.pk), user_page(people.admin_a, is_active=None), follow=True
    )
    assert ADMIN_REFUSAL in response.content.decode()
    assert "was changed successfully" not in response.content.decode()
    people.admin_a.refresh_from_db()
    assert people.admin_a.is_active


def test_staff_without_application_rights_may_not_empty_the_only_admin_group(people, helpdesk):
    only_the_group_is_admin(people)
    response = helpdesk.post(
        admin_url(User, "change", people.group_member_a.pk),
        user_page(people.group_member_a, groups=[]),
        follow=True,
    )
    assert ADMIN_REFUSAL in response.content.decode()
    assert people.group_member_a.groups.filter(name="team-a").exists()


def test_staff_without_application_rights_may_not_delete_the_last_admin_or_its_group(people, helpdesk):
    response = helpdesk.post(admin_url(User, "delete", people.admin_a.pk), {"post": "yes"}, follow=True)
    assert ADMIN_REFUSAL in response.content.decode()
    assert User.objects.filter(pk=people.admin_a.pk).exists()
    team = only_the_group_is_admin(people)
    response = helpdesk.post(admin_url(Group, "delete", team.group.pk), {"post": "yes"}, follow=True)
    assert ADMIN_REFUSAL in response.content.decode()
    assert Group.objects.filter(pk=team.group.pk).exists()


def test_staff_without_application_rights_may_still_change_other_users(people, helpdesk):
    response = helpdesk.post(
        admin_url(User, "change", people.viewer_a.pk), user_page(people.viewer_a, is_active=None)
    )
    assert response.status_code == 302
    people.viewer_a.refresh_from_db()
    assert not people.viewer_a.is_active

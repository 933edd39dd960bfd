"""Users and groups with their application memberships; API tokens listed, made and revoked."""

import re

import pytest
from django.contrib.auth.models import Group, User

from applications.models import APIToken, Membership, Role
from applications.tokens import token_create, user_for_key

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db


def inline(prefix: str, *rows, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def test_the_user_page_lists_the_users_memberships(root, people):
    html = root.get(admin_url(User, "change", people.developer_a.pk)).content.decode()
    assert "Application memberships" in html
    assert "app-a" in html


def test_a_membership_added_on_the_user_page_goes_through_the_services(root, people):
    user = people.outsider
    data = {
        "username": user.username,
        "password": user.password,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        **inline("application_memberships", {"application": str(people.app_b.pk), "role": Role.VIEWER}),
    }
    response = root.post(admin_url(User, "change", user.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Membership.objects.get(user=user).application == people.app_b


def test_the_group_page_lists_and_changes_the_groups_memberships(root, people):
    team = Group.objects.get(name="team-a")
    membership = Membership.objects.get(group=team)
    assert "app-a" in root.get(admin_url(Group, "change", team.pk)).content.decode()
    row = {
        "id": str(membership.pk),
        "group": str(team.pk),
        "application": str(people.app_a.pk),
        "role": Role.ADMIN,
    }
    data = {"name": "team-a", **inline("application_memberships", row, initial=1)}
    response = root.post(admin_url(Group, "change", team.pk), data)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_tokens_are_listed_without_their_keys(root, people):
    token, key = token_create(user=people.developer_a, name="laptop")
    html = (
        root.get(admin_url(APIToken)).content.decode()
        + root.get(admin_url(APIToken, "change", token.pk)).content.decode()
    )
    assert "laptop" in html and token.prefix in html
    assert key not in html and token.key_hash not in html


def test_a_token_made_in_the_admin_shows_its_key_once(root, people):
    response = root.post(
        admin_url(APIToken, "add"), {"user": people.developer_a.pk, "name": "ci-deploy"}, follow=True
    )
    [message] = [msg for msg in messages_of(response) if msg.startswith("The key of API token 'ci-deploy'")]
    key = re.search(r"is (dsp_\S+) ", message).group(1)
    assert user_for_key(key) == people.developer_a
    assert key not in root.get(admin_url(APIToken)).content.decode()  # and never again
    assert APIToken.objects.get(name="ci-deploy").key_hash != key


def test_revoking_tokens_deletes_them(root, people):
    first, _ = token_create(user=people.developer_a, name="one")
    second, key = token_create(user=people.viewer_a, name="two")
    response = root.post(admin_url(APIToken, "delete", first.pk), {"post": "yes"})
    assert response.status_code == 302
    data = {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"}
    root.post(admin_url(APIToken), data)
    assert not APIToken.objects.exists()
    assert user_for_key(key) is None


def test_the_bulk_action_is_called_revoke(root, people):
    token_create(user=people.developer_a, name="one")
    assert "Revoke selected API tokens" in root.get(admin_url(APIToken)).content.decode()


def test_a_token_cannot_be_changed(root, people):
    token, _ = token_create(user=people.developer_a, name="one")
    response = root.post(admin_url(APIToken, "change", token.pk), {"user": people.viewer_a.pk, "name": "x"})
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.name == "one"


def test_the_admin_is_branded_dispatch(root):
    html = root.get("/admin/").content.decode()
    assert "<title>Applications, entities and people | Dispatch admin</title>" in html
    assert "Dispatch administration" in html


def test_a_signed_out_visitor_is_sent_to_the_sign_in_page(client, people):
    response = client.get(admin_url(APIToken))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_cannot_revoke_someone_elses_token_and_are_told_why(client, people):
    token, key = token_create(user=people.developer_a, name="laptop")
    client.force_login(people.staff)  # staff with every applications permission, not a superuser
    response = client.post(admin_url(APIToken, "delete", token.pk), {"post": "yes"}, follow=True)
    assert any(
        "was not deleted: You can revoke only your own tokens." in msg for msg in messages_of(response)
    )
    assert user_for_key(key) == people.developer_a

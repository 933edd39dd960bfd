"""Members of an application: its admins add, change and remove them; members may list them."""

import pytest

from applications.models import Membership
from tests import factories as f


def test_members_are_listed_to_the_applications_members(people, client_for):
    response = client_for(people.viewer_a).get("/api/v1/applications/app-a/members/")
    assert response.status_code == 200
    assert {(m["user"], m["group"], m["role"]) for m in response.json()} == {
        ("admin_a", None, "admin"),
        ("developer_a", None, "developer"),
        ("viewer_a", None, "viewer"),
        (None, "team-a", "developer"),
    }


def test_an_admin_adds_a_user_and_a_group(people, client_for):
    client = client_for(people.admin_a)
    response = client.post("/api/v1/applications/app-a/members/", {"user": "outsider", "role": "viewer"})
    assert response.status_code == 201, response.json()
    assert response.json()["user"] == "outsider" and response.json()["role"] == "viewer"
    assert client_for(people.outsider).get("/api/v1/applications/app-a/").status_code == 200

    f.GroupFactory(name="ops")
    response = client.post("/api/v1/applications/app-a/members/", {"group": "ops", "role": "developer"})
    assert response.status_code == 201 and response.json()["group"] == "ops"

    response = client.post("/api/v1/applications/app-a/members/", {"user": "outsider", "role": "developer"})
    assert response.status_code == 200 and response.json()["role"] == "developer"
    assert Membership.objects.filter(application=people.app_a, user=people.outsider).count() == 1


def test_an_admin_changes_a_role_and_removes_a_member(people, client_for):
    client = client_for(people.admin_a)
    membership = Membership.objects.get(application=people.app_a, user=people.viewer_a)
    url = f"/api/v1/applications/app-a/members/{membership.pk}/"
    response = client.patch(url, {"role": "developer"})
    assert response.status_code == 200 and response.json()["role"] == "developer"
    assert client.delete(url).status_code == 204
    assert client_for(people.viewer_a).get("/api/v1/applications/app-a/").status_code == 404
    assert client.delete(url).status_code == 404


@pytest.mark.parametrize("who", ["developer_a", "viewer_a", "group_member_a"])
def test_non_admins_cannot_manage_members(people, client_for, who):
    client = client_for(getattr(people, who))
    response = client.post("/api/v1/applications/app-a/members/", {"user": "outsider", "role": "admin"})
    assert response.status_code == 403
    assert "admin role" in response.json()["message"]
    membership = Membership.objects.get(application=people.app_a, user=people.viewer_a)
    assert client.delete(f"/api/v1/applications/app-a/members/{membership.pk}/").status_code == 403
    assert (
        client.patch(f"/api/v1/applications/app-a/members/{membership.pk}/", {"role": "admin"}).status_code
        == 403
    )
    assert Membership.objects.get(pk=membership.pk).role == "viewer"
    assert not Membership.objects.filter(user=people.outsider).exists()


def test_members_of_other_applications_get_404(people, client_for):
    client = client_for(people.member_b)
    assert (
        client.post("/api/v1/applications/app-a/members/", {"user": "member_b", "role": "admin"}).status_code
        == 404
    )
    membership = Membership.objects.get(application=people.app_a, user=people.viewer_a)
    assert client.delete(f"/api/v1/applications/app-a/members/{membership.pk}/").status_code == 404
    other = Membership.objects.get(application=people.app_b, user=people.member_b)
    admin = client_for(people.admin_a)
    assert admin.delete(f"/api/v1/applications/app-a/members/{other.pk}/").status_code == 404


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"user": "nobody", "role": "viewer"}, "user"),
        ({"group": "nogroup", "role": "viewer"}, "group"),
        ({"user": "outsider", "role": "owner"}, "role"),
        ({"user": "outsider", "group": "team-a", "role": "viewer"}, "user"),
        ({"role": "viewer"}, "user"),
        ({"user": "outsider", "role": "viewer", "expires": "never"}, "expires"),
    ],
)
def test_bad_member_requests_are_400(people, client_for, payload, field):
    response = client_for(people.admin_a).post("/api/v1/applications/app-a/members/", payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Membership.objects.filter(user=people.outsider).exists()

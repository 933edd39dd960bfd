"""Every page, for every role of the shared scene: 200 where allowed, 403 where the user sees the
thing but may not do this, 404 where the user may not see it at all."""

import pytest

pytestmark = pytest.mark.django_db

ROLES = ("admin_a", "developer_a", "group_member_a", "viewer_a", "member_b", "outsider", "staff", "superuser")
A_MEMBERS = {"admin_a", "developer_a", "group_member_a", "viewer_a"}
A_DEVELOPERS = {"admin_a", "developer_a", "group_member_a"}
STAFF = {"staff", "superuser"}


def expected(allowed: set, visible: set | None = None) -> dict:
    """200 for `allowed`, 403 for the rest of `visible` (everyone when None), 404 for the others."""
    visible = set(ROLES) if visible is None else visible
    return {role: 200 if role in allowed else 403 if role in visible else 404 for role in ROLES}


PAGES = {
    "/": expected(set(ROLES)),
    "/profile/": expected(set(ROLES)),
    "/applications/": expected(set(ROLES)),
    "/applications/new/": expected(STAFF),
    "/applications/app-a/": expected(A_MEMBERS | STAFF, A_MEMBERS | STAFF),
    "/applications/app-a/members/": expected(A_MEMBERS | STAFF, A_MEMBERS | STAFF),
    "/applications/app-a/edit/": expected({"admin_a"} | STAFF, A_MEMBERS | STAFF),
    "/applications/app-a/delete/": expected({"admin_a"} | STAFF, A_MEMBERS | STAFF),
    "/functions/": expected(set(ROLES)),
    "/functions/new/": expected(A_DEVELOPERS | {"member_b"} | STAFF),
    "/functions/hello/": expected(A_MEMBERS | STAFF, A_MEMBERS | STAFF),
    "/functions/hello/edit/": expected(A_DEVELOPERS | STAFF, A_MEMBERS | STAFF),
    "/functions/hello/delete/": expected(A_DEVELOPERS | STAFF, A_MEMBERS | STAFF),
    "/secrets/open-sesame/": expected(A_MEMBERS | STAFF, A_MEMBERS | STAFF),
    "/secrets/open-sesame/?reveal=1": expected(A_DEVELOPERS | STAFF, A_MEMBERS | STAFF),
    "/runs/{run}/": expected(A_MEMBERS | STAFF, A_MEMBERS | STAFF),
    "/base-images/python3-base/": expected(set(ROLES)),
    "/base-images/python3-base/edit/": expected(STAFF),
    "/base-images/new/": expected(STAFF),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_gate_says(role, scene, people, client):
    client.force_login(getattr(people, role))
    answers = {url: client.get(url.format(run=scene.run.name)).status_code for url in PAGES}
    assert answers == {url: statuses[role] for url, statuses in PAGES.items()}

"""One scene of people shared by every test: who has access to application A, and who does not."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from applications.models import Application, Role
from tests import factories as f


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing a password the production way takes ~0.3 s; tests make many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Failed sign-ins and the token endpoint's throttle are counted in the cache, and every test signs
    in from the same address: each test starts with no count."""
    cache.clear()


@dataclass
class People:
    app_a: Application
    app_b: Application
    admin_a: object  # admin of A
    developer_a: object  # developer of A
    viewer_a: object  # viewer of A
    member_b: object  # developer of B only
    group_member_a: object  # developer of A through the group "team-a"
    outsider: object  # signed in, member of nothing
    staff: object  # staff with every entities and applications permission
    superuser: object


@pytest.fixture
def people(db) -> People:
    return make_people()


def make_people() -> People:
    """The people of the scene; also for scenes built once per module (tests/isolation)."""
    app_a = f.ApplicationFactory(name="app-a", description="Application A")
    app_b = f.ApplicationFactory(name="app-b", description="Application B")
    users = {
        name: f.UserFactory(username=name)
        for name in ("admin_a", "developer_a", "viewer_a", "member_b", "group_member_a", "outsider", "staff")
    }
    f.MembershipFactory(application=app_a, user=users["admin_a"], role=Role.ADMIN)
    f.MembershipFactory(application=app_a, user=users["developer_a"], role=Role.DEVELOPER)
    f.MembershipFactory(application=app_a, user=users["viewer_a"], role=Role.VIEWER)
    f.MembershipFactory(application=app_b, user=users["member_b"], role=Role.DEVELOPER)
    team_a = f.GroupFactory(name="team-a")
    users["group_member_a"].groups.add(team_a)
    f.MembershipFactory(application=app_a, group=team_a, role=Role.DEVELOPER)
    staff = users["staff"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["entities", "applications"])
    )
    superuser = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    return People(app_a=app_a, app_b=app_b, superuser=superuser, **users)

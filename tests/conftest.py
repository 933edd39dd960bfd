"""One scene of people shared by every test: who has access to application A, and who does not."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache, caches
from django.core.cache.backends.db import BaseDatabaseCache

from applications.models import Application, Role
from tests import factories as f


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing a password the production way takes ~0.3 s; tests make many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache(request, django_db_blocker):
    """Failed sign-ins and the token endpoint's throttle are counted in the shared cache, and every test
    signs in from the same address: each test starts with no count. Without REDIS_URL that cache is a
    table of the test database, emptied when the test uses the database (only then can it count)."""
    cache.clear()
    if not isinstance(caches["shared"], BaseDatabaseCache):
        caches["shared"].clear()
    elif {"db", "transactional_db", "django_db_setup"} & set(
        request.fixturenames
    ) or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            caches["shared"].clear()


def session_queries() -> list[str]:
    """What reading the session asks the database: one query with the `db` engine (no REDIS_URL),
    none with sessions cached in Redis."""
    from django.conf import settings

    return ["the session"] if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db" else []


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

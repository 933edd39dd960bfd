"""Deleting an application while an entity is written into it: the two take turns on the application's
row. Either the write goes first (201/200, and the delete's plan takes the entity along) or the delete
does (the write is a 400 naming the application). Never a 500, and every `unassigned` flag is true to
the entity's applications afterwards."""

import threading
from contextlib import ExitStack, contextmanager
from unittest import mock

import pytest

from entities import models as m
from entities.integrity import wrong_flags
from tests import factories as f

from .threads import REPETITIONS, WAIT_SECONDS, api_client, at_once, requires_postgresql

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

GONE = "Application 'app-a' does not exist; check the name."


@contextmanager
def meeting_at(*targets: str):
    """Hold each thread at the first of `targets` it calls until one thread has reached each of them."""
    meeting = threading.Barrier(len(targets), timeout=WAIT_SECONDS)
    arrived = threading.local()
    with ExitStack() as stack:
        for target in targets:
            module_name, name = target.rsplit(".", 1)
            original = getattr(__import__(module_name, fromlist=[name]), name)

            def wrapper(*args, _original=original, **kwargs):
                if not getattr(arrived, "done", False):
                    arrived.done = True
                    meeting.wait()
                return _original(*args, **kwargs)

            stack.enter_context(mock.patch(target, wrapper))
        yield


def delete_application(people, cascade):
    return lambda: api_client(people.admin_a).delete(f"/api/v1/applications/app-a/?cascade={cascade}")


@pytest.mark.parametrize("cascade", ["delete", "orphan"])
@pytest.mark.parametrize("attempt", range(REPETITIONS))
def test_a_create_into_an_application_being_deleted_is_never_lost_nor_a_500(people, attempt, cascade):
    f.ImageFactory(name="shared-image", applications=[people.app_a, people.app_b])
    body = {"name": f"racer-{attempt}", "image": "shared-image", "applications": ["app-a"]}

    def create():
        return api_client(people.developer_a).post("/api/v1/functions/", body)

    # the create has resolved the application and passed its checks; the delete has passed its
    # permission check: both are about to write
    with meeting_at("entities.services.lock_applications", "applications.access.may_delete_application"):
        created, deleted = at_once(create, delete_application(people, cascade))

    assert deleted.status_code == 200, deleted.content
    assert created.status_code in (201, 400), created.content
    function = m.Function.objects.filter(name=f"racer-{attempt}").first()
    if created.status_code == 400:
        assert created.json()["errors"] == {"applications": [GONE]}
        assert function is None
    elif cascade == "delete":  # acknowledged, then deleted with the application, as its plan says
        assert {"kind": "function", "name": f"racer-{attempt}"} in deleted.json()["deleted"]
        assert function is None
    else:  # acknowledged, then orphaned: visible to everyone signed in, as unassigned
        assert {"kind": "function", "name": f"racer-{attempt}"} in deleted.json()["untagged"]
        assert function.unassigned and not function.applications.exists()
    assert wrong_flags() == {}


@pytest.mark.parametrize("attempt", range(REPETITIONS))
def test_moving_an_entity_into_an_application_being_deleted_is_never_a_500(people, attempt):
    f.SecretFactory(name=f"mover-{attempt}", applications=[people.app_b])
    f.MembershipFactory(application=people.app_b, user=people.admin_a, role="developer")
    url = f"/api/v1/secrets/mover-{attempt}/"

    def move():
        return api_client(people.admin_a).patch(url, {"applications": ["app-a"]})

    with meeting_at("entities.services.lock_applications", "applications.access.may_delete_application"):
        moved, deleted = at_once(move, delete_application(people, "orphan"))

    assert deleted.status_code == 200, deleted.content
    assert moved.status_code in (200, 400), moved.content
    secret = m.Secret.objects.get(name=f"mover-{attempt}")
    if moved.status_code == 400:
        assert moved.json()["errors"] == {"applications": [GONE]}
    assert secret.application_names() in (["app-b"], [])
    assert wrong_flags() == {}


@pytest.mark.parametrize("attempt", range(REPETITIONS))
def test_adding_a_member_to_an_application_being_deleted_is_never_a_500(people, attempt):
    def add_member():
        return api_client(people.admin_a).post(
            "/api/v1/applications/app-a/members/", {"user": "outsider", "role": "viewer"}
        )

    with meeting_at("applications.services._lock_application", "applications.access.may_delete_application"):
        added, deleted = at_once(add_member, delete_application(people, "orphan"))

    assert deleted.status_code == 200, deleted.content
    assert added.status_code in (201, 404), added.content
    if added.status_code == 404:
        assert added.json()["message"] == "Application 'app-a' does not exist."
    assert not people.outsider.application_memberships.exists()

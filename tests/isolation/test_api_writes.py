"""The API's writes, for every kind × every role: who may change, delete and create in which place,
and that a reference to a hidden entity, or a refusal about one, reads exactly as "does not exist"."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from entities.kinds import KINDS, KINDS_BY_NAME, referrers_of
from tests import factories as f
from tests import samples

from .world import (
    LOOSE,
    MISSING,
    ROLES,
    ROLES_BY_NAME,
    SYSTEM,
    A,
    B,
    Missing,
    assert_like_missing,
    assert_no_names,
    places_of,
)

pytestmark = pytest.mark.django_db

EVERY_ROLE = pytest.mark.parametrize("role", ROLES, ids=str)
EVERY_KIND = pytest.mark.parametrize("kind", KINDS, ids=str)


def expected_status(role, place, allowed: int) -> int:
    """401 signed out, 404 out of sight, `allowed` where the role may write, 403 where it may only read."""
    if not role.signed_in:
        return 401
    if place not in role.reads:
        return 404
    return allowed if place in role.writes else 403


def is_used(kind) -> bool:
    """In the world, every entity of a kind that others reference is referenced (runs never block)."""
    return any(other.name != "run" for other, _ in referrers_of(kind))


def new_entity(world, kind, place, name, applications):
    """A create's body: the kind's sample with references into `place` (or to the system entity)."""
    return samples.payload(kind, name, world.references(kind, place), applications)


def check(response, expected, missing, name, world, role, what):
    what = f"{what} as {role}: {response.content[:300]}"
    if expected == 404:
        assert_like_missing(response, missing, name, what)
    else:
        assert response.status_code == expected, what
    assert_no_names(response, world.hidden(role) - {name}, what)  # a 404 may repeat the name asked


@EVERY_KIND
@EVERY_ROLE
def test_a_change_is_for_developers_of_the_place_and_hidden_ones_are_404(world, api, kind, role):
    client = api(role)
    missing = Missing(lambda: client.patch(f"/api/v1/{kind.plural}/{MISSING}/", {"tags": ["touched"]}))
    for place in places_of(kind):
        name = world.name(kind, place)
        response = client.patch(f"/api/v1/{kind.plural}/{name}/", {"tags": ["touched"]})
        if kind.read_only:  # runs are runtime records: no change at all, the same for everyone
            expected = 401 if not role.signed_in else 405
        else:
            expected = expected_status(role, place, 200)
        check(response, expected, missing, name, world, role, f"PATCH {kind.plural}/{name}/")
        if expected == 403:
            assert "role" in response.json()["message"] or "staff" in response.json()["message"]


@EVERY_KIND
@EVERY_ROLE
def test_a_delete_is_for_developers_of_the_place_and_hidden_ones_are_404(world, api, kind, role):
    client = api(role)
    missing = Missing(lambda: client.delete(f"/api/v1/{kind.plural}/{MISSING}/"))
    for place in places_of(kind):
        name = world.name(kind, place)
        response = client.delete(f"/api/v1/{kind.plural}/{name}/")
        expected = expected_status(role, place, 400 if is_used(kind) else 204)
        check(response, expected, missing, name, world, role, f"DELETE {kind.plural}/{name}/")
        assert kind.model.objects.filter(name=name).exists() == (expected != 204)
        if expected == 400:  # what uses it is in the same place, so the role sees it and may be told
            assert " is used by " in response.json()["message"]


@EVERY_KIND
@EVERY_ROLE
def test_a_create_in_a_is_for_its_developers_and_a_is_unknown_to_others(world, api, kind, role):
    client = api(role)
    name = f"new-{kind.name}"
    if kind.read_only:  # a run is made by running a function: developers of its application
        return check_running_functions(world, client, role)
    place = SYSTEM if kind.is_system else A
    references = role.home or (A if A in role.reads else LOOSE)  # what the role would point at
    applications = None if kind.is_system else ["app-a"]
    response = client.post(f"/api/v1/{kind.plural}/", new_entity(world, kind, references, name, applications))
    expected = expected_status(role, place, 201)
    if expected == 404:  # app-a answers like an application that does not exist: a 400 on the field
        body = new_entity(world, kind, references, name, [MISSING])
        missing = client.post(f"/api/v1/{kind.plural}/", body)
        assert missing.status_code == 400
        assert_like_missing(response, missing, "app-a", f"POST {kind.plural}/ into app-a as {role}")
    else:
        assert response.status_code == expected, response.content[:300]
    assert_no_names(response, world.hidden(role), f"POST {kind.plural}/ as {role}")
    assert kind.model.objects.filter(name=name).exists() == (expected == 201)


def check_running_functions(world, client, role):
    """POST /runs/ {"function": …} in every place: a hidden function reads as one that does not
    exist (a 400 on the field), a visible one is run by its developers only."""
    runs = KINDS_BY_NAME["run"].model.objects
    missing = Missing(lambda: client.post("/api/v1/runs/", {"function": MISSING}, format="json"))
    for place in (A, B, LOOSE):
        function = world.name(KINDS_BY_NAME["function"], place)
        before = runs.count()
        response = client.post("/api/v1/runs/", {"function": function}, format="json")
        expected = expected_status(role, place, 200)
        what = f"POST runs/ of {function} as {role}: {response.content[:300]}"
        if expected == 404:
            assert_like_missing(response, missing, function, what)
        else:
            assert response.status_code == expected, what
        assert_no_names(response, world.hidden(role) - {function}, what)
        assert runs.count() == before + (expected == 200)


HOMED = [role for role in ROLES if role.home]
HIDDEN_REFERENCES = [  # runs are not written through the API
    (kind, ref)
    for kind in KINDS
    for ref in kind.references
    if kind.name != "run" and not KINDS_BY_NAME[ref.kind].is_system
]


@pytest.mark.parametrize("kind,ref", HIDDEN_REFERENCES, ids=[f"{k}.{r.field}" for k, r in HIDDEN_REFERENCES])
@pytest.mark.parametrize("role", HOMED, ids=str)
def test_a_reference_to_a_hidden_entity_reads_as_one_that_does_not_exist(world, api, kind, ref, role):
    client = api(role)
    other = B if role.home == A else A
    target_kind = KINDS_BY_NAME[ref.kind]
    hidden = world.name(target_kind, other)
    home_app = {A: "app-a", B: "app-b"}[role.home]
    body = new_entity(world, kind, role.home, f"new-{kind.name}", [home_app])

    def pointing_at(target):
        return {**body, ref.field: [target] if ref.many else target}

    response = client.post(f"/api/v1/{kind.plural}/", pointing_at(hidden))
    missing = client.post(f"/api/v1/{kind.plural}/", pointing_at(MISSING))
    assert missing.status_code == 400 and ref.field in missing.json()["errors"]
    assert_like_missing(response, missing, hidden, f"POST {kind.plural}/ with {ref.field}={hidden}")

    changed = world.name(kind, role.home)
    response = client.patch(f"/api/v1/{kind.plural}/{changed}/", {ref.field: pointing_at(hidden)[ref.field]})
    missing = client.patch(f"/api/v1/{kind.plural}/{changed}/", {ref.field: pointing_at(MISSING)[ref.field]})
    assert missing.status_code == 400
    assert_like_missing(
        response, missing, hidden, f"PATCH {kind.plural}/{changed}/ with {ref.field}={hidden}"
    )


SYSTEM_KINDS = [kind for kind in KINDS if kind.is_system]


@pytest.mark.parametrize("kind", SYSTEM_KINDS, ids=str)
def test_a_refused_delete_names_only_the_users_the_deleter_may_see(world, api, kind):
    """Staff with permissions on one system kind only may delete its entities, but the images or
    drivers of applications they are no member of stay out of sight, also in the refusal."""
    keeper = f.UserFactory(username="keeper", is_staff=True)
    keeper.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="entities",
            codename__in=[f"{action}_{kind.model._meta.model_name}" for action in ("view", "delete")],
        )
    )
    client = APIClient()
    client.force_authenticate(keeper)
    response = client.delete(f"/api/v1/{kind.plural}/{world.name(kind, SYSTEM)}/")
    assert response.status_code == 400
    users = [(other, ref) for other, ref in referrers_of(kind)]
    loose = [world.name(other, "loose") for other, _ in users]
    hidden = [world.name(other, place) for other, _ in users for place in (A, B)]
    assert_no_names(response, hidden, "the refusal")
    message = response.json()["message"]
    assert all(name in message for name in loose) and "and entities you cannot see;" in message, message
    assert kind.model.objects.filter(pk=world.entity(kind, SYSTEM).pk).exists()


@pytest.mark.parametrize(
    "kind", [kind for kind in KINDS if kind.name != "run" and not kind.is_system], ids=str
)
def test_a_name_taken_in_a_hidden_application_is_refused_as_taken_by_design(world, api, kind):
    """Names are unique per kind across applications (DESIGN 2.1), so a create that takes B's name
    says so: the one place where a member of A learns that a name exists elsewhere. Deliberate; if
    names become unique per application, this is the test to change."""
    developer_a = ROLES_BY_NAME["developer_a"]
    taken = world.name(kind, B)
    response = api(developer_a).post(f"/api/v1/{kind.plural}/", new_entity(world, kind, A, taken, ["app-a"]))
    assert response.status_code == 400
    [message] = response.json()["errors"]["name"]
    assert message.endswith(f"named '{taken}' already exists; choose another name.")
    assert_no_names(response, world.hidden(developer_a) - {taken}, "the refusal")


def test_a_run_of_a_function_that_moved_out_of_sight_keeps_only_its_frozen_name(world, api):
    """Issue 11 item 8: the run stays in A (a runtime record) with the name its function had when it
    ran, which A's members saw then; the link to the function, now in B, reads as null."""
    people = world.people
    function = world.entity(KINDS_BY_NAME["function"], A)
    run = world.entity(KINDS_BY_NAME["run"], A)
    for entity in (function.image, *function.secrets.all(), function):  # moved by a developer of both
        entity.applications.set([people.app_b])
    response = api(ROLES_BY_NAME["viewer_a"]).get(f"/api/v1/runs/{run.name}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["function"], body["function_name"], body["applications"]) == (None, function.name, ["app-a"])
    assert api(ROLES_BY_NAME["member_b"]).get(f"/api/v1/runs/{run.name}/").status_code == 404

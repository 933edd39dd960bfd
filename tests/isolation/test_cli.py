"""The `dispatch` CLI against a live server, for every role × every kind: `get` lists and looks up
exactly what the role may see, and a hidden entity fails like one that never existed. The CLI talks
HTTP to the server, so the world is committed here (transactional), once per role."""

import pytest

from entities.kinds import KINDS
from tests.cli.conftest import cli  # noqa: F401 - the CLI tests' fixture: main() against live_server
from tests.conftest import make_people

from .world import MISSING, ROLES, A, assert_no_names, build_world, places_of


@pytest.fixture
def committed_world(cli):  # noqa: F811 - cli is the fixture imported above
    return build_world(make_people())


def as_role(cli, world, role):  # noqa: F811
    if role.signed_in:
        return cli.as_user(world.user(role))
    cli.monkeypatch.setenv("DISPATCH_TOKEN", "not-a-token")  # the server must refuse it: a 401
    return cli


def assert_refused_like_missing(result, missing, name, what):
    assert result.code == missing.code == 1, (what, result.err)
    assert (result.out, missing.out) == ("", "")
    assert result.err.replace(name, MISSING) == missing.err, what


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_get_shows_exactly_what_the_role_may_see_of_every_kind(cli, committed_world, role):  # noqa: F811
    world = committed_world
    run = as_role(cli, world, role)
    hidden = world.hidden(role)
    for kind in KINDS:
        listed = run("get", kind.name, "-o", "json")
        place = places_of(kind)[0]  # A's entity, or the system one
        name = world.name(kind, place)
        flags = [] if kind.is_system else ["-a", "app-a"]
        found = run("get", kind.name, name, *flags, "-o", "json")
        if not role.signed_in:
            for result in (listed, found):
                assert result.code == 1 and "HTTP 401" in result.err, result.err
                assert_no_names(result.err, hidden - {name}, "a 401")
            continue
        assert sorted(item["name"] for item in listed.json()) == sorted(world.visible(role, kind)), kind.name
        assert_no_names(listed.out, hidden, f"get {kind.name}")
        if place in role.reads:
            assert found.json()["name"] == name
            assert_no_names(found.out, hidden, f"get {kind.name} {name}")
        else:
            missing = run("get", kind.name, MISSING, *flags, "-o", "json")
            assert_refused_like_missing(found, missing, name, f"get {kind.name} {name} {flags}")

    in_a = run("get", "-a", "app-a", "-o", "json")
    everything = run("get", "--all-applications", "-o", "json")
    if not role.signed_in:
        assert in_a.code == everything.code == 1 and "HTTP 401" in in_a.err + everything.err
        return
    if A in role.reads:
        expected = {world.name(kind, A) for kind in KINDS if not kind.is_system}
        assert {item["name"] for item in in_a.json()} == expected
    else:
        assert_refused_like_missing(in_a, run("get", "-a", MISSING, "-o", "json"), "app-a", "get -a app-a")
    visible = set().union(*(world.visible(role, kind) for kind in KINDS))
    assert {item["name"] for item in everything.json()} == visible
    assert_no_names(in_a.out + in_a.err + everything.out, hidden, "get -a / --all-applications")

"""The `dispatch` CLI against a live server, for every role × every kind: `get` lists and looks up
exactly what the role may see, and a hidden entity fails like one that never existed. The CLI talks
HTTP to the server, so the world is committed here, once for the module."""

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from entities.kinds import KINDS
from tests.cli.conftest import CLI
from tests.conftest import make_people

from .world import MISSING, ROLES, A, assert_no_names, build_world, places_of

MISSING_RUN = "00000000-0000-4000-8000-000000000000"  # a run id that no run has


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """A live server and the world, committed once for the module, flushed afterwards.

    Not pytest-django's `live_server`: a test that uses it gets a flush of the database after it,
    and the world would have to be built again for every test."""
    with django_db_blocker.unblock():
        live = LiveServer("localhost")
        live._live_server_modified_settings.enable()
        try:
            yield live, build_world(make_people())
        finally:
            live._live_server_modified_settings.disable()
            live.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(server):
    return server[1]


@pytest.fixture
def cli(server, monkeypatch, tmp_path):
    """As tests/cli's fixture: a home of its own, DISPATCH_* from here only."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DISPATCH_CONFIG", str(tmp_path / ".dispatch" / "config.json"))
    for variable in ("DISPATCH_TOKEN", "DISPATCH_APPLICATION", "DISPATCH_CONTEXT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DISPATCH_HOST", server[0].url)
    return CLI(monkeypatch, server[0].url)


def as_role(cli, world, role):
    if role.signed_in:
        return cli.as_user(world.user(role))
    cli.monkeypatch.setenv("DISPATCH_TOKEN", "not-a-token")  # the server must refuse it: a 401
    return cli


def assert_refused_like_missing(result, missing, name, what, placeholder=MISSING):
    assert result.code == missing.code == 1, (what, result.err)
    assert (result.out, missing.out) == ("", "")
    assert result.err.replace(name, placeholder) == missing.err, what


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_get_shows_exactly_what_the_role_may_see_of_every_kind(cli, world, role):
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
            break  # the server refuses before it looks at the kind: the API's matrix has every kind
        assert sorted(item["name"] for item in listed.json()) == sorted(world.visible(role, kind)), kind.name
        assert_no_names(listed.out, hidden, f"get {kind.name}")
        if place in role.reads:
            assert found.json()["name"] == name
            assert_no_names(found.out, hidden, f"get {kind.name} {name}")
        else:
            # a run is named by its id (`get runs NAME` lists the runs of function NAME otherwise)
            absent = MISSING_RUN if kind.named_by_id else MISSING
            missing = run("get", kind.name, absent, *flags, "-o", "json")
            assert_refused_like_missing(found, missing, name, f"get {kind.name} {name} {flags}", absent)

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

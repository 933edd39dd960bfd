"""The API's reads, for every kind × every role: lists, counts, details, filters, search, `entities/`,
an application's entities and its export show exactly what the role may see, and a hidden entity
answers like one that never existed."""

import pytest

from entities.kinds import KINDS

from .world import (
    LOOSE,
    MISSING,
    ROLES,
    A,
    B,
    Missing,
    assert_like_missing,
    assert_no_names,
    filter_name,
    places_of,
    shared_part,
)

pytestmark = pytest.mark.django_db

EVERY_KIND_AND_ROLE = pytest.mark.parametrize("role", ROLES, ids=str)
EVERY_KIND = pytest.mark.parametrize("kind", KINDS, ids=str)


def names_in(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    names = [item["name"] for item in body["results"]]
    assert body["count"] == len(names), "the count tells of rows the list does not show"
    return names


def assert_anonymous_refused(response, world):
    assert response.status_code == 401
    assert_no_names(response, world.hidden(ROLES[-2]), "a 401")  # the outsider's hidden ones: A's, B's


@EVERY_KIND
@EVERY_KIND_AND_ROLE
def test_a_list_and_its_count_hold_exactly_what_the_role_may_see(world, api, kind, role):
    response = api(role).get(f"/api/v1/{kind.plural}/?limit=1000")
    if not role.signed_in:
        return assert_anonymous_refused(response, world)
    assert sorted(names_in(response)) == sorted(world.visible(role, kind))
    assert_no_names(response, world.hidden(role), "the list")


@EVERY_KIND
@EVERY_KIND_AND_ROLE
def test_a_detail_shows_a_visible_entity_and_answers_a_hidden_one_like_a_missing_one(world, api, kind, role):
    client = api(role)
    for query in ("", "?application=app-a"):
        missing = Missing(lambda q=query: client.get(f"/api/v1/{kind.plural}/{MISSING}/{q}"))
        for place in places_of(kind):
            if query and place != A:
                continue  # only A's entity is in app-a; the others answer 404 like anything not in it
            name = world.name(kind, place)
            response = client.get(f"/api/v1/{kind.plural}/{name}/{query}")
            what = f"{kind.plural}/{name}/{query} as {role}"
            if not role.signed_in:
                assert_anonymous_refused(response, world)
            elif place in role.reads and (not query or place == A):
                assert response.status_code == 200, what
                assert response.json()["name"] == name
                assert_no_names(response, world.hidden(role), what)
            else:
                assert_like_missing(response, missing, name, what)


@EVERY_KIND
@EVERY_KIND_AND_ROLE
def test_the_application_filter_shows_a_only_to_its_members(world, api, kind, role):
    client = api(role)
    response = client.get(f"/api/v1/{kind.plural}/?application=app-a")
    if not role.signed_in:
        return assert_anonymous_refused(response, world)
    if A in role.reads:
        expected = [] if kind.is_system else [world.name(kind, A)]  # system kinds are never in one
        assert names_in(response) == expected
    else:  # the same 400 as for an application that does not exist
        missing = client.get(f"/api/v1/{kind.plural}/?application={MISSING}")
        assert_like_missing(response, missing, "app-a", f"?application=app-a as {role}")
    assert_no_names(response, world.hidden(role), "?application=app-a")


@EVERY_KIND
@EVERY_KIND_AND_ROLE
def test_the_name_filter_and_search_find_only_what_the_role_may_see(world, api, kind, role):
    client = api(role)
    queries = [f"name={world.name(kind, place)}" for place in places_of(kind)]
    queries.append(f"search={shared_part(kind).upper()}&limit=1000")  # a piece of every name of the kind
    for query in queries:
        response = client.get(f"/api/v1/{kind.plural}/?{query}")
        if not role.signed_in:
            assert_anonymous_refused(response, world)
            continue
        expected = world.visible(role, kind)
        if query.startswith("name="):
            expected = expected & {query.removeprefix("name=")}
        assert set(names_in(response)) == expected, (query, role.name)
        assert_no_names(response, world.hidden(role), query)


REFERENCES = [(kind, ref) for kind in KINDS for ref in kind.references]


@pytest.mark.parametrize("kind,ref", REFERENCES, ids=[f"{k}.{r.field}" for k, r in REFERENCES])
@EVERY_KIND_AND_ROLE
def test_a_reference_filter_finds_only_visible_users_of_the_entity_named(world, api, kind, ref, role):
    client = api(role)
    target_kind = next(k for k in KINDS if k.name == ref.kind)
    for target_place in places_of(target_kind):
        target = world.name(target_kind, target_place)
        response = client.get(f"/api/v1/{kind.plural}/?{filter_name(kind, ref)}={target}&limit=1000")
        if not role.signed_in:
            assert_anonymous_refused(response, world)
            continue
        expected = set()
        for place in places_of(kind):
            entity = world.entity(kind, place)
            value = getattr(entity, ref.field)
            targets = [t.name for t in value.all()] if ref.many else [value.name]
            if place in role.reads and target in targets:
                expected.add(entity.name)
        assert set(names_in(response)) == expected, (ref.field, target)
        assert_no_names(response, world.hidden(role), f"?{ref.field}={target}")


@EVERY_KIND
@EVERY_KIND_AND_ROLE
def test_the_list_of_every_kind_holds_exactly_what_the_role_may_see(world, api, kind, role):
    client = api(role)
    response = client.get(f"/api/v1/entities/?kind={kind.name}&limit=1000")
    if not role.signed_in:
        return assert_anonymous_refused(response, world)
    assert sorted(names_in(response)) == sorted(world.visible(role, kind))
    assert_no_names(response, world.hidden(role), "entities/")
    response = client.get(f"/api/v1/entities/?kind={kind.name}&search={shared_part(kind)}&limit=1000")
    assert sorted(names_in(response)) == sorted(world.visible(role, kind)), f"entities/?search= as {role}"
    assert_no_names(response, world.hidden(role), "entities/?search=")


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_the_unfiltered_list_of_every_kind_counts_only_what_the_role_may_see(world, api, role):
    response = api(role).get("/api/v1/entities/?limit=1000")
    if not role.signed_in:
        return assert_anonymous_refused(response, world)
    expected = set().union(*(world.visible(role, kind) for kind in KINDS))
    assert sorted(names_in(response)) == sorted(expected)
    assert_no_names(response, world.hidden(role), "entities/")


@EVERY_KIND
@EVERY_KIND_AND_ROLE
def test_an_applications_entities_are_listed_to_its_members_only(world, api, kind, role):
    client = api(role)
    response = client.get(f"/api/v1/applications/app-a/entities/?kind={kind.name}")
    if not role.signed_in:
        return assert_anonymous_refused(response, world)
    if A in role.reads:
        assert names_in(response) == ([] if kind.is_system else [world.name(kind, A)])
    else:
        missing = client.get(f"/api/v1/applications/{MISSING}/entities/?kind={kind.name}")
        assert_like_missing(response, missing, "app-a", f"app-a/entities/ as {role}")
    assert_no_names(response, world.hidden(role) | {world.name(k, B) for k in KINDS if not k.is_system})


@EVERY_KIND_AND_ROLE
def test_an_export_holds_the_applications_entities_for_its_members_only(world, api, role):
    client = api(role)
    response = client.get("/api/v1/applications/app-a/export/")
    if not role.signed_in:
        return assert_anonymous_refused(response, world)
    others = {world.name(k, place) for k in KINDS for place in (B, LOOSE) if not k.is_system}
    assert_no_names(response, world.hidden(role) | others, f"the export as {role}")
    if A not in role.reads:
        missing = client.get(f"/api/v1/applications/{MISSING}/export/")
        return assert_like_missing(response, missing, "app-a", f"the export as {role}")
    assert response.status_code == 200
    for kind in KINDS:
        exported = kind.name != "run"  # runs are runtime records and stay out of bundles
        name = world.name(kind, places_of(kind)[0])  # A's entity, or the system one A's entities use
        assert (name in response.content.decode()) == exported, kind.name

"""The pages and the admin, for every kind × every role: lists, search, details, edit and delete forms
and the application page show exactly what the role may see; a hidden entity answers like one that
never existed; signed-out users are sent to sign in and non-staff to the admin's sign-in."""

import pytest
from django.test import Client

from entities.kinds import KINDS, KINDS_BY_NAME, get_kind
from tests import samples

from .world import (
    LOOSE,
    MISSING,
    ROLES,
    SYSTEM,
    A,
    B,
    Missing,
    assert_like_missing,
    assert_no_names,
    places_of,
    shared_part,
)

pytestmark = pytest.mark.django_db

EVERY_ROLE = pytest.mark.parametrize("role", ROLES, ids=str)
EVERY_KIND = pytest.mark.parametrize("kind", KINDS, ids=str)
FORMS = [kind for kind in KINDS if kind.name != "run"]  # runs have no edit or delete pages


@pytest.fixture
def browser(world):
    """browser(role) is a test client with that role's session (anonymous: none)."""

    def sign_in(role):
        client = Client()
        if role.signed_in:
            client.force_login(world.user(role))
        return client

    return sign_in


def assert_sent_to_sign_in(response, url, login="/accounts/login/"):
    assert response.status_code == 302, url
    assert response["Location"].startswith(f"{login}?next="), response["Location"]


def check_page(response, role, visible: bool, allowed: int, missing: Missing, name, world, url):
    if not role.signed_in:
        assert_like_missing(response, missing(), name, url)
        return assert_sent_to_sign_in(response, url)
    if not visible:
        return assert_like_missing(response, missing(), name, f"{url} as {role}")
    assert response.status_code == allowed, f"{url} as {role}"
    assert_no_names(response, world.hidden(role), f"{url} as {role}")


@EVERY_KIND
@EVERY_ROLE
def test_a_list_page_and_its_search_show_exactly_what_the_role_may_see(world, browser, kind, role):
    client = browser(role)
    url = f"/{kind.plural}/"
    response = client.get(url)
    if not role.signed_in:
        return assert_sent_to_sign_in(response, url)
    assert response.status_code == 200
    page = response.content.decode()
    assert all(name in page for name in world.visible(role, kind)), url
    assert_no_names(response, world.hidden(role), url)
    response = client.get(f"{url}?search={shared_part(kind)}")  # a piece of every name of the kind
    assert all(name in response.content.decode() for name in world.visible(role, kind)), "search"
    assert_no_names(response, world.hidden(role), f"{url}?search=")


@EVERY_KIND
@EVERY_ROLE
def test_a_detail_page_shows_a_visible_entity_and_a_hidden_one_is_like_a_missing_one(
    world, browser, kind, role
):
    client = browser(role)
    missing = Missing(lambda: client.get(f"/{kind.plural}/{MISSING}/"))
    for place in places_of(kind):
        name = world.name(kind, place)
        url = f"/{kind.plural}/{name}/"
        check_page(client.get(url), role, place in role.reads, 200, missing, name, world, url)


@pytest.mark.parametrize("kind", FORMS, ids=str)
@EVERY_ROLE
def test_edit_and_delete_pages_are_for_developers_of_the_place(world, browser, kind, role):
    client = browser(role)
    for action in ("edit", "delete"):
        missing = Missing(lambda a=action: client.get(f"/{kind.plural}/{MISSING}/{a}/"))
        for place in places_of(kind):
            name = world.name(kind, place)
            url = f"/{kind.plural}/{name}/{action}/"
            allowed = 200 if place in role.writes else 403
            check_page(client.get(url), role, place in role.reads, allowed, missing, name, world, url)


@EVERY_ROLE
def test_runs_have_no_edit_or_delete_pages_for_anyone(world, browser, role):
    client = browser(role)
    name = world.name(get_kind("run"), A)
    for action in ("edit", "delete"):
        response = client.get(f"/runs/{name}/{action}/")
        assert_like_missing(response, client.get(f"/runs/{MISSING}/{action}/"), name, action)


@EVERY_ROLE
def test_the_application_page_shows_its_entities_to_its_members_only(world, browser, role):
    client = browser(role)
    url = "/applications/app-a/"
    response = client.get(url)
    others = {world.name(k, place) for k in KINDS for place in (B, LOOSE) if not k.is_system}
    missing = Missing(lambda: client.get(f"/applications/{MISSING}/"))
    check_page(response, role, A in role.reads, 200, missing, "app-a", world, url)
    assert_no_names(response, world.hidden(role) | others, f"{url} as {role}")
    if A in role.reads:  # what it manages, and the system entities those use
        for kind in KINDS:
            assert world.name(kind, places_of(kind)[0]) in response.content.decode(), kind.name


@EVERY_KIND
@EVERY_ROLE
def test_the_admin_is_for_staff_only(world, browser, kind, role):
    client = browser(role)
    model = kind.model._meta.model_name
    url = f"/admin/entities/{model}/"
    response = client.get(url)
    if role.name == "staff":
        assert response.status_code == 200, url
    else:
        assert_sent_to_sign_in(response, url, login="/admin/login/")
        assert_no_names(response, world.hidden(OUTSIDER), url)


OUTSIDER = next(role for role in ROLES if role.name == "outsider")


@pytest.mark.parametrize("kind", FORMS, ids=str)
@EVERY_ROLE
def test_a_create_form_is_for_developers_and_offers_only_visible_references(world, browser, kind, role):
    client = browser(role)
    url = f"/{kind.plural}/new/"
    response = client.get(url)
    if not role.signed_in:
        return assert_sent_to_sign_in(response, url)
    develops = SYSTEM in role.writes if kind.is_system else role.writes & {A, B}  # unassigned: staff
    assert response.status_code == (200 if develops else 403), f"{url} as {role}"
    assert_no_names(response, world.hidden(role), f"{url} as {role}")


PAGE_REFERENCES = [(k, ref) for k in FORMS for ref in k.references if not KINDS_BY_NAME[ref.kind].is_system]


@pytest.mark.parametrize("kind,ref", PAGE_REFERENCES, ids=[f"{k}.{r.field}" for k, r in PAGE_REFERENCES])
@pytest.mark.parametrize("role", [role for role in ROLES if role.home], ids=str)
def test_a_create_form_reads_a_hidden_reference_as_one_that_does_not_exist(world, browser, kind, ref, role):
    client = browser(role)
    other = B if role.home == A else A
    hidden = world.name(KINDS_BY_NAME[ref.kind], other)
    home_app = {A: "app-a", B: "app-b"}[role.home]

    def create(target):  # the kind's sample in the role's application, but for this reference
        references = {**world.references(kind, role.home), ref.field: target}
        return client.post(
            f"/{kind.plural}/new/", samples.form_data(kind, f"new-{kind.name}", references, home_app)
        )

    missing = create(MISSING)
    assert missing.status_code == 400 and "is not one of them" in missing.content.decode()
    assert_like_missing(create(hidden), missing, hidden, f"{kind.plural}/new/ with {ref.field}={hidden}")
    assert not kind.model.objects.filter(name=f"new-{kind.name}").exists()

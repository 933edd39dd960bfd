"""Events and topics for every role: who may emit into which application, which subscriptions an event
reaches, what the event log and its page show, and the API gateway's answer for each caller. An
application a role cannot see answers exactly like one that never existed."""

import pytest
from django.test import Client

from applications.tokens import token_create
from entities.models import API, Event, FunctionRun

from .world import LOOSE, MISSING, ROLES, A, B, Missing, assert_like_missing, assert_no_names

pytestmark = pytest.mark.django_db

EVERY_ROLE = pytest.mark.parametrize("role", ROLES, ids=str)
APPLICATION = {A: "app-a", B: "app-b"}


def event(place: str, type="ticker.tick") -> dict:
    """A CloudEvent whose id names its place, so a response that shows it can be caught."""
    return {"specversion": "1.0", "type": type, "source": "/matrix", "id": f"secret-of-{place}-event"}


def emit(client, body, application):
    return client.post(f"/api/v1/events/?application={application}", body, format="json")


@EVERY_ROLE
def test_emitting_is_for_developers_of_the_application_and_a_hidden_one_is_missing(world, api, role):
    client = api(role)
    missing = Missing(lambda: emit(client, event(A), MISSING))
    for place, application in APPLICATION.items():
        response = emit(client, event(place), application)
        what = f"emit into {application} as {role}: {response.content[:300]}"
        if not role.signed_in:
            assert response.status_code == 401, what
        elif place not in role.reads:
            assert_like_missing(response, missing, application, what)
        else:
            assert response.status_code == (202 if place in role.writes else 403), what
        assert_no_names(response, {f"secret-of-{p}-event" for p in (A, B) if p not in role.reads}, what)
    stored = set(Event.objects.values_list("application__name", flat=True))
    assert stored == {APPLICATION[p] for p in (A, B) if p in role.writes}


def test_an_event_reaches_the_subscriptions_of_its_own_application_only(world, api):
    staff = api(ROLES[-1])
    subscriptions = {place: world.entities[("subscription", place)] for place in (A, B, LOOSE)}
    for place, application in [(A, "app-a"), (B, "app-b")]:
        response = emit(staff, event(place), application)
        assert response.status_code == 202, response.content
        runs = FunctionRun.objects.filter(source_event__uid=response.json()["uid"])
        assert [run.function_id for run in runs] == [subscriptions[place].function_id]
    unassigned = staff.post("/api/v1/events/", event(LOOSE), format="json")  # staff: no application
    assert unassigned.json()["topic"] == "ticker.tick"
    runs = FunctionRun.objects.filter(source_event__uid=unassigned.json()["uid"])
    assert [run.function_id for run in runs] == [subscriptions[LOOSE].function_id]
    other_type = emit(staff, event(A, type="ticker.tock"), "app-a")
    assert other_type.json()["runs"] == []


@pytest.fixture
def events(world):
    return {
        place: Event.objects.create(
            application=world.people.app_a if place == A else world.people.app_b if place == B else None,
            topic="ticker.tick",
            type="ticker.tick",
            source="/matrix",
            id=f"secret-of-{place}-event",
        )  # fmt: skip
        for place in (A, B, LOOSE)
    }


def staff_only(role) -> set:
    return {LOOSE} if role.name == "staff" else set()


@EVERY_ROLE
def test_the_event_log_shows_each_role_only_the_events_of_its_applications(world, api, role, events):
    client = api(role)
    response = client.get("/api/v1/events/")
    if not role.signed_in:
        assert response.status_code == 401
        return assert_no_names(response, {e.id for e in events.values()}, "a 401")
    seen = (role.reads & {A, B}) | staff_only(role)
    assert {e["id"] for e in response.json()["results"]} == {events[p].id for p in seen}, role
    assert response.json()["count"] == len(seen)
    for query in ("?type=ticker.tick", "?since=2000-01-01T00:00:00Z"):
        assert_no_names(
            client.get(f"/api/v1/events/{query}"), {events[p].id for p in events if p not in seen}
        )
    missing = Missing(lambda: client.get(f"/api/v1/events/?application={MISSING}"))
    for place, application in APPLICATION.items():
        filtered = client.get(f"/api/v1/events/?application={application}")
        if place in role.reads:
            assert [e["id"] for e in filtered.json()["results"]] == [events[place].id]
        else:
            assert_like_missing(filtered, missing, application, f"log of {application} as {role}")


@EVERY_ROLE
def test_an_application_s_events_page_is_for_its_members(world, role, events):
    client = Client()
    if role.signed_in:
        client.force_login(world.user(role))
    missing = Missing(lambda: client.get(f"/applications/{MISSING}/events/"))
    for place, application in APPLICATION.items():
        url = f"/applications/{application}/events/"
        response = client.get(url)
        if not role.signed_in:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        elif place not in role.reads:
            assert_like_missing(response, missing, application, f"{url} as {role}")
        else:
            assert response.status_code == 200 and events[place].id in response.content.decode()
            assert_no_names(response, {events[p].id for p in events if p != place}, f"{url} as {role}")


@EVERY_ROLE
def test_the_gateway_runs_a_non_public_api_only_for_developers_of_its_application(world, role):
    API.objects.filter(name__in=["secret-of-a-api", "secret-of-b-api"]).update(authentication="basic")
    headers = {"x-dispatch-blocking": "false"}
    if role.signed_in:
        headers["Authorization"] = f"Token {token_create(user=world.user(role), name='matrix')[1]}"
    missing = Missing(lambda: Client().post(f"/gateway/{MISSING}/hello", headers=headers))
    for place, application in APPLICATION.items():
        response = Client().post(f"/gateway/{application}/hello", headers=headers)
        if place in role.writes:
            assert response.status_code == 202, (role, response.content)
        else:
            assert_like_missing(response, missing, application, f"gateway of {application} as {role}")

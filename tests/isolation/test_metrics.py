"""Monitoring, for every role: an application's metrics (API and dashboard page) exist only for those
who may read it, answer exactly like an application that never existed for everyone else, and name no
function (nor count an event) of another application; /metrics answers nobody without its token."""

import pytest

from entities.models import Event

from .world import MISSING, ROLES, A, B, assert_like_missing, assert_no_names

pytestmark = pytest.mark.django_db

APP = {A: "app-a", B: "app-b"}
EVERY_ROLE = pytest.mark.parametrize("role", ROLES, ids=str)
EVENTS = {A: 2, B: 1}  # events received by each application in the last hour: not the same number


@pytest.fixture
def events(world):
    for place, count in EVENTS.items():
        for n in range(count):
            application = getattr(world.people, f"app_{place}")
            Event.objects.create(
                application=application, topic=f"{application.name}.t", type="t", id=f"{n}", source="/s"
            )


def function_names(world, place) -> set[str]:
    return {f"secret-of-{place}-function"}


@EVERY_ROLE
@pytest.mark.parametrize("place", [A, B])
def test_the_metrics_api_answers_only_readers_and_names_nothing_of_other_applications(
    world, events, api, role, place
):
    response = api(role).get(f"/api/v1/applications/{APP[place]}/metrics/")
    if not role.signed_in:
        assert response.status_code == 401
        return assert_no_names(response, function_names(world, A) | function_names(world, B), "a 401")
    if place not in role.reads:
        missing = api(role).get(f"/api/v1/applications/{MISSING}/metrics/")
        return assert_like_missing(response, missing, APP[place], "the metrics of a hidden application")
    assert response.status_code == 200
    assert response.json()["totals"]["runs"] == 1  # the world's one run in each application
    assert response.json()["totals"]["events_in"] == EVENTS[place]  # its own events only
    other = B if place == A else A
    assert_no_names(response, function_names(world, other), "the metrics")


@EVERY_ROLE
@pytest.mark.parametrize("place", [A, B])
def test_the_dashboard_answers_only_readers_and_names_nothing_of_other_applications(
    world, client, role, place
):
    if role.signed_in:
        client.force_login(world.user(role))
    response = client.get(f"/applications/{APP[place]}/dashboard/")
    if not role.signed_in:
        assert response.status_code == 302
        return
    if place not in role.reads:
        missing = client.get(f"/applications/{MISSING}/dashboard/")
        return assert_like_missing(response, missing, APP[place], "the dashboard of a hidden application")
    assert response.status_code == 200
    assert_no_names(response, function_names(world, B if place == A else A), "the dashboard")


@EVERY_ROLE
def test_prometheus_metrics_answer_no_role_without_the_token(world, client, role, settings):
    settings.DISPATCH_METRICS_TOKEN = "the-token"
    if role.signed_in:
        client.force_login(world.user(role))
    response = client.get("/metrics")
    assert response.status_code == 401
    assert_no_names(response, {"app-a", "app-b", "secret-of-a-function", "secret-of-b-function"}, "/metrics")

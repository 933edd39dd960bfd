"""A database that fails half-way through a write: nothing of the write is left, and the API says so in
its one JSON error shape (a page shows the HTML error page).

The failure is injected with `connection.execute_wrapper`: the Nth INSERT (or DELETE) of the request
raises DatabaseError, as a lost connection or a full disk would. N walks through the write, so the
failure lands after 0, 1, 2, … rows were already written.
"""

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from rest_framework.test import APIClient

from applications import services as application_services
from applications.models import Application, Membership
from entities import bundles
from entities.kinds import KINDS
from tests import factories as f
from tests.api.conftest import build

BUNDLE = """
kind: Secret
name: db
secrets: {password: s3cret}
---
kind: Image
name: web-image
baseImageName: python3-base
---
kind: Function
name: hello
image: web-image
handler: hello.handle
secrets: [db]
tags: [{key: role, value: test}]
---
kind: API
name: hello-api
function: hello
methods: [GET]
uris: [/hello]
---
kind: Subscription
name: on-build
eventType: build.failed
function: hello
"""


class Injected:
    """Counts the statements of one verb and fails the Nth; `fired` tells that it did."""

    def __init__(self, verb: str, nth: int):
        self.verb, self.nth, self.seen, self.fired = verb, nth, 0, False

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(self.verb):
            self.seen += 1
            if self.seen == self.nth:
                self.fired = True
                raise DatabaseError(f"injected: {self.verb} number {self.nth} failed")
        return execute(sql, params, many, context)


@contextmanager
def failing(verb: str, nth: int):
    injected = Injected(verb, nth)
    with connection.execute_wrapper(injected):
        yield injected
    assert injected.fired, f"the write ran only {injected.seen} {verb} statements; lower N"


def everything() -> dict:
    """Every row a write could touch: entities of every kind with their applications, labels and
    references, applications and memberships."""
    state = {
        "applications": sorted(Application.objects.values_list("name", "revision")),
        "memberships": Membership.objects.count(),
    }
    for kind in KINDS:
        state[kind.name] = sorted(
            (
                e.name,
                e.revision,
                tuple(sorted(e.application_names())),
                tuple(sorted(t.name for t in e.tags.all())),
            )
            for e in kind.model.objects.all()
        )
    return state


def api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)  # answer as a server would: with handler500
    client.force_authenticate(user)
    return client


def assert_json_500(response):
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": 500,
        "message": "The server failed to answer; the error has been logged.",
        "errors": {},
    }


@pytest.fixture
def base_image(db):
    return f.BaseImageFactory(name="python3-base")


# --- bundle import ------------------------------------------------------------------------------

INSERTS_INTO_A_BUNDLE = [1, 2, 3, 5, 8, 13]  # the bundle runs ~20 INSERTs: the first, the middle, late


@pytest.mark.parametrize("nth", INSERTS_INTO_A_BUNDLE)
def test_a_bundle_that_fails_half_way_writes_nothing(people, base_image, nth):
    before = everything()

    with failing("INSERT", nth), pytest.raises(DatabaseError):
        bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE, application="app-a")

    assert everything() == before
    # and the same bundle applies in full once the database is back
    report = bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE, application="app-a")
    assert report.counts() == {"created": 5}


@pytest.mark.parametrize("nth", INSERTS_INTO_A_BUNDLE)
def test_a_bundle_posted_to_the_api_that_fails_half_way_is_a_json_500_and_writes_nothing(
    people, base_image, nth
):
    before = everything()

    with failing("INSERT", nth):
        response = api_client(people.developer_a).post(
            "/api/v1/bundles/?application=app-a", data=BUNDLE.encode(), content_type="application/yaml"
        )

    assert_json_500(response)
    assert everything() == before


# --- application delete -------------------------------------------------------------------------

DELETES_OF_AN_APPLICATION = [1, 2, 4, 8, 12]  # deleting A and its ~7 entities runs ~20 DELETEs


@pytest.fixture
def full_application(people, base_image):
    """A holds an entity of every kind that can be in an application; B the same (it must survive)."""
    driver_type = f.EventDriverTypeFactory(name="timer")
    build(people.app_a, "a", base_image, driver_type)
    build(people.app_b, "b", base_image, driver_type)
    return people.app_a


@pytest.mark.parametrize("nth", DELETES_OF_AN_APPLICATION)
def test_an_application_delete_that_fails_half_way_deletes_nothing(people, full_application, nth):
    before = everything()

    with failing("DELETE", nth), pytest.raises(DatabaseError):
        application_services.application_delete(application=full_application, user=people.admin_a)

    assert everything() == before


@pytest.mark.parametrize("nth", DELETES_OF_AN_APPLICATION)
def test_an_application_delete_through_the_api_that_fails_is_a_json_500_and_deletes_nothing(
    people, full_application, nth
):
    before = everything()

    with failing("DELETE", nth):
        response = api_client(people.admin_a).delete("/api/v1/applications/app-a/")

    assert_json_500(response)
    assert everything() == before


@pytest.mark.parametrize("nth", DELETES_OF_AN_APPLICATION)
def test_an_application_delete_from_its_page_that_fails_shows_the_error_page_and_deletes_nothing(
    people, full_application, nth
):
    client = Client(raise_request_exception=False)
    client.force_login(people.admin_a)
    before = everything()

    with failing("DELETE", nth):
        response = client.post("/applications/app-a/delete/", {"cascade": "delete"})

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert everything() == before

"""Quotas per application: each refused at its limit on every surface, with a message naming it."""

from datetime import timedelta
from html import escape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from applications import quotas, services
from applications.exceptions import QuotaExceeded
from applications.models import Application, Status
from entities import models as m
from tests import factories as f
from tests.bundles.examples import DATA
from tests.races.threads import at_once, requires_postgresql

FULL = "Application 'app-a' has reached its quota of 1 secret (max entities per kind)"


@pytest.fixture
def full_a(people):
    """Application A may hold one entity per kind, and holds one secret."""
    Application.objects.filter(pk=people.app_a.pk).update(max_entities_per_kind=1)
    people.app_a.refresh_from_db()
    f.SecretFactory(name="first", applications=[people.app_a])
    return people


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_refuses_an_entity_over_the_quota_with_a_400_naming_it(full_a):
    body = {"name": "second", "values": {"k": "v"}, "applications": ["app-a"]}
    response = api(full_a.developer_a).post("/api/v1/secrets/", body, format="json")

    assert response.status_code == 400
    assert FULL in response.json()["message"]
    assert not m.Secret.objects.filter(name="second").exists()


def test_other_kinds_and_other_applications_are_not_counted(full_a):
    body = {"name": "elsewhere", "values": {"k": "v"}, "applications": ["app-b"]}
    assert api(full_a.member_b).post("/api/v1/secrets/", body, format="json").status_code == 201
    body = {"name": "base", "docker_url": "x", "language": "python3"}
    assert api(full_a.staff).post("/api/v1/base-images/", body, format="json").status_code == 201
    image = {"name": "img", "base_image": "base", "applications": ["app-a"]}
    assert api(full_a.developer_a).post("/api/v1/images/", image, format="json").status_code == 201


def test_moving_an_entity_into_a_full_application_is_a_400(full_a):
    f.SecretFactory(name="loose", applications=[full_a.app_b])
    response = api(full_a.staff).patch("/api/v1/secrets/loose/", {"applications": ["app-a"]}, format="json")

    assert response.status_code == 400
    assert FULL in response.json()["message"]
    assert m.Secret.objects.get(name="loose").application_names() == ["app-b"]


def test_the_page_form_shows_the_quota_and_creates_nothing(full_a, client):
    client.force_login(full_a.developer_a)
    response = client.post("/secrets/new/", {"name": "second", "applications": "app-a", "values": "k=v"})

    assert response.status_code == 400
    assert escape(FULL) in response.content.decode()
    assert not m.Secret.objects.filter(name="second").exists()


def test_a_bundle_over_the_quota_is_refused_whole(full_a):
    text = "kind: Secret\nname: second\nsecrets: {k: v}\n"
    response = api(full_a.developer_a).post(
        "/api/v1/bundles/?application=app-a", data=text.encode(), content_type="application/yaml"
    )

    assert response.status_code == 400
    assert FULL in response.content.decode()
    assert not m.Secret.objects.filter(name="second").exists()


def test_the_cli_prints_the_quota_as_its_one_line_error(cli, people):
    Application.objects.filter(pk=people.app_a.pk).update(max_entities_per_kind=1)
    f.SecretFactory(name="first", applications=[people.app_a])
    result = cli.as_user(people.developer_a)(
        "create", "secret", "second", DATA / "secret.json", "-a", "app-a"
    )

    assert result.code == 1
    assert FULL in result.err and result.err.count("\n") == 1
    assert not m.Secret.objects.filter(name="second").exists()


def test_staff_set_quotas_on_the_edit_page_and_admins_of_the_application_cannot(people, client):
    client.force_login(people.admin_a)
    assert "max_concurrent_runs" not in client.get("/applications/app-a/edit/").content.decode()
    with pytest.raises(PermissionDenied, match="Only staff can change an application's quotas"):
        services.application_update(
            application=people.app_a, user=people.admin_a, quotas={"max_runs_per_minute": 5}
        )

    client.force_login(people.staff)
    data = {"name": "app-a", "description": "", "status": "READY", "tags": "", "max_entities_per_kind": "3",
            "max_concurrent_runs": "2", "max_runs_per_minute": ""}  # fmt: skip
    response = client.post("/applications/app-a/edit/", data)

    assert response.status_code == 302
    app = Application.objects.get(name="app-a")
    assert (app.max_entities_per_kind, app.max_concurrent_runs, app.max_runs_per_minute) == (3, 2, None)


def test_staff_set_quotas_in_the_admin(people, client):
    client.force_login(people.superuser)
    page = client.get(f"/admin/applications/application/{people.app_a.pk}/change/").content.decode()
    assert 'name="max_runs_per_minute"' in page
    data = {
        "name": "app-a", "description": "d", "status": "READY", "tags": "", "max_entities_per_kind": "",
        "max_concurrent_runs": "", "max_runs_per_minute": "7", "expected_revision": "1",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(f"/admin/applications/application/{people.app_a.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Application.objects.get(name="app-a").max_runs_per_minute == 7


def test_an_unknown_quota_is_a_400(people):
    with pytest.raises(ValidationError, match="no quota named 'max_cats'"):
        services.application_update(application=people.app_a, user=people.staff, quotas={"max_cats": 1})


def _run(app, status=Status.READY, created=None):
    run = f.FunctionRunFactory(function__applications=[app], applications=[app], status=status)
    if created:
        m.FunctionRun.objects.filter(pk=run.pk).update(created=created)
    return run


def test_a_run_over_the_concurrent_runs_quota_is_refused(people):
    Application.objects.filter(pk=people.app_a.pk).update(max_concurrent_runs=2)
    app = Application.objects.get(pk=people.app_a.pk)
    _run(app, Status.INITIALIZED)
    _run(app, Status.READY)
    _run(people.app_b, Status.CREATING)
    quotas.check_run_quota(application=app)  # one unfinished of two
    _run(app, Status.CREATING)

    with pytest.raises(QuotaExceeded, match=r"already has 2 unfinished runs \(its concurrent runs quota\)"):
        quotas.check_run_quota(application=app)


def test_a_run_over_the_runs_per_minute_quota_is_refused(people):
    Application.objects.filter(pk=people.app_a.pk).update(max_runs_per_minute=2)
    app = Application.objects.get(pk=people.app_a.pk)
    _run(app, created=timezone.now() - timedelta(seconds=90))
    _run(app)
    quotas.check_run_quota(application=app)
    _run(app)

    with pytest.raises(
        QuotaExceeded, match=r"started 2 runs in the last minute \(its runs per minute quota\)"
    ):
        quotas.check_run_quota(application=app)


def test_a_quota_exceeded_is_a_429_on_the_api_with_its_message(people, rf):
    from entities.api.exceptions import exception_handler

    response = exception_handler(QuotaExceeded("Application 'app-a' is full."), {})
    assert (response.status_code, response.data["message"]) == (429, "Application 'app-a' is full.")
    assert response["Retry-After"] == "60"


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_creates_take_the_last_unit_of_an_entity_quota_only_once(people):
    Application.objects.filter(pk=people.app_a.pk).update(max_entities_per_kind=1)

    def create(name):
        body = {"name": name, "values": {"k": "v"}, "applications": ["app-a"]}
        return lambda: api(people.developer_a).post("/api/v1/secrets/", body, format="json")

    responses = at_once(create("left"), create("right"), create("middle"))

    assert sorted(r.status_code for r in responses) == [201, 400, 400]
    assert m.Secret.objects.count() == 1


def _one_run_at_a_time(people):
    Application.objects.filter(pk=people.app_a.pk).update(max_concurrent_runs=1)
    f.FunctionFactory(name="hello", applications=[people.app_a])


ASYNC_RUN = {"function": "hello", "blocking": False}
BUSY = "Application 'app-a' already has 1 unfinished run (its concurrent runs quota); wait for one to finish."


def test_starting_a_run_over_a_quota_is_a_429_naming_it_and_makes_no_run(people):
    _one_run_at_a_time(people)
    assert api(people.developer_a).post("/api/v1/runs/", ASYNC_RUN, format="json").status_code == 202

    response = api(people.developer_a).post(
        "/api/v1/functions/hello/runs/", {"blocking": False}, format="json"
    )

    assert (response.status_code, response.json()["message"]) == (429, BUSY)
    assert response["Retry-After"] == "60"
    assert m.FunctionRun.objects.count() == 1


def test_the_run_form_over_a_quota_is_a_429_page_naming_it(people, client):
    _one_run_at_a_time(people)
    client.force_login(people.developer_a)
    assert client.post("/functions/hello/run/", {"input": "{}"}).status_code == 302  # queued, unfinished

    response = client.post("/functions/hello/run/", {"input": "{}"})

    assert response.status_code == 429
    assert escape(BUSY) in response.content.decode()
    assert m.FunctionRun.objects.count() == 1


def test_dispatch_exec_over_a_quota_prints_it_and_exits_1(cli, people):
    _one_run_at_a_time(people)
    cli.as_user(people.developer_a)
    assert cli("exec", "hello", "-a", "app-a").code == 0

    result = cli("exec", "hello", "-a", "app-a")

    assert (result.code, result.err) == (1, f"error: {BUSY} (HTTP 429)\n")


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_runs_take_the_last_unit_of_a_run_quota_only_once(people):
    _one_run_at_a_time(people)

    def start():
        return api(people.developer_a).post("/api/v1/runs/", ASYNC_RUN, format="json").status_code

    assert sorted(at_once(start, start, start)) == [202, 429, 429]
    assert m.FunctionRun.objects.count() == 1

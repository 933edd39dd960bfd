"""Issue 11 item 8: a function that moved from A to B. Its runs in A stay A's records: deleting the
function, or application B, as B's people deletes B's runs only, never shows A's runs in a plan, and
leaves A's runs with their frozen function name and no link."""

import pytest

from applications.models import Role
from entities import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(functions, api):
    """hello-py ran once in A, then moved (with its image) to B and ran once there."""
    people = functions.people
    api(people.developer_a).post("/api/v1/functions/hello-py/runs/", {}, format="json")
    hello = m.Function.objects.get(name="hello-py")
    for entity in (hello.image, hello):
        entity.applications.set([people.app_b])
    people.app_b.memberships.filter(user=people.member_b).update(role=Role.ADMIN)
    api(people.member_b).post("/api/v1/functions/hello-py/runs/", {}, format="json")
    runs = {run.application_names()[0]: run for run in m.FunctionRun.objects.all()}
    assert set(runs) == {"app-a", "app-b"}
    return runs


def test_deleting_the_moved_function_deletes_only_the_deleters_runs(functions, api, moved):
    response = api(functions.people.member_b).delete("/api/v1/functions/hello-py/")
    assert response.status_code == 204
    assert not m.FunctionRun.objects.filter(pk=moved["app-b"].pk).exists()
    kept = m.FunctionRun.objects.get(pk=moved["app-a"].pk)
    assert (kept.function, kept.function_name, kept.application_names()) == (None, "hello-py", ["app-a"])
    body = api(functions.people.viewer_a).get(f"/api/v1/runs/{kept.name}/").json()
    assert (body["function"], body["function_name"]) == (None, "hello-py")


def test_the_delete_plan_of_b_never_names_a_run_of_a(functions, api, moved):
    plan = api(functions.people.member_b).delete("/api/v1/applications/app-b/?dry_run=true")
    assert plan.status_code == 200, plan.content
    names = {entry["name"] for entry in plan.json()["deleted"]}
    assert moved["app-b"].name in names and moved["app-a"].name not in names
    response = api(functions.people.member_b).delete("/api/v1/applications/app-b/")
    assert response.status_code in (200, 204), response.content
    kept = m.FunctionRun.objects.get()
    assert (kept.pk, kept.function, kept.function_name) == (moved["app-a"].pk, None, "hello-py")


def test_staff_deleting_the_function_deletes_every_run(functions, api, moved):
    response = api(functions.people.superuser).delete("/api/v1/functions/hello-py/")
    assert response.status_code == 204 and not m.FunctionRun.objects.exists()

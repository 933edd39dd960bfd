"""Runs in the admin: read-only records, filtered by status, function and application."""

import pytest

from entities import models as m
from tests.admin.conftest import admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(functions, api):
    developer = api(functions.people.developer_a)
    developer.post("/api/v1/functions/hello-py/runs/", {}, format="json")
    functions.make("broken", "def handle(c, p):\n    raise KeyError('x')\n")
    developer.post("/api/v1/functions/broken/runs/", {}, format="json")
    return {run.function_name: run for run in m.FunctionRun.objects.all()}


def listed(client, query=""):
    response = client.get(admin_url(m.FunctionRun) + query)
    assert response.status_code == 200
    return sorted(run.function_name for run in response.context["cl"].result_list)


def test_the_run_list_filters_by_status_function_and_application(client, functions, runs):
    client.force_login(functions.people.superuser)
    assert listed(client) == ["broken", "hello-py"]
    assert listed(client, "?status__exact=ERROR") == ["broken"]
    assert listed(client, "?function=hello-py") == ["hello-py"]
    assert listed(client, "?error_type__exact=FunctionError") == ["broken"]
    assert listed(client, "?application=app-b") == []
    assert listed(client, "?application=app-a") == ["broken", "hello-py"]


def test_runs_cannot_be_added_or_changed_in_the_admin(client, functions, runs):
    client.force_login(functions.people.superuser)
    run = runs["hello-py"]
    revision = run.revision
    assert client.get(admin_url(m.FunctionRun, "add")).status_code == 403
    page = client.get(admin_url(m.FunctionRun, "change", run.pk))
    assert page.status_code == 200 and 'type="submit" value="Save"' not in page.content.decode()
    response = client.post(admin_url(m.FunctionRun, "change", run.pk), {"status": "READY", "output": "{}"})
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.output == {"myField": "Hello, Noone from Nowhere"} and run.revision == revision

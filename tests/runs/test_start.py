"""start_run's own rules, below the surfaces that find the function through the gate first: who may
start a run when the caller's copy of the function is not what the database holds any more."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.exceptions import NotFound
from applications.models import ApplicationItem
from entities import models as m
from entities.runs.services import start_run
from tests import factories as f

from .conftest import HELLO_INPUT, HELLO_OUTPUT

pytestmark = pytest.mark.django_db


def test_staff_allowed_to_add_runs_but_not_to_see_the_function_get_a_404(functions):
    clerk = f.UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename="add_functionrun"))
    hello = m.Function.objects.get(name="hello-py")
    with pytest.raises(NotFound, match="Function 'hello-py' does not exist."):
        start_run(user=clerk, function=hello, blocking=False)
    assert not m.FunctionRun.objects.exists()


def test_a_viewer_is_refused_with_a_403(functions):
    hello = m.Function.objects.get(name="hello-py")
    with pytest.raises(PermissionDenied, match="developer role"):
        start_run(user=functions.people.viewer_a, function=hello, blocking=False)
    assert not m.FunctionRun.objects.exists()


def test_a_function_that_lost_its_applications_meanwhile_is_not_run_unassigned(functions):
    hello = m.Function.objects.get(name="hello-py")  # read in A, as a request reads it
    ApplicationItem.objects.filter(object_id=hello.pk).delete()  # then A let it go (its delete)
    with pytest.raises(NotFound, match="Function 'hello-py' does not exist."):
        start_run(user=functions.people.developer_a, function=hello, blocking=False)
    assert not m.FunctionRun.objects.exists()


def test_a_function_read_without_its_image_and_source_folder_is_read_again_once(functions):
    hello = m.Function.objects.get(name="hello-py")  # as the pages read it: source folder deferred, no image
    with CaptureQueriesContext(connection) as queries:
        run = start_run(user=functions.people.developer_a, function=hello, input=HELLO_INPUT)
    assert run.output == HELLO_OUTPUT
    reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "entities_function"' in q["sql"]
    ]
    assert len(reads) == 1 and '"entities_image"' in reads[0] and "source_archive" in reads[0]

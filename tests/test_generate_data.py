"""The benchmark data generator writes valid, application-scoped data in bulk."""

import pytest
from django.core.management import CommandError, call_command

from applications import access
from applications.models import Application
from entities import rules
from entities.models import API, Function, FunctionRun


def test_it_generates_applications_and_entities_in_proportion(people):
    call_command("generate_data", applications=3, functions=30, runs=10, member="developer_a", verbosity=0)
    assert Application.objects.filter(name__startswith="bench-").count() == 3
    assert Function.objects.count() == 30
    assert API.objects.count() == 15
    assert FunctionRun.objects.count() == 10
    function = Function.objects.order_by("name").first()
    assert len(function.application_names()) == 1
    # Every reference obeys the reference rule, so the data looks like the services made it.
    image_apps = list(function.image.applications.all())
    assert rules.reference_allowed(list(function.applications.all()), function.image, image_apps)
    assert access.visible_entities(Function, people.developer_a).count() == 30
    assert access.visible_entities(Function, people.member_b).count() == 0


def test_it_refuses_to_generate_over_an_existing_prefix(people):
    call_command("generate_data", applications=1, functions=1, verbosity=0)
    with pytest.raises(CommandError):
        call_command("generate_data", applications=1, functions=1, verbosity=0)

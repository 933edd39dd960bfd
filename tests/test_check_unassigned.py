"""`unassigned` always equals "is in no application": the system check reports a wrong flag, and
`manage.py check_unassigned` lists wrong flags (exit 1) and repairs them with --repair."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from entities import models as m
from entities.integrity import check_unassigned_flags
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(people):
    """A function in A flagged unassigned (everyone would see it) and a secret in nothing flagged as
    assigned (nobody but staff would)."""
    function = f.FunctionFactory(
        name="seen-by-all", applications=[people.app_a], image__applications=[people.app_a]
    )
    secret = f.SecretFactory(name="lost", applications=[])
    m.Function.objects.filter(pk=function.pk).update(unassigned=True)
    m.Secret.objects.filter(pk=secret.pk).update(unassigned=False)
    return function, secret


def test_the_command_says_all_is_well_when_it_is(people):
    f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    out = io.StringIO()
    call_command("check_unassigned", stdout=out)
    assert out.getvalue() == "Every 'unassigned' flag is right.\n"


def test_the_command_names_wrong_flags_and_fails(broken):
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 entities have a wrong 'unassigned' flag; run with --repair"):
        call_command("check_unassigned", stdout=out)
    assert out.getvalue() == "secret: lost\nfunction: seen-by-all\n"
    assert m.Function.objects.get(name="seen-by-all").unassigned is True  # nothing changed


def test_the_command_repairs_wrong_flags_and_only_them(broken, people):
    right = f.SecretFactory(name="right", applications=[people.app_b])
    out = io.StringIO()
    call_command("check_unassigned", "--repair", stdout=out)
    assert out.getvalue() == (
        "Repaired 1 secret flag.\nRepaired 1 function flag.\nEvery 'unassigned' flag is right.\n"
    )
    assert m.Function.objects.get(name="seen-by-all").unassigned is False
    assert m.Secret.objects.get(name="lost").unassigned is True
    assert m.Secret.objects.get(pk=right.pk).unassigned is False
    call_command("check_unassigned", stdout=io.StringIO())  # no error any more


def test_the_system_check_reports_wrong_flags_with_the_repair_command(broken):
    errors = check_unassigned_flags(databases=["default"])
    assert [(e.id, e.msg, e.hint) for e in errors] == [
        (
            "dispatch.E002",
            "1 secret entities have an 'unassigned' flag that contradicts their applications: lost.",
            "Run `manage.py check_unassigned --repair`.",
        ),
        (
            "dispatch.E002",
            "1 function entities have an 'unassigned' flag that contradicts their applications: seen-by-all.",
            "Run `manage.py check_unassigned --repair`.",
        ),
    ]
    with pytest.raises(SystemCheckError):
        call_command("check", databases=["default"])


def test_the_system_check_asks_the_database_only_when_told_to(broken, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert check_unassigned_flags(databases=None) == []

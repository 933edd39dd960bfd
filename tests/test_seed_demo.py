"""The demo data loads through the services, and loading it twice changes nothing."""

from django.core.management import call_command

from applications.models import Application, ApplicationItem, Membership
from entities.kinds import KINDS
from entities.models import Function, Secret


def counts():
    return {kind.name: kind.model.objects.count() for kind in KINDS} | {
        "applications": Application.objects.count(),
        "items": ApplicationItem.objects.count(),
        "memberships": Membership.objects.count(),
    }


def test_it_loads_every_kind_and_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    first = counts()
    assert all(first[kind.name] > 0 for kind in KINDS), first
    assert first["applications"] == 3
    call_command("seed_demo", verbosity=0)
    assert counts() == first


def test_it_has_an_unassigned_function_and_encrypted_secrets(db):
    call_command("seed_demo", verbosity=0)
    assert Function.objects.get(name="scratch").application_names() == []
    assert Secret.objects.get(name="open-sesame").values == {"password": "OpenSesame"}
    assert "OpenSesame" not in Secret.objects.get(name="open-sesame").encrypted_values


def test_it_shares_the_python3_image_when_images_may_be_shared(db, settings):
    settings.DISPATCH_SCOPES = {"image": "many"}
    call_command("seed_demo", verbosity=0)
    from entities.models import Image

    assert Image.objects.get(name="python3").application_names() == ["ci", "example-app"]

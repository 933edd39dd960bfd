"""Bad input is refused with a clear message and nothing is written; revisions guard updates."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from applications import services as app_services
from applications.exceptions import StaleRevision
from applications.models import Application, Membership
from entities import services
from entities.models import Function, Secret
from tests import factories as f


@pytest.mark.parametrize("name", ["", "-starts-with-dash", "has space", "a/b", "x" * 64, "ünïcode"])
def test_it_refuses_invalid_entity_names(people, name):
    image = f.ImageFactory(applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=people.developer_a,
            fields={"name": name, "image": image},
            applications=["app-a"],
        )
    assert "name" in exc.value.message_dict
    assert not Function.objects.exists()


def test_it_refuses_a_duplicate_name_with_a_sentence(people):
    f.FunctionFactory(name="hello", applications=[people.app_a])
    image = f.ImageFactory(applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=people.developer_a,
            fields={"name": "hello", "image": image},
            applications=["app-a"],
        )
    assert exc.value.message_dict["name"] == ["A function named 'hello' already exists; choose another name."]
    assert Function.objects.count() == 1


def test_it_refuses_unknown_applications(people):
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="secret", user=people.superuser, fields={"name": "s"}, applications=["nope"]
        )
    assert exc.value.message_dict["applications"] == [
        "Application 'nope' does not exist; check the name or ask to be made a member."
    ]
    assert not Secret.objects.exists()


def test_it_refuses_unknown_fields(people):
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="secret",
            user=people.developer_a,
            fields={"name": "s", "colour": "red"},
            applications=["app-a"],
        )
    assert exc.value.message_dict["colour"] == ["A secret has no writable field 'colour'."]


def test_it_refuses_a_negative_timeout(people):
    image = f.ImageFactory(applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=people.developer_a,
            fields={"name": "slow", "image": image, "timeout": -1},
            applications=["app-a"],
        )
    assert "timeout" in exc.value.message_dict


def test_a_stale_revision_is_refused_and_nothing_is_written(people):
    function = f.FunctionFactory(
        name="hello", handler="a.b", applications=[people.app_a], image__applications=[people.app_a]
    )
    updated = services.entity_update(
        entity=function, user=people.developer_a, fields={"handler": "c.d"}, revision=1
    )
    assert updated.revision == 2
    with pytest.raises(StaleRevision) as exc:
        services.entity_update(
            entity=function, user=people.developer_a, fields={"handler": "e.f"}, revision=1
        )
    assert "revision 1" in str(exc.value) and "revision 2" in str(exc.value)
    function.refresh_from_db()
    assert function.handler == "c.d"


def test_an_entity_in_use_cannot_be_deleted(people):
    function = f.FunctionFactory(name="hello", applications=[people.app_a])
    f.APIFactory(name="post-hello", function=function, applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_delete(entity=function, user=people.developer_a)
    assert exc.value.messages == [
        "A function 'hello' is used by API 'post-hello'; delete or change those first."
    ]
    assert Function.objects.filter(name="hello").exists()


def test_deleting_a_function_deletes_its_runs(people):
    run = f.FunctionRunFactory(applications=[people.app_a], function__applications=[people.app_a])
    services.entity_delete(entity=run.function, user=people.developer_a)
    assert not type(run).objects.exists()


def test_tags_are_free_labels(people):
    secret = services.entity_create(
        kind="secret",
        user=people.developer_a,
        fields={"name": "s"},
        applications=["app-a"],
        tags=["role=test"],
    )
    assert list(secret.tags.names()) == ["role=test"]


def test_secret_values_are_encrypted_at_rest(people):
    secret = services.entity_create(
        kind="secret",
        user=people.developer_a,
        fields={"name": "open-sesame", "values": {"password": "OpenSesame"}},
        applications=["app-a"],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_values FROM entities_secret WHERE id = %s",
            [secret.id.hex if connection.vendor == "sqlite" else secret.id],
        )
        (stored,) = cursor.fetchone()
    assert "OpenSesame" not in stored and "password" not in stored
    assert Secret.objects.get(name="open-sesame").values == {"password": "OpenSesame"}


def test_secret_values_must_be_a_map_of_strings(people):
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="secret",
            user=people.developer_a,
            fields={"name": "s", "values": ["x"]},
            applications=["app-a"],
        )
    assert exc.value.message_dict["values"] == ["Give the secret's values as a map of names to strings."]


@pytest.mark.parametrize("name", ["UPPER", "-dash", "dash-", "under_score", "a" * 64, ""])
def test_it_refuses_invalid_application_names(people, name):
    with pytest.raises(ValidationError) as exc:
        app_services.application_create(user=people.staff, name=name)
    assert "name" in exc.value.message_dict
    assert Application.objects.count() == 2


def test_staff_create_applications_and_become_their_admins(people):
    application = app_services.application_create(user=people.staff, name="billing", description="Invoices")
    assert application.slug == "billing"
    assert Membership.objects.get(application=application).user == people.staff


def test_a_duplicate_application_name_is_refused(people):
    with pytest.raises(ValidationError) as exc:
        app_services.application_create(user=people.staff, name="app-a")
    assert exc.value.message_dict["name"] == [
        "An application named 'app-a' already exists; choose another name."
    ]


def test_a_stale_application_revision_is_refused(people):
    app_services.application_update(
        application=people.app_a, user=people.admin_a, description="new", revision=1
    )
    with pytest.raises(StaleRevision):
        app_services.application_update(
            application=people.app_a, user=people.admin_a, description="x", revision=1
        )


def test_admins_manage_members_and_developers_do_not(people):
    membership = app_services.membership_set(
        application=people.app_a, user=people.admin_a, member_user=people.outsider, role="viewer"
    )
    assert membership.role == "viewer"
    with pytest.raises(Exception) as exc:
        app_services.membership_set(
            application=people.app_a, user=people.developer_a, member_user=people.outsider, role="admin"
        )
    assert exc.type.__name__ == "PermissionDenied"
    membership.refresh_from_db()
    assert membership.role == "viewer"
    with pytest.raises(ValidationError):
        app_services.membership_set(
            application=people.app_a, user=people.admin_a, member_user=people.outsider, role="owner"
        )

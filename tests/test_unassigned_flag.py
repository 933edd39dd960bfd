"""`Entity.unassigned` stays true to the through table, on every path that changes it."""

from applications import services as app_services
from entities import services
from entities.models import Function, Secret
from tests import factories as f


def flag(entity) -> bool:
    return type(entity).objects.values_list("unassigned", flat=True).get(pk=entity.pk)


def test_it_follows_applications_through_the_services(people):
    secret = services.entity_create(kind="secret", user=people.staff, fields={"name": "s"})
    assert flag(secret) is True
    services.entity_update(entity=secret, user=people.staff, applications=["app-a"])
    assert flag(secret) is False
    services.entity_update(entity=secret, user=people.staff, applications=[])
    assert flag(secret) is True


def test_a_later_save_does_not_write_back_a_stale_flag(people):
    secret = services.entity_create(
        kind="secret", user=people.developer_a, fields={"name": "s"}, applications=["app-a"]
    )
    secret.save()  # the instance in memory was made before its applications were set
    assert flag(secret) is False


def test_it_turns_true_when_the_application_is_deleted_with_orphan(people):
    function = f.FunctionFactory(applications=[people.app_a])
    assert flag(function) is False
    app_services.application_delete(application=people.app_a, user=people.admin_a, cascade="orphan")
    assert flag(function) is True


def test_shared_entities_stay_assigned_when_one_application_goes(people, settings):
    settings.DISPATCH_SCOPES = {"secret": "many"}
    secret = f.SecretFactory(applications=[people.app_a, people.app_b])
    app_services.application_delete(application=people.app_a, user=people.admin_a)
    assert flag(secret) is False
    assert Secret.objects.get(pk=secret.pk).application_names() == ["app-b"]


def test_outsiders_see_an_entity_once_it_is_unassigned(people):
    from applications import access

    function = f.FunctionFactory(applications=[people.app_a])
    assert not access.visible_entities(Function, people.outsider).filter(pk=function.pk).exists()
    function.applications.clear()
    assert access.visible_entities(Function, people.outsider).filter(pk=function.pk).exists()

"""Application delete: cascade=delete, cascade=orphan and the dry run."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications import services
from applications.models import Application, ApplicationItem
from entities.models import Function, FunctionRun, Image, Secret
from tests import factories as f


@pytest.fixture
def scene(people, settings):
    settings.DISPATCH_SCOPES = {"secret": "many"}
    image = f.ImageFactory(name="py", applications=[people.app_a])
    function = f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    run = f.FunctionRunFactory(function=function, applications=[people.app_a])
    shared = f.SecretFactory(name="shared-key", applications=[people.app_a, people.app_b])
    other = f.FunctionFactory(name="other", applications=[people.app_b], image__applications=[people.app_b])
    return {"image": image, "function": function, "run": run, "shared": shared, "other": other}


def test_the_dry_run_returns_the_plan_and_changes_nothing(people, scene):
    items_before = ApplicationItem.objects.count()
    plan = services.application_delete(application=people.app_a, user=people.admin_a, dry_run=True)
    assert plan.as_dict() == {
        "application": "app-a",
        "cascade": "delete",
        "dry_run": True,
        "deleted": [
            {"kind": "image", "name": "py"},
            {"kind": "function", "name": "hello"},
            {"kind": "run", "name": str(scene["run"].id)},
        ],
        "untagged": [{"kind": "secret", "name": "shared-key"}],
    }
    assert Application.objects.filter(name="app-a").exists()
    assert ApplicationItem.objects.count() == items_before


def test_cascade_delete_deletes_private_entities_and_untags_shared_ones(people, scene):
    services.application_delete(application=people.app_a, user=people.admin_a)
    assert not Application.objects.filter(name="app-a").exists()
    assert not Function.objects.filter(name="hello").exists()
    assert not Image.objects.filter(name="py").exists()
    assert not FunctionRun.objects.exists()
    assert Secret.objects.get(name="shared-key").application_names() == ["app-b"]
    assert Function.objects.get(name="other").application_names() == ["app-b"]
    assert not ApplicationItem.objects.filter(object_id=scene["function"].id).exists()


def test_cascade_orphan_keeps_every_entity_and_removes_the_tags(people, scene):
    plan = services.application_delete(application=people.app_a, user=people.admin_a, cascade="orphan")
    assert plan.deleted == []
    assert {e["name"] for e in plan.untagged} == {"py", "hello", "shared-key", str(scene["run"].id)}
    assert Function.objects.get(name="hello").application_names() == []
    assert FunctionRun.objects.get().application_names() == []
    assert Secret.objects.get(name="shared-key").application_names() == ["app-b"]


def test_an_unknown_cascade_is_refused(people, scene):
    with pytest.raises(ValidationError) as exc:
        services.application_delete(application=people.app_a, user=people.admin_a, cascade="all")
    assert "use 'delete' or 'orphan'" in exc.value.message_dict["cascade"][0]
    assert Application.objects.filter(name="app-a").exists()


@pytest.mark.parametrize("who", ["developer_a", "viewer_a", "member_b"])
def test_only_admins_delete_an_application(people, scene, who):
    with pytest.raises(PermissionDenied):
        services.application_delete(application=people.app_a, user=getattr(people, who))
    assert Function.objects.filter(name="hello").exists()


def test_a_delete_blocked_by_a_user_in_another_application_changes_nothing(people, scene):
    function = f.FunctionFactory(
        name="shared-fn",
        applications=[people.app_a, people.app_b],
        image__applications=[people.app_a, people.app_b],
    )
    function.secrets.add(f.SecretFactory(name="private-key", applications=[people.app_a]))
    with pytest.raises(ValidationError) as exc:
        services.application_delete(application=people.app_a, user=people.admin_a)
    assert "cascade=orphan" in exc.value.messages[0]
    assert Function.objects.filter(name="hello").exists()

"""The scope policy of DESIGN.md 2.4, through the services."""

import pytest
from django.core.exceptions import ValidationError

from applications.models import ApplicationItem
from entities import services
from entities.models import API, Function
from tests import factories as f


def test_a_system_kind_refuses_any_application(people):
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="base-image",
            user=people.superuser,
            fields={"name": "py", "docker_url": "x/y:1", "language": "python3"},
            applications=["app-a"],
        )
    assert "system-scoped" in str(exc.value.message_dict["applications"])
    assert not ApplicationItem.objects.exists()


def test_a_one_kind_refuses_a_second_application(people):
    image = f.ImageFactory(applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=people.superuser,
            fields={"name": "hello", "image": image},
            applications=["app-a", "app-b"],
        )
    assert "one application only" in exc.value.message_dict["applications"][0]
    assert not Function.objects.exists()


def test_a_one_kind_refuses_a_second_application_on_update(people):
    function = f.FunctionFactory(applications=[people.app_a], image__applications=[people.app_a])
    with pytest.raises(ValidationError):
        services.entity_update(entity=function, user=people.superuser, applications=["app-a", "app-b"])
    assert function.application_names() == ["app-a"]


def test_a_one_kind_accepts_many_applications_once_the_setting_says_many(people, settings):
    settings.DISPATCH_SCOPES = {"function": "many", "image": "many"}
    image = f.ImageFactory(applications=[people.app_a, people.app_b])
    function = services.entity_create(
        kind="function",
        user=people.superuser,
        fields={"name": "hello", "image": image},
        applications=["app-a", "app-b"],
    )
    assert function.application_names() == ["app-a", "app-b"]


def test_an_api_takes_the_applications_of_its_function(people):
    function = f.FunctionFactory(applications=[people.app_a])
    api = services.entity_create(
        kind="api", user=people.developer_a, fields={"name": "post-hello", "function": function}
    )
    assert api.application_names() == ["app-a"]


def test_an_api_refuses_an_application_other_than_its_functions(people):
    function = f.FunctionFactory(applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="api",
            user=people.superuser,
            fields={"name": "post-hello", "function": function},
            applications=["app-b"],
        )
    assert "applications of its function" in exc.value.message_dict["applications"][0]
    assert not API.objects.exists()


def test_an_api_moves_with_its_function(people, settings):
    settings.DISPATCH_SCOPES = {"image": "many"}  # so the function's image can be in both
    image = f.ImageFactory(applications=[people.app_a, people.app_b])
    function = f.FunctionFactory(applications=[people.app_a], image=image)
    f.APIFactory(function=function, applications=[people.app_a])
    services.entity_update(entity=function, user=people.superuser, applications=["app-b"])
    assert API.objects.get().application_names() == ["app-b"]


def test_a_run_keeps_its_application_after_its_function_moves(people, settings):
    settings.DISPATCH_SCOPES = {"image": "many"}
    image = f.ImageFactory(applications=[people.app_a, people.app_b])
    function = f.FunctionFactory(applications=[people.app_a], image=image)
    run = services.entity_create(kind="run", user=people.developer_a, fields={"function": function})
    assert run.application_names() == ["app-a"]
    assert run.name == str(run.id)
    services.entity_update(entity=function, user=people.superuser, applications=["app-b"])
    run.refresh_from_db()
    assert run.application_names() == ["app-a"]


def test_a_run_refuses_to_change_its_applications(people):
    run = f.FunctionRunFactory(applications=[people.app_a], function__applications=[people.app_a])
    with pytest.raises(ValidationError):
        services.entity_update(entity=run, user=people.superuser, applications=["app-b"])


def test_subscription_topics_are_prefixed_with_their_application(people):
    in_app = f.SubscriptionFactory(event_type="build.failed", applications=[people.app_a])
    unassigned = f.SubscriptionFactory(event_type="build.failed")
    assert in_app.topic == "app-a.build.failed"
    assert unassigned.topic == "build.failed"


def test_an_unknown_scope_in_the_setting_is_a_check_error(settings):
    from applications.apps import check_scopes

    settings.DISPATCH_SCOPES = {"function": "everywhere", "gadget": "one", "image": "follows-function"}
    messages = [e.msg for e in check_scopes(None)]
    assert len(messages) == 3

"""The reference rule: a reference stays inside one application or points at a system entity."""

import pytest
from django.core.exceptions import ValidationError

from entities import services
from entities.models import Function, Subscription
from tests import factories as f


def test_a_function_may_use_an_image_of_its_application(people):
    image = f.ImageFactory(applications=[people.app_a])
    function = services.entity_create(
        kind="function",
        user=people.developer_a,
        fields={"name": "hello", "image": image},
        applications=["app-a"],
    )
    assert function.image == image


def test_a_function_may_not_use_an_image_of_another_application(people):
    image = f.ImageFactory(name="py", applications=[people.app_b])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=people.superuser,
            fields={"name": "hello", "image": image},
            applications=["app-a"],
        )
    assert exc.value.message_dict["image"] == [
        "Function 'hello' (in application 'app-a') cannot use image 'py' (in application 'app-b'): "
        "a reference must stay inside one application or point to a system-scoped entity; "
        "put both in the same application."
    ]
    assert not Function.objects.exists()


def test_an_image_may_use_a_system_base_image(people):
    base = f.BaseImageFactory()
    image = services.entity_create(
        kind="image",
        user=people.developer_a,
        fields={"name": "py", "base_image": base},
        applications=["app-a"],
    )
    assert image.language == base.language


def test_unassigned_entities_may_use_each_other(people):
    image = f.ImageFactory()
    function = services.entity_create(
        kind="function", user=people.superuser, fields={"name": "free", "image": image}
    )
    assert function.application_names() == []


def test_an_assigned_function_may_not_use_an_unassigned_image(people):
    image = f.ImageFactory(name="loose")
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=people.superuser,
            fields={"name": "hello", "image": image},
            applications=["app-a"],
        )
    assert "image 'loose' (unassigned)" in exc.value.message_dict["image"][0]


@pytest.mark.parametrize(
    "kind,fields",
    [
        ("function", {"name": "f", "secrets": "SECRET"}),
        ("event-driver", {"name": "d", "secrets": "SECRET"}),
        ("subscription", {"name": "s", "event_type": "a.b", "secrets": "SECRET"}),
    ],
)
def test_secrets_follow_the_reference_rule(people, kind, fields):
    secret = f.SecretFactory(name="other", applications=[people.app_b])
    fields = {**fields, "secrets": [secret]}
    if kind == "function":
        fields["image"] = f.ImageFactory(applications=[people.app_a])
    if kind == "event-driver":
        fields["type"] = f.EventDriverTypeFactory()
    if kind == "subscription":
        fields["function"] = f.FunctionFactory(applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(kind=kind, user=people.superuser, fields=fields, applications=["app-a"])
    assert "secret 'other' (in application 'app-b')" in exc.value.message_dict["secrets"][0]


def test_a_subscription_may_not_use_a_function_of_another_application(people):
    function = f.FunctionFactory(name="hello", applications=[people.app_b])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="subscription",
            user=people.superuser,
            fields={"name": "s", "event_type": "a.b", "function": function},
            applications=["app-a"],
        )
    assert "function 'hello' (in application 'app-b')" in exc.value.message_dict["function"][0]
    assert not Subscription.objects.exists()


def test_an_event_driver_may_use_a_system_driver_type(people):
    driver = services.entity_create(
        kind="event-driver",
        user=people.developer_a,
        fields={"name": "ticker", "type": f.EventDriverTypeFactory()},
        applications=["app-a"],
    )
    assert driver.application_names() == ["app-a"]


def test_moving_an_entity_away_from_what_uses_it_is_refused(people):
    secret = f.SecretFactory(name="key", applications=[people.app_a])
    function = f.FunctionFactory(name="hello", applications=[people.app_a])
    function.secrets.add(secret)
    with pytest.raises(ValidationError) as exc:
        services.entity_update(entity=secret, user=people.superuser, applications=["app-b"])
    assert (
        "Function 'hello' (in application 'app-a') uses secret 'key'"
        in exc.value.message_dict["applications"][0]
    )
    assert secret.application_names() == ["app-a"]


def test_a_reference_to_an_invisible_entity_reads_as_unknown(people):
    image = f.ImageFactory(name="hidden", applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=people.member_b,
            fields={"name": "hello", "image": image},
            applications=["app-b"],
        )
    assert exc.value.message_dict["image"] == ["An image named in 'image' does not exist."]

"""The access gate, for every kind of person in the `people` scene, reading and writing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from applications import access
from applications.backends import ModelBackend
from applications.models import Application, Role
from applications.tokens import token_create, user_for_key
from entities import services
from entities.kinds import KINDS
from entities.models import Function
from tests import factories as f

READERS_OF_A = ["admin_a", "developer_a", "viewer_a", "group_member_a", "staff", "superuser"]
NOT_READERS_OF_A = ["member_b", "outsider"]
WRITERS_OF_A = ["admin_a", "developer_a", "group_member_a", "staff", "superuser"]


def entity_in(kind, app):
    factory = f.FACTORIES[kind.name]
    if kind.is_system:
        return factory()
    return factory(applications=[app])


@pytest.mark.parametrize("who", READERS_OF_A)
def test_members_of_a_and_staff_see_application_a(people, who):
    assert people.app_a in access.visible_applications(getattr(people, who))


@pytest.mark.parametrize("who", NOT_READERS_OF_A)
def test_others_do_not_see_application_a(people, who):
    assert people.app_a not in access.visible_applications(getattr(people, who))


def test_anonymous_users_see_nothing(people):
    anonymous = AnonymousUser()
    assert not access.visible_applications(anonymous).exists()
    for kind in KINDS:
        entity_in(kind, people.app_a)
        assert not access.visible_entities(kind.model, anonymous).exists()


@pytest.mark.parametrize("kind", [k for k in KINDS if not k.is_system], ids=lambda k: k.name)
@pytest.mark.parametrize("who", READERS_OF_A)
def test_members_of_a_see_entities_of_a(people, kind, who):
    entity = entity_in(kind, people.app_a)
    assert entity in access.visible_entities(kind.model, getattr(people, who))


@pytest.mark.parametrize("kind", [k for k in KINDS if not k.is_system], ids=lambda k: k.name)
@pytest.mark.parametrize("who", NOT_READERS_OF_A)
def test_it_hides_entities_of_other_applications(people, kind, who):
    entity = entity_in(kind, people.app_a)
    assert entity not in access.visible_entities(kind.model, getattr(people, who))


@pytest.mark.parametrize("kind", [k for k in KINDS if k.is_system], ids=lambda k: k.name)
@pytest.mark.parametrize("who", ["outsider", "member_b", "viewer_a"])
def test_everyone_signed_in_sees_system_entities_but_may_not_change_them(people, kind, who):
    entity = entity_in(kind, None)
    user = getattr(people, who)
    assert entity in access.visible_entities(kind.model, user)
    assert not access.may_change(user, entity)
    assert not access.may_delete(user, entity)


def test_everyone_signed_in_sees_unassigned_entities_read_only(people):
    function = f.FunctionFactory()
    assert function in access.visible_entities(type(function), people.outsider)
    assert not access.may_change(people.developer_a, function)


@pytest.mark.parametrize("who", WRITERS_OF_A)
def test_developers_of_a_may_change_entities_of_a(people, who):
    function = f.FunctionFactory(applications=[people.app_a])
    assert access.may_change(getattr(people, who), function)
    assert access.may_delete(getattr(people, who), function)


@pytest.mark.parametrize("who", ["viewer_a", "member_b", "outsider"])
def test_viewers_and_others_may_not_change_entities_of_a(people, who):
    function = f.FunctionFactory(applications=[people.app_a])
    assert not access.may_change(getattr(people, who), function)
    assert not access.may_delete(getattr(people, who), function)


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_non_members_cannot_name_the_application_it_does_not_exist_for_them(people, who):
    image = f.ImageFactory(applications=[people.app_a])
    with pytest.raises(ValidationError) as exc:
        services.entity_create(
            kind="function",
            user=getattr(people, who),
            fields={"name": "f", "image": image},
            applications=["app-a"],
        )
    assert "does not exist" in str(exc.value)
    assert not Function.objects.exists()


def test_a_viewer_gets_permission_denied_and_nothing_is_written(people):
    image = f.ImageFactory(applications=[people.app_a])
    with pytest.raises(PermissionDenied) as exc:
        services.entity_create(
            kind="function",
            user=people.viewer_a,
            fields={"name": "f", "image": image},
            applications=["app-a"],
        )
    assert str(exc.value) == "You need the developer role in 'app-a' to create functions there."
    assert not Function.objects.exists()


def test_a_developer_may_not_move_an_entity_into_an_application_they_do_not_develop(people, settings):
    settings.DISPATCH_SCOPES = {"secret": "many"}
    secret = f.SecretFactory(applications=[people.app_a])
    people.app_b.memberships.create(user=people.developer_a, role="viewer")
    with pytest.raises(PermissionDenied) as exc:
        services.entity_update(entity=secret, user=people.developer_a, applications=["app-a", "app-b"])
    assert "developer role in application 'app-b'" in str(exc.value)


def test_only_staff_create_system_entities(people):
    with pytest.raises(PermissionDenied):
        services.entity_create(
            kind="base-image",
            user=people.admin_a,
            fields={"name": "py", "docker_url": "x/y:1", "language": "python3"},
        )
    base = services.entity_create(
        kind="base-image",
        user=people.staff,
        fields={"name": "py", "docker_url": "x/y:1", "language": "python3"},
    )
    assert base.created_by == people.staff


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("admin_a", True),
        ("developer_a", False),
        ("viewer_a", False),
        ("member_b", False),
        ("staff", True),
        ("superuser", True),
    ],
)
def test_only_application_admins_and_staff_change_an_application(people, who, allowed):
    assert access.may_change_application(getattr(people, who), people.app_a) is allowed
    assert access.may_delete_application(getattr(people, who), people.app_a) is allowed


def test_staff_without_permissions_are_like_everyone_else(people):
    people.outsider.is_staff = True
    people.outsider.save()
    function = f.FunctionFactory(applications=[people.app_a])
    assert function not in access.visible_entities(type(function), people.outsider)


def test_only_developers_may_reveal_secret_values(people):
    secret = f.SecretFactory(applications=[people.app_a])
    assert access.may_reveal_secret(people.developer_a, secret)
    assert not access.may_reveal_secret(people.viewer_a, secret)
    assert not access.may_reveal_secret(people.member_b, secret)


def test_updating_an_invisible_entity_is_not_found(people):
    from applications.exceptions import NotFound

    function = f.FunctionFactory(applications=[people.app_a])
    with pytest.raises(NotFound):
        services.entity_update(entity=function, user=people.member_b, fields={"handler": "x.y"})
    with pytest.raises(NotFound):
        services.entity_delete(entity=function, user=people.member_b)


def test_visible_entities_costs_one_query(people, django_assert_num_queries):
    for _ in range(5):
        f.FunctionFactory(applications=[people.app_a])
    with django_assert_num_queries(1):  # the entities, with EXISTS subqueries on memberships and items
        assert len(list(access.visible_entities(Function, people.developer_a))) == 5


def test_members_see_everything_in_their_application_without_the_gate(people, django_assert_num_queries):
    inside = f.FunctionFactory(applications=[people.app_a])
    f.FunctionFactory(applications=[people.app_b])
    f.FunctionFactory()  # unassigned: visible to all, but not in A
    with django_assert_num_queries(1):  # the functions, through the (tag, content type, object) index
        assert list(access.entities_in_application(Function, people.viewer_a, people.app_a)) == [inside]


def test_staff_who_see_an_application_by_permission_still_need_the_kind_permission(people):
    from django.contrib.auth.models import Permission

    f.FunctionFactory(applications=[people.app_a])
    people.outsider.is_staff = True
    people.outsider.save()
    people.outsider.user_permissions.add(Permission.objects.get(codename="view_application"))
    assert people.app_a in access.visible_applications(people.outsider)
    assert not access.entities_in_application(Function, people.outsider, people.app_a).exists()


@pytest.mark.parametrize("who", READERS_OF_A + NOT_READERS_OF_A)
def test_a_user_signed_in_by_session_or_token_remembers_what_the_gate_would_read(people, who):
    user = getattr(people, who)
    # a viewer of A directly and a developer through a group: the best role counts
    f.MembershipFactory(application=people.app_a, user=people.group_member_a, role=Role.VIEWER)
    for kind in KINDS:
        entity_in(kind, people.app_a), entity_in(kind, people.app_b)
    _, key = token_create(user=user, name="gate")
    every = list(Application.objects.values_list("pk", flat=True))
    for signed_in in (ModelBackend().get_user(user.pk), user_for_key(key)):
        assert access.roles_in(signed_in, every) == access.roles_in(user, every)
        for role in Role.values:
            remembered = Application.objects.filter(id__in=access.member_application_ids(signed_in, role))
            read = Application.objects.filter(id__in=access.member_application_ids(user, role))
            assert set(remembered) == set(read)
        assert set(access.visible_applications(signed_in)) == set(access.visible_applications(user))
        known = access.known_visible_applications(signed_in)
        assert known is None or [app.name for app in known] == sorted(
            app.name for app in access.visible_applications(user)
        )
        for kind in KINDS:
            assert set(access.visible_entities(kind.model, signed_in)) == set(
                access.visible_entities(kind.model, user)
            )


def test_creating_an_application_forgets_the_memberships_remembered_at_sign_in(people, client):
    _, key = token_create(user=people.staff, name="create")
    response = client.post(
        "/api/v1/applications/",
        {"name": "made-now"},
        HTTP_AUTHORIZATION=f"Token {key}",
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "admin"

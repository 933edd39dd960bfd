"""The bulk actions "Add to application…", "Remove from application…" and "Move to application…": an
intermediate page, then entity_update for every selected entity, all or nothing, each refusal reported
by name."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from entities import models as m
from tests import factories as f

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db


def run_action(client, model, action, entities, application=None):
    data = {"action": action, "_selected_action": [str(e.pk) for e in entities]}
    if application is not None:
        data.update({"apply": "yes", "application": application})
    return client.post(admin_url(model), data, follow=application is not None)


def apps_of(entity) -> list[str]:
    return type(entity).objects.get(pk=entity.pk).application_names()


def test_the_intermediate_page_offers_the_applications_and_explains_all_or_nothing(root, people):
    function = f.FunctionFactory(name="hello")
    response = run_action(root, m.Function, "add_to_application", [function])
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="app-a">' in html and '<option value="app-b">' in html
    assert "All or nothing" in html
    assert f'name="_selected_action" value="{function.pk}"' in html
    assert apps_of(function) == []  # nothing happens before the application is picked


def test_adding_unassigned_functions_puts_each_in_the_application(root, people):
    image = f.ImageFactory(applications=[people.app_a])  # the reference rule wants the image there too
    first = f.FunctionFactory(name="first", image=image)
    second = f.FunctionFactory(name="second", image=image)
    response = run_action(root, m.Function, "add_to_application", [first, second], "app-a")
    assert "2 functions added to application 'app-a'." in messages_of(response)
    assert apps_of(first) == apps_of(second) == ["app-a"]
    assert m.Function.objects.get(pk=first.pk).revision == 2  # through entity_update
    assert LogEntry.objects.filter(change_message="Added to application 'app-a'.").count() == 2


def test_removing_functions_leaves_them_unassigned(root, people):
    function = f.FunctionFactory(name="hello", applications=[people.app_a])
    other = f.FunctionFactory(name="elsewhere", applications=[people.app_b])
    response = run_action(root, m.Function, "remove_from_application", [function, other], "app-a")
    assert "1 function removed from application 'app-a'." in messages_of(response)
    assert "Left alone, not in it: elsewhere." in messages_of(response)
    assert apps_of(function) == [] and apps_of(other) == ["app-b"]


def test_a_system_kind_cannot_be_added_to_an_application(root, people):
    base = f.BaseImageFactory(name="python3")
    response = run_action(root, m.BaseImage, "add_to_application", [base], "app-a")
    assert (
        "Base image 'python3' was refused: A base image is system-scoped and cannot be put in an application."
        in messages_of(response)
    )
    assert apps_of(base) == []


def test_a_one_kind_already_in_another_application_is_refused_and_nothing_changes(root, people):
    free = f.FunctionFactory(name="free", image__applications=[people.app_a])
    taken = f.FunctionFactory(name="taken", applications=[people.app_b])
    response = run_action(root, m.Function, "add_to_application", [free, taken], "app-a")
    messages = messages_of(response)
    assert any(
        msg.startswith("Function 'taken' was refused: A function can be in one application only")
        for msg in messages
    )
    assert not any("'free' was refused" in msg for msg in messages)
    assert "Nothing was changed: 1 of the 2 selected functions was refused." in " ".join(messages)
    assert apps_of(free) == []  # all or nothing: the allowed one was rolled back too
    assert apps_of(taken) == ["app-b"]
    assert not LogEntry.objects.exists()


def test_an_api_cannot_be_moved_away_from_its_function(root, people):
    api = f.APIFactory(name="hello-api", applications=[people.app_a], function__applications=[people.app_a])
    response = run_action(root, m.API, "remove_from_application", [api], "app-a")
    assert any(
        msg.startswith(
            "API 'hello-api' was refused: An API always belongs to the applications of its function"
        )
        for msg in messages_of(response)
    )
    assert apps_of(api) == ["app-a"]


def test_an_api_follows_its_function_when_the_function_is_added(root, people):
    api = f.APIFactory(name="hello-api", function__image__applications=[people.app_a])
    response = run_action(root, m.Function, "add_to_application", [api.function], "app-a")
    assert "1 function added to application 'app-a'." in messages_of(response)
    assert apps_of(api.function) == ["app-a"]
    assert apps_of(api) == ["app-a"]


def test_a_function_whose_image_is_elsewhere_is_refused_with_the_reference_rule(root, people):
    function = f.FunctionFactory(name="hello", image__name="img-b", image__applications=[people.app_b])
    response = run_action(root, m.Function, "add_to_application", [function], "app-a")
    assert any(
        "Function 'hello' (in application 'app-a') cannot use image 'img-b' (in application 'app-b')" in msg
        for msg in messages_of(response)
    )
    assert apps_of(function) == []


def test_an_unknown_application_is_a_form_error_and_changes_nothing(root, people):
    function = f.FunctionFactory(name="hello")
    response = run_action(root, m.Function, "add_to_application", [function], "no-such-app")
    assert response.status_code == 200
    assert response.context["form"].errors["application"]
    assert apps_of(function) == []


def test_a_run_keeps_the_application_it_was_made_in(root, people):
    run = f.FunctionRunFactory(applications=[people.app_a], function__applications=[people.app_a])
    response = run_action(root, m.FunctionRun, "remove_from_application", [run], "app-a")
    assert any("No action selected" in msg for msg in messages_of(response))  # runs offer none
    assert apps_of(run) == ["app-a"]


# --- "Move to application…" -------------------------------------------------------------------------


def test_moving_secrets_puts_each_in_the_picked_application_alone(root, people):
    in_a = f.SecretFactory(name="in-a", applications=[people.app_a])
    nowhere = f.SecretFactory(name="nowhere")
    in_b = f.SecretFactory(name="in-b", applications=[people.app_b])
    response = run_action(root, m.Secret, "move_to_application", [in_a, nowhere, in_b], "app-b")
    assert "2 secrets moved to application 'app-b'." in messages_of(response)
    assert "Left alone, already only in it: in-b." in messages_of(response)
    assert apps_of(in_a) == apps_of(nowhere) == apps_of(in_b) == ["app-b"]
    assert m.Secret.objects.get(pk=in_a.pk).revision == 2  # through entity_update
    assert LogEntry.objects.filter(change_message="Moved to application 'app-b'.").count() == 2


def test_the_move_page_names_the_action_and_changes_nothing_yet(root, people):
    secret = f.SecretFactory(name="open-sesame", applications=[people.app_a])
    html = run_action(root, m.Secret, "move_to_application", [secret]).content.decode()
    assert "Move these secrets out of the applications they are in, into the one you pick:" in html
    assert '<input type="hidden" name="action" value="move_to_application">' in html
    assert 'value="Move to application"' in html
    assert apps_of(secret) == ["app-a"]


def test_moving_takes_an_entity_out_of_every_application_it_was_in(root, people, settings):
    settings.DISPATCH_SCOPES = {"secret": "many"}
    shared = f.SecretFactory(name="shared", applications=[people.app_a, people.app_b])
    response = run_action(root, m.Secret, "move_to_application", [shared], "app-b")
    assert "1 secret moved to application 'app-b'." in messages_of(response)
    assert apps_of(shared) == ["app-b"]


def test_a_function_whose_image_stays_behind_is_refused_and_nothing_moves(root, people):
    ready = f.FunctionFactory(name="ready", applications=[people.app_a], image__applications=[people.app_b])
    stuck = f.FunctionFactory(
        name="stuck", applications=[people.app_a], image__name="img-a", image__applications=[people.app_a]
    )
    response = run_action(root, m.Function, "move_to_application", [ready, stuck], "app-b")
    messages = messages_of(response)
    assert (
        "Function 'stuck' was refused: Function 'stuck' (in application 'app-b') cannot use image 'img-a' "
        "(in application 'app-a')" in " ".join(messages)
    )
    assert not any("'ready' was refused" in msg for msg in messages)
    assert "Nothing was changed: 1 of the 2 selected functions was refused." in " ".join(messages)
    assert apps_of(ready) == apps_of(stuck) == ["app-a"]  # all or nothing
    assert not LogEntry.objects.exists()


def test_an_image_that_a_function_uses_is_refused_until_the_function_moves(root, people):
    function = f.FunctionFactory(
        name="hello", applications=[people.app_a], image__name="img", image__applications=[people.app_a]
    )
    response = run_action(root, m.Image, "move_to_application", [function.image], "app-b")
    assert any(
        msg.startswith("Image 'img' was refused: Function 'hello' (in application 'app-a') uses image 'img'")
        for msg in messages_of(response)
    )
    assert apps_of(function.image) == ["app-a"]


def test_an_api_cannot_be_moved_but_follows_its_function(root, people):
    api = f.APIFactory(
        name="hello-api",
        applications=[people.app_a],
        function__applications=[people.app_a],
        function__image__applications=[people.app_b],
    )
    response = run_action(root, m.API, "move_to_application", [api], "app-b")
    assert any(
        msg.startswith("API 'hello-api' was refused: An API always belongs") for msg in messages_of(response)
    )
    assert apps_of(api) == ["app-a"]
    response = run_action(root, m.Function, "move_to_application", [api.function], "app-b")
    assert "1 function moved to application 'app-b'." in messages_of(response)
    assert apps_of(api.function) == apps_of(api) == ["app-b"]


@pytest.fixture
def staff_of_a(client, people):
    """Staff who may change secrets, and who is a developer of application A only."""
    user = people.developer_a
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename="change_secret"))
    client.force_login(user)
    return client


def test_the_move_page_offers_only_the_applications_the_user_may_see(staff_of_a, people):
    secret = f.SecretFactory(name="open-sesame")
    html = run_action(staff_of_a, m.Secret, "move_to_application", [secret]).content.decode()
    assert '<option value="app-a">' in html
    assert "app-b" not in html
    response = run_action(staff_of_a, m.Secret, "move_to_application", [secret], "app-b")
    assert response.context["form"].errors["application"]  # as if it did not exist
    assert apps_of(secret) == []


def test_a_secret_the_user_cannot_see_is_not_moved(staff_of_a, people):
    hidden = f.SecretFactory(name="hidden", applications=[people.app_b])
    response = run_action(staff_of_a, m.Secret, "move_to_application", [hidden], "app-a")
    assert messages_of(response) == ["None of the selected secrets exist; select them again from the list."]
    assert apps_of(hidden) == ["app-b"]

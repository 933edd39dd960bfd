"""The bulk actions "Add to application…" and "Remove from application…": an intermediate page,
then entity_update for every selected entity, all or nothing, each refusal reported by name."""

import pytest
from django.contrib.admin.models import LogEntry

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

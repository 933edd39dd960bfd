"""Every kind's list, detail, create, edit and delete page, for every role, with the test client."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from applications.models import Role
from entities import models as m
from entities.kinds import KINDS, get_kind
from entities.pages.generic import form_class
from tests import factories as f

pytestmark = pytest.mark.django_db

EDITABLE = [kind for kind in KINDS if kind.name != "run"]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_has_a_list_and_a_detail_page_for_a_member(kind, scene, people, client_for):
    client = client_for(people.viewer_a)
    entity = scene.of_kind(kind.name)
    listing = client.get(f"/{kind.plural}/")
    assert listing.status_code == 200
    assert entity.name in listing.content.decode()
    detail = client.get(f"/{kind.plural}/{entity.name}/")
    assert detail.status_code == 200
    assert "<h1>" in detail.content.decode() and entity.name in detail.content.decode()


def test_signed_out_users_are_sent_to_the_sign_in_page(client, scene):
    response = client.get("/functions/hello/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/functions/hello/"


def test_it_hides_functions_of_other_applications(scene, people, client_for):
    client = client_for(people.member_b)
    listing = client.get("/functions/").content.decode()
    assert "bee" in listing and "/functions/hello/" not in listing
    for url in ("/functions/hello/", "/functions/hello/edit/", "/functions/hello/delete/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in response.content.decode()


def test_a_function_in_another_application_is_a_404_on_post_too_and_stays(scene, people, client_for):
    client = client_for(people.member_b)
    assert client.post("/functions/hello/delete/").status_code == 404
    assert client.post("/functions/hello/edit/", {"name": "stolen"}).status_code == 404
    assert m.Function.objects.filter(name="hello").exists()


def test_a_viewer_gets_403_on_edit_and_delete_pages(scene, people, client_for):
    client = client_for(people.viewer_a)
    for url in ("/functions/hello/edit/", "/functions/hello/delete/", "/functions/new/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in response.content.decode()
    response = client.post("/functions/hello/delete/")
    assert response.status_code == 403
    assert m.Function.objects.filter(name="hello").exists()


def test_a_viewer_sees_no_edit_or_delete_buttons(scene, people, client_for):
    page = client_for(people.viewer_a).get("/functions/hello/").content.decode()
    assert "/functions/hello/edit/" not in page and "/functions/hello/delete/" not in page
    listing = client_for(people.viewer_a).get("/functions/").content.decode()
    assert "New function" not in listing


def test_a_developer_sees_edit_and_delete_buttons(scene, people, client_for):
    page = client_for(people.developer_a).get("/functions/hello/").content.decode()
    assert "/functions/hello/edit/" in page and "/functions/hello/delete/" in page


def test_system_kinds_are_read_only_to_developers_and_editable_by_staff(scene, people, client_for):
    assert client_for(people.developer_a).get("/base-images/python3-base/edit/").status_code == 403
    assert client_for(people.staff).get("/base-images/python3-base/edit/").status_code == 200


def test_runs_have_no_edit_pages(scene, people, client_for):
    client = client_for(people.superuser)
    assert client.get(f"/runs/{scene.run.name}/edit/").status_code == 404
    assert client.get("/runs/new/").status_code == 404
    assert "New function run" not in client.get("/runs/").content.decode()


@pytest.mark.parametrize("kind", EDITABLE, ids=lambda k: k.name)
def test_staff_can_open_every_create_and_edit_form(kind, scene, people, client_for):
    client = client_for(people.staff)
    entity = scene.of_kind(kind.name)
    assert client.get(f"/{kind.plural}/new/").status_code == 200
    response = client.get(f"/{kind.plural}/{entity.name}/edit/")
    assert response.status_code == 200
    assert f'value="{entity.name}"' in response.content.decode()


def test_a_function_source_keeps_its_newlines_whatever_the_browser_sends(scene, people, client_for):
    data = {"name": "greet", "applications": "app-a", "image": "python3", "handler": "greet.handle"}
    data.update(source="def handle(ctx, payload):\r\n    return 1\r\n", schema_in="{}", timeout="30")
    response = client_for(people.developer_a).post("/functions/new/", data)
    assert response.status_code == 302
    assert m.Function.objects.get(name="greet").source == "def handle(ctx, payload):\n    return 1\n"


def test_a_developer_creates_a_function_in_their_application(scene, people, client_for):
    client = client_for(people.developer_a)
    data = {
        "name": "greet",
        "applications": "app-a",
        "image": "python3",
        "handler": "greet.handle",
        "source": "def handle(ctx, payload):\n    return 1\n",
        "schema_in": "{}",
        "schema_out": "",
        "secrets": ["open-sesame"],
        "timeout": "30",
        "tags": "role=test, team=web",
    }
    response = client.post("/functions/new/", data)
    assert response.status_code == 302
    assert response["Location"] == "/functions/greet/"
    function = m.Function.objects.get(name="greet")
    assert function.application_names() == ["app-a"]
    assert function.image == scene.image and list(function.secrets.all()) == [scene.secret]
    assert function.schema_out == {} and function.timeout == 30 and function.created_by == people.developer_a
    assert sorted(function.tags.names()) == ["role=test", "team=web"]
    assert "Function &#x27;greet&#x27; created." in client.get("/functions/greet/").content.decode()


def test_the_create_form_starts_in_the_current_application(scene, people, client_for):
    client = client_for(people.developer_a)
    client.post("/switch/", {"application": "app-a"})
    page = client.get("/functions/new/").content.decode()
    assert '<option value="app-a" selected>app-a</option>' in page


def test_the_create_form_shows_the_services_messages_on_the_fields(scene, people, client_for):
    client = client_for(people.developer_a)
    f.FunctionFactory(name="taken", image=scene.image, applications=[people.app_a])
    data = {"name": "taken", "applications": "app-a", "image": "python3", "timeout": "10"}
    response = client.post("/functions/new/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["name"] == ["A function named 'taken' already exists; choose another name."]
    assert m.Function.objects.filter(name="taken").count() == 1


def test_a_reference_into_another_application_is_refused_with_the_rule_message(scene, people, client_for):
    client = client_for(people.superuser)
    data = {"name": "crossing", "applications": "app-a", "image": "bee-image", "timeout": "10"}
    response = client.post("/functions/new/", data)
    assert response.status_code == 400
    message = response.context["form"].errors["image"][0]
    assert message.startswith("Function 'crossing' (in application 'app-a') cannot use image 'bee-image'")
    assert not m.Function.objects.filter(name="crossing").exists()


def test_reference_fields_offer_only_what_the_user_may_use_labelled_with_its_application(
    scene, people, client_for
):
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.VIEWER)
    client = client_for(people.developer_a)  # developer of A, viewer of B: sees bee-image, may not use it
    form = client.get("/functions/new/").context["form"]
    assert [image.name for image in form.fields["image"].queryset] == ["python3"]
    assert [app.name for app in form.fields["applications"].queryset] == ["app-a"]
    page = client.get("/functions/new/").content.decode()
    assert '<option value="python3">python3 (app-a)</option>' in page
    assert "bee-image" not in page
    assert 'value="open-sesame"' in page and "open-sesame (app-a)" in page
    response = client.post(
        "/functions/new/", {"name": "sneaky", "applications": "app-a", "image": "bee-image", "timeout": "1"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["image"] == [
        "Choose an image from the list (system-scoped, or in an application you develop in); "
        "'bee-image' is not one of them."
    ]
    assert not m.Function.objects.filter(name="sneaky").exists()


def test_system_scoped_references_are_offered_to_developers_without_an_application(scene, people, client_for):
    page = client_for(people.developer_a).get("/images/python3/edit/").content.decode()
    assert '<option value="python3-base" selected>python3-base</option>' in page
    page = client_for(people.developer_a).get("/event-drivers/new/").content.decode()
    assert '<option value="ticker-type">ticker-type</option>' in page


def test_staff_are_offered_every_reference_they_see_with_its_applications(scene, people, client_for):
    page = client_for(people.superuser).get("/functions/new/").content.decode()
    assert '<option value="bee-image">bee-image (app-b)</option>' in page
    assert '<option value="python3">python3 (app-a)</option>' in page


def test_an_edit_keeps_offering_a_reference_the_user_could_not_choose(scene, people, client_for, settings):
    settings.DISPATCH_SCOPES = {"function": "many"}
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.VIEWER)
    both = f.FunctionFactory(name="both", image=scene.image, applications=[people.app_a, people.app_b])
    both.secrets.set([f.SecretFactory(name="b-secret", applications=[people.app_b])])
    f.SecretFactory(name="other-b-secret", applications=[people.app_b])
    client = client_for(people.developer_a)  # developer of A: may change `both`, but only view B
    page = client.get("/functions/both/edit/").content.decode()
    assert "b-secret (app-b)" in page and "other-b-secret" not in page
    data = {"name": "both", "applications": ["app-a", "app-b"], "image": "python3", "timeout": "5"}
    response = client.post("/functions/both/edit/", {**data, "secrets": ["b-secret"]})
    assert response.status_code == 302
    response = client.post("/functions/both/edit/", {**data, "secrets": ["other-b-secret"]})
    assert response.status_code == 400
    assert "'other-b-secret' is not one of them" in response.context["form"].errors["secrets"][0]


def test_every_error_of_a_form_is_reported_at_once(scene, people, client_for):
    f.FunctionFactory(name="taken", image=scene.image, applications=[people.app_a])
    client = client_for(people.superuser)  # sees B's image, so the reference rule itself refuses it
    data = {
        "name": "taken",
        "applications": "app-a",
        "image": "bee-image",
        "secrets": ["open-sesame"],
        "schema_in": "{nope",
        "timeout": "10",
    }
    response = client.post("/functions/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert sorted(errors) == ["image", "name", "schema_in"]
    assert errors["name"] == ["A function named 'taken' already exists; choose another name."]
    assert errors["image"][0].startswith("Function 'taken' (in application 'app-a') cannot use image")
    assert errors["schema_in"][0].startswith("JSON parse error: Expecting property name")
    assert m.Function.objects.get(name="taken").image == scene.image  # the first one, unchanged


def test_the_services_report_every_reference_they_refuse_at_once(scene, people, client_for):
    f.SecretFactory(name="bee-secret", applications=[people.app_b])
    data = {
        "name": "crossing",
        "applications": "app-a",
        "image": "bee-image",
        "secrets": ["open-sesame", "bee-secret"],
        "timeout": "10",
    }
    response = client_for(people.superuser).post("/functions/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert sorted(errors) == ["image", "secrets"]
    assert "cannot use secret 'bee-secret' (in application 'app-b')" in errors["secrets"][0]
    assert not m.Function.objects.filter(name="crossing").exists()


def test_a_viewer_cannot_create_in_their_application(scene, people, client_for):
    f.MembershipFactory(application=people.app_b, user=people.viewer_a, role=Role.DEVELOPER)
    client = client_for(people.viewer_a)  # developer of B, viewer of A
    form = client.get("/functions/new/").context["form"]
    assert [app.name for app in form.fields["applications"].queryset] == ["app-b"]
    response = client.post("/functions/new/", {"name": "x", "applications": "app-a", "image": "python3"})
    assert response.status_code == 400
    assert not m.Function.objects.filter(name="x").exists()


def test_a_developer_edits_a_function_and_the_revision_goes_up(scene, people, client_for):
    client = client_for(people.developer_a)
    form = client.get("/functions/hello/edit/").context["form"]
    data = {
        "name": "hello",
        "applications": "app-a",
        "image": "python3",
        "handler": "hello.changed",
        "timeout": "5",
        "revision": form.initial["revision"],
    }
    response = client.post("/functions/hello/edit/", data)
    assert response.status_code == 302, response.content.decode()
    scene.function.refresh_from_db()
    assert scene.function.handler == "hello.changed" and scene.function.revision == 2
    assert list(scene.function.secrets.all()) == []  # unticked


def test_an_edit_of_a_stale_revision_is_a_409_and_changes_nothing(scene, people, client_for):
    client = client_for(people.developer_a)
    data = {"name": "hello", "applications": "app-a", "image": "python3", "timeout": "5", "revision": "7"}
    response = client.post("/functions/hello/edit/", data)
    assert response.status_code == 409
    assert "has changed since revision 7" in response.content.decode()
    scene.function.refresh_from_db()
    assert scene.function.timeout == 0


def test_renaming_redirects_to_the_new_url(scene, people, client_for):
    client = client_for(people.developer_a)
    data = {"name": "hello2", "applications": "app-a", "image": "python3", "timeout": "5"}
    response = client.post("/functions/hello/edit/", data)
    assert response["Location"] == "/functions/hello2/"


def test_delete_asks_first_then_deletes(scene, people, client_for):
    client = client_for(people.developer_a)
    function = f.FunctionFactory(name="lonely", image=scene.image, applications=[people.app_a])
    confirm = client.get("/functions/lonely/delete/")
    assert confirm.status_code == 200 and "Delete function lonely?" in confirm.content.decode()
    assert m.Function.objects.filter(pk=function.pk).exists()
    response = client.post("/functions/lonely/delete/", {"revision": "1"})
    assert response.status_code == 302 and response["Location"] == "/functions/"
    assert not m.Function.objects.filter(pk=function.pk).exists()


def test_deleting_a_used_entity_says_what_uses_it_and_keeps_it(scene, people, client_for):
    client = client_for(people.developer_a)
    page = client.get("/functions/hello/delete/").content.decode()
    assert "/apis/post-hello/" in page and "/subscriptions/ticker-sub/" in page
    response = client.post("/functions/hello/delete/")
    assert response.status_code == 400
    assert "is used by" in response.content.decode()
    assert m.Function.objects.filter(name="hello").exists()


def test_the_detail_page_links_references_and_what_uses_it(scene, people, client_for):
    page = client_for(people.viewer_a).get("/functions/hello/").content.decode()
    assert 'href="/images/python3/"' in page and 'href="/secrets/open-sesame/"' in page
    assert 'href="/apis/post-hello/"' in page and 'href="/subscriptions/ticker-sub/"' in page
    assert f'href="/runs/{scene.run.name}/"' in page
    assert 'href="/applications/app-a/"' in page


def test_detail_with_another_application_in_the_url_is_a_404(scene, people, client_for):
    client = client_for(people.superuser)
    assert client.get("/functions/hello/?application=app-a").status_code == 200
    assert client.get("/functions/hello/?application=app-b").status_code == 404


def test_detail_in_an_application_the_user_is_not_a_member_of_is_a_404_as_in_the_api(
    settings, people, client_for
):
    settings.DISPATCH_SCOPES = {"secret": "many"}
    f.SecretFactory(name="shared", applications=[people.app_a, people.app_b])
    client = client_for(people.developer_a)
    assert client.get("/secrets/shared/?application=app-a").status_code == 200
    assert client.get("/secrets/shared/?application=app-b").status_code == 404
    assert client_for(people.member_b).get("/secrets/shared/?application=app-b").status_code == 200


def test_secret_values_are_masked_for_viewers(scene, people, client_for):
    for url in ("/secrets/open-sesame/", "/secrets/"):
        page = client_for(people.viewer_a).get(url).content.decode()
        assert "OpenSesame" not in page, url
    page = client_for(people.viewer_a).get("/secrets/open-sesame/").content.decode()
    assert "password" in page and "Reveal values" not in page


def test_a_viewer_who_asks_to_reveal_gets_the_apis_403(scene, people, client_for):
    for url in ("/secrets/open-sesame/?reveal=true", "/api/v1/secrets/open-sesame/?reveal=true"):
        response = client_for(people.viewer_a).get(url)
        assert response.status_code == 403, url
        assert "OpenSesame" not in response.content.decode()
        assert "to read its values; leave out reveal to see its keys" in response.content.decode(), url


def test_secret_values_are_revealed_to_developers_who_ask(scene, people, client_for):
    client = client_for(people.developer_a)
    page = client.get("/secrets/open-sesame/").content.decode()
    assert "OpenSesame" not in page and 'href="?reveal=true"' in page
    for flag in ("true", "1", "yes", "True"):  # what the API's flag parser takes
        revealed = client.get(f"/secrets/open-sesame/?reveal={flag}")
        assert "OpenSesame" in revealed.content.decode() and revealed["Cache-Control"] == "no-store"
    assert "OpenSesame" not in client.get("/secrets/open-sesame/?reveal=false").content.decode()
    assert client.get("/secrets/open-sesame/edit/")["Cache-Control"] == "no-store"


@pytest.mark.parametrize("who", ["viewer_a", "developer_a"])
def test_a_bad_reveal_flag_is_the_apis_400_for_everyone(scene, people, client_for, who):
    client = client_for(getattr(people, who))
    page = client.get("/secrets/open-sesame/?reveal=ture")
    api = client.get("/api/v1/secrets/open-sesame/?reveal=ture")
    assert page.status_code == api.status_code == 400
    assert api.json()["message"] == "'reveal' must be true or false, not 'ture'."
    assert "&#x27;reveal&#x27; must be true or false, not &#x27;ture&#x27;." in page.content.decode()
    assert "OpenSesame" not in page.content.decode() + api.content.decode()


def test_a_secret_is_edited_with_the_key_value_editor(scene, people, client_for):
    client = client_for(people.developer_a)
    page = client.get("/secrets/open-sesame/edit/").content.decode()
    assert 'type="password" name="values-value" value="OpenSesame"' in page
    data = {
        "name": "open-sesame",
        "applications": "app-a",
        "values-key": ["password", "user", ""],
        "values-value": ["changed", "jon", ""],
    }
    assert client.post("/secrets/open-sesame/edit/", data).status_code == 302
    scene.secret.refresh_from_db()
    assert scene.secret.values == {"password": "changed", "user": "jon"}


def test_a_secret_key_the_services_refuse_is_shown_on_the_values_field(scene, people, client_for):
    client = client_for(people.developer_a)
    data = {"name": "bad", "applications": "app-a", "values-key": ["no spaces"], "values-value": ["x"]}
    response = client.post("/secrets/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["values"] == [
        "Secret key 'no spaces' is invalid; use letters, digits, '.', '_' and '-'."
    ]
    value_without_key = {"name": "bad", "applications": "app-a", "values-key": [""], "values-value": ["x"]}
    response = client.post("/secrets/new/", value_without_key)
    assert response.context["form"].errors["values"] == ["Give every value a key, or clear both."]
    assert not m.Secret.objects.filter(name="bad").exists()


def test_an_api_takes_the_applications_of_its_function(scene, people, client_for):
    client = client_for(people.developer_a)
    data = {
        "name": "get-hello",
        "function": "hello",
        "methods": "GET\nPOST",
        "uris": "/hello",
        "authentication": "public",
    }
    response = client.post("/apis/new/", data)
    assert response.status_code == 302, response.content.decode()
    api = m.API.objects.get(name="get-hello")
    assert api.application_names() == ["app-a"] and api.methods == ["GET", "POST"] and api.uris == ["/hello"]


def test_an_event_driver_config_is_a_list_of_key_value_pairs(scene, people, client_for):
    client = client_for(people.developer_a)
    data = {
        "name": "clock",
        "applications": "app-a",
        "type": "ticker-type",
        "config-key": ["seconds", ""],
        "config-value": ["2", ""],
    }
    assert client.post("/event-drivers/new/", data).status_code == 302
    assert m.EventDriver.objects.get(name="clock").config == [{"key": "seconds", "value": "2"}]


def test_bad_json_is_a_field_error(scene, people, client_for):
    client = client_for(people.developer_a)
    data = {"name": "j", "applications": "app-a", "image": "python3", "timeout": "1", "schema_in": "{nope"}
    response = client.post("/functions/new/", data)
    assert response.status_code == 400 and response.context["form"].errors["schema_in"]
    assert not m.Function.objects.filter(name="j").exists()


def test_the_list_filters_with_the_api_filterset(scene, people, client_for):
    f.FunctionFactory(name="other", image=scene.image, handler="x.run", applications=[people.app_a])
    client = client_for(people.superuser)
    page = client.get("/functions/?search=hel").content.decode()
    assert "/functions/hello/" in page and "/functions/other/" not in page
    page = client.get("/functions/?application=app-b").content.decode()
    assert "/functions/bee/" in page and "/functions/hello/" not in page
    page = client.get("/functions/?image=python3").content.decode()
    assert "/functions/hello/" in page and "/functions/bee/" not in page


def test_the_list_sorts_by_a_column(scene, people, client_for):
    f.FunctionFactory(name="zeta", image=scene.image, applications=[people.app_a])
    client = client_for(people.superuser)
    page = client.get("/functions/?sort=-name").content.decode()
    assert page.index("/functions/zeta/") < page.index("/functions/hello/")
    page = client.get("/functions/?sort=name").content.decode()
    assert page.index("/functions/bee/") < page.index("/functions/zeta/")


def test_the_list_paginates(scene, people, client_for):
    image = scene.image
    for index in range(55):
        f.FunctionFactory(name=f"many-{index:02d}", image=image, applications=[people.app_a])
    client = client_for(people.developer_a)
    first = client.get("/functions/").content.decode()
    assert "56 in all" in first and "page 1 of 2" in first and "/functions/many-54/" not in first
    second = client.get("/functions/?page=2").content.decode()
    assert "/functions/many-54/" in second


def test_a_list_of_one_application_counts_what_its_filters_leave(scene, people, client_for):
    # Unfiltered, the count is read from the application's items; filtered, from the rows left.
    for index in range(3):
        f.FunctionFactory(name=f"more-{index}", image=scene.image, applications=[people.app_a])
    m.Function.objects.filter(name="more-1").update(status=m.Status.ERROR)
    client = client_for(people.developer_a)
    in_a = m.Function.objects.filter(applications=people.app_a).count()
    assert f"{in_a} in all" in client.get("/functions/?application=app-a").content.decode()
    assert "1 in all" in client.get("/functions/?application=app-a&status=ERROR").content.decode()
    assert "3 in all" in client.get("/functions/?application=app-a&search=more-").content.decode()


def test_an_outsider_sees_only_system_and_unassigned_entities(scene, people, client_for):
    f.FunctionFactory(name="loose", image__name="loose-image")
    client = client_for(people.outsider)
    page = client.get("/functions/").content.decode()
    assert "/functions/loose/" in page and "/functions/hello/" not in page and "/functions/bee/" not in page
    assert client.get("/base-images/python3-base/").status_code == 200
    assert client.get("/functions/loose/edit/").status_code == 403


def test_nobody_signed_out_may_reach_the_form_helpers(scene):
    # The forms ask the gate; a signed-out user is offered nothing (defence in depth).
    form = get_kind("function").form(user=AnonymousUser())
    assert list(form.fields["image"].queryset) == []
    assert list(form.fields["applications"].queryset) == []


def test_every_kind_has_a_table_and_every_kind_written_on_the_pages_a_form_in_the_naming_family():
    for kind in KINDS:
        assert kind.table._meta.model is kind.model
        assert kind.table.__name__ == f"{kind.model_name}Table"
        if not kind.read_only:
            assert kind.form._meta.model is kind.model
            assert kind.form.__name__ == f"{kind.model_name}Form"
    assert form_class(get_kind("run")) is None  # runs are written on no page


def test_the_more_filters_open_only_when_one_of_them_is_used(scene, people, client_for):
    client = client_for(people.superuser)
    assert not client.get("/functions/?search=h&tag=&unassigned=").context["more_filters_used"]
    page = client.get("/functions/?unassigned=true")
    assert page.context["more_filters_used"]
    assert "/functions/hello/" not in page.content.decode()


def test_a_filter_on_an_application_the_user_may_not_see_is_a_400_with_no_rows(scene, people, client_for):
    response = client_for(people.member_b).get("/functions/?application=app-a")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice. app-a is not one of the available choices." in page
    assert "/functions/bee/" not in page and "/functions/hello/" not in page


def test_a_bad_date_filter_is_a_400_with_the_fields_message(scene, people, client_for):
    response = client_for(people.developer_a).get("/functions/?created_after=yesterday")
    assert response.status_code == 400
    assert response.context["filter_form"].errors["created_after"] == ["Enter a valid date/time."]


def test_the_secret_list_shows_keys_but_never_values(scene, people, client_for):
    page = client_for(people.developer_a).get("/secrets/").content.decode()
    assert "password" in page and "OpenSesame" not in page


def test_the_detail_page_leaves_out_bookkeeping_fields(scene, people, client_for):
    rows = client_for(people.viewer_a).get("/functions/hello/").context["rows"]
    labels = [label for label, _, _ in rows]
    assert "Unassigned" not in labels and "Encrypted values" not in labels
    assert {"Image", "Handler", "Source", "Timeout", "Secrets", "Created by"} <= set(labels)


def test_a_function_without_an_application_is_refused_with_the_services_reason(scene, people, client_for):
    response = client_for(people.developer_a).post(
        "/functions/new/", {"name": "loose", "applications": "", "image": "python3", "timeout": "1"}
    )
    assert response.status_code == 403
    assert response.context["form"].non_field_errors() == [
        "Only staff can create unassigned functions; name an application you develop in."
    ]
    assert not m.Function.objects.filter(name="loose").exists()


def test_with_the_many_scope_the_form_offers_several_applications(scene, people, client_for, settings):
    settings.DISPATCH_SCOPES = {"secret": "many"}
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.DEVELOPER)
    client = client_for(people.developer_a)
    page = client.get("/secrets/new/").content.decode()
    assert 'type="checkbox" name="applications" value="app-b"' in page
    data = {"name": "both", "applications": ["app-a", "app-b"], "values-key": ["k"], "values-value": ["v"]}
    assert client.post("/secrets/new/", data).status_code == 302
    assert m.Secret.objects.get(name="both").application_names() == ["app-a", "app-b"]


def test_list_rows_show_their_applications_tags_and_topics(scene, people, client_for):
    scene.function.tags.add("role=test")
    client = client_for(people.viewer_a)
    functions = client.get("/functions/").content.decode()
    assert 'href="/applications/app-a/"' in functions and '<span class="label">role=test</span>' in functions
    assert "app-a.ticker.tick" in client.get("/subscriptions/").content.decode()


def test_a_status_reads_as_the_api_writes_it_on_every_page(scene, people, client_for):
    scene.function.status = "ERROR"
    scene.function.save()
    client = client_for(people.superuser)
    pages = [
        "/",
        "/functions/",
        "/functions/hello/",
        "/entities/",
        f"/runs/{scene.run.name}/",
        "/applications/",
        "/applications/app-a/",
        "/applications/app-a/edit/",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert not re.search(r">\s*(Ready|Error|Creating|Updating|Deleting|Initialized)\s*<", page), url
        assert re.search(r">\s*(READY|ERROR)\s*<", page), url
    assert '<span class="status status-error">ERROR</span>' in client.get("/functions/").content.decode()
    assert 'value="ERROR"' in client.get("/functions/").content.decode()  # the filter's choice
    assert client.get("/functions/?status=ERROR").content.decode().count('<td class="name" ') == 1


def test_an_edit_with_a_form_error_reports_the_services_errors_too_and_changes_nothing(
    scene, people, client_for
):
    f.FunctionFactory(name="taken", image=scene.image, applications=[people.app_a])
    data = {"name": "taken", "applications": "app-a", "image": "python3", "timeout": "x", "revision": "1"}
    response = client_for(people.developer_a).post("/functions/hello/edit/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["timeout"] == ["Enter a whole number."]
    assert errors["name"] == ["A function named 'taken' already exists; choose another name."]
    scene.function.refresh_from_db()
    assert scene.function.name == "hello" and scene.function.revision == 1


@pytest.mark.parametrize("flag", ["true", "ture"])
def test_reveal_on_a_secret_the_user_may_not_see_is_a_404(scene, people, client_for, flag):
    response = client_for(people.member_b).get(f"/secrets/open-sesame/?reveal={flag}")
    assert response.status_code == 404 and "OpenSesame" not in response.content.decode()

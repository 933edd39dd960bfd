"""Sign in and out, the profile with API tokens, the application switcher, home, and the error pages."""

import pytest
from django.conf import settings
from django.test import Client

from applications import tokens
from applications.models import APIToken, Role
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py


def test_a_user_signs_in_with_the_form_and_lands_where_they_were_going(people):
    client = Client()
    page = client.get("/accounts/login/?next=/functions/")
    assert page.status_code == 200 and 'for="id_username"' in page.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "developer_a", "password": PASSWORD, "next": "/functions/"}
    )
    assert response.status_code == 302 and response["Location"] == "/functions/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(people):
    response = Client().post("/accounts/login/", {"username": "developer_a", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(people, client_for):
    client = client_for(people.developer_a)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_the_login_url_setting_is_the_sign_in_page():
    assert settings.LOGIN_URL == "/accounts/login/"


def test_a_token_is_shown_once_then_only_its_prefix(people, client_for):
    client = client_for(people.developer_a)
    assert client.post("/profile/", {"name": "laptop"})["Location"] == "/profile/"
    response = client.get("/profile/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.context["new_key"]
    assert key in response.content.decode()
    assert tokens.user_for_key(key) == people.developer_a
    again = client.get("/profile/").content.decode()
    assert key not in again and key[:10] in again and "laptop" in again


def test_a_token_needs_a_name(people, client_for):
    response = client_for(people.developer_a).post("/profile/", {"name": " "})
    assert response.status_code == 400
    assert not APIToken.objects.exists()


def test_the_profile_shows_when_a_token_was_last_used(people, client_for):
    token, key = tokens.token_create(user=people.developer_a, name="ci")
    client = client_for(people.developer_a)
    assert "never" in client.get("/profile/").content.decode()
    tokens.user_for_key(key)
    token.refresh_from_db()
    assert token.last_used.strftime("%Y-%m-%d %H:%M") in client.get("/profile/").content.decode()


def test_a_user_revokes_their_token_but_not_someone_elses(people, client_for):
    mine, key = tokens.token_create(user=people.developer_a, name="mine")
    theirs, _ = tokens.token_create(user=people.viewer_a, name="theirs")
    client = client_for(people.developer_a)
    assert client.post("/profile/", {"revoke": theirs.pk}).status_code == 404
    assert APIToken.objects.filter(pk=theirs.pk).exists()
    assert client.post("/profile/", {"revoke": mine.pk}).status_code == 302
    assert tokens.user_for_key(key) is None


def test_the_switcher_keeps_the_current_application_and_filters_every_list(scene, people, client_for):
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.VIEWER)
    client = client_for(people.developer_a)
    both = client.get("/functions/").content.decode()
    assert "/functions/hello/" in both and "/functions/bee/" in both
    response = client.post("/switch/", {"application": "app-b", "next": "/functions/"})
    assert response["Location"] == "/functions/"
    only_b = client.get("/functions/").content.decode()
    assert "/functions/bee/" in only_b and "/functions/hello/" not in only_b
    assert '<option value="app-b" selected>app-b</option>' in only_b
    assert "/images/python3/" not in client.get("/images/").content.decode()
    explicit = client.get("/functions/?application=app-a").content.decode()
    assert "/functions/hello/" in explicit and "/functions/bee/" not in explicit
    client.post("/switch/", {"application": ""})
    assert "/functions/hello/" in client.get("/functions/").content.decode()


def test_the_switcher_refuses_applications_the_user_may_not_see(scene, people, client_for):
    client = client_for(people.member_b)
    assert client.post("/switch/", {"application": "app-a"}).status_code == 404
    assert "dispatch_application" not in client.session


def test_the_switcher_does_not_redirect_to_other_sites(people, client_for):
    response = client_for(people.member_b).post(
        "/switch/", {"application": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_an_application_that_became_invisible_counts_as_all_applications(scene, people, client_for):
    client = client_for(people.member_b)
    client.post("/switch/", {"application": "app-b"})
    people.member_b.application_memberships.all().delete()
    page = client.get("/functions/")
    assert page.status_code == 200 and "/functions/bee/" not in page.content.decode()
    assert '<option value="" selected>All applications</option>' in page.content.decode()


def test_home_shows_the_users_applications_with_counts_and_the_newest_runs(scene, people, client_for):
    page = client_for(people.viewer_a).get("/").content.decode()
    assert 'href="/applications/app-a/"' in page and "app-b" not in page
    assert 'aria-label="1 functions in app-a"' in page
    assert f'href="/runs/{scene.run.name}/"' in page


def test_home_links_a_runs_function_only_when_the_user_may_see_it(scene, people, client_for):
    hidden = f.FunctionRunFactory(function=scene.function_b, applications=[people.app_a])
    page = client_for(people.viewer_a).get("/").content.decode()
    assert f'href="/runs/{hidden.name}/"' in page and "<td data-label=\"Function\">bee</td>" in page
    assert "/functions/bee/" not in page
    assert f'<a href="/functions/{scene.function.name}/">{scene.function.name}</a>' in page


def test_home_shows_runs_of_the_current_application_only(scene, people, client_for):
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.VIEWER)
    run_b = f.FunctionRunFactory(function=scene.function_b, applications=[people.app_b])
    client = client_for(people.developer_a)
    client.post("/switch/", {"application": "app-b"})
    page = client.get("/").content.decode()
    assert run_b.name in page and scene.run.name not in page


def test_a_user_without_applications_is_told_how_to_get_one(people, client_for):
    assert "ask an application" in client_for(people.outsider).get("/").content.decode()


def test_an_unknown_page_is_the_friendly_404(people, client_for):
    response = client_for(people.outsider).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Not found</h1>" in page and "/no-such-page/" in page and "<nav" in page


def test_the_500_page_stands_alone(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_stylesheet_is_vendored_and_no_page_loads_from_a_cdn(people, client_for):
    page = client_for(people.developer_a).get("/functions/").content.decode()
    assert "/static/dispatch/site.css" in page and "https://" not in page
    assert (settings.BASE_DIR / "static" / "dispatch" / "site.css").is_file()
    assert settings.BASE_DIR / "static" in settings.STATICFILES_DIRS


def test_admin_pages_do_not_pay_for_the_layout(people, client, django_assert_max_num_queries):
    # The navigation context processor is lazy: templates that never draw it query nothing for it.
    from applications.pages.switcher import navigation

    request = type("Request", (), {"user": people.developer_a, "session": {}, "path": "/admin/"})()
    with django_assert_max_num_queries(0):
        navigation(request)


def test_the_current_application_still_filters_when_the_filter_form_sends_empty_fields(
    scene, people, client_for
):
    f.MembershipFactory(application=people.app_b, user=people.developer_a, role=Role.VIEWER)
    client = client_for(people.developer_a)
    client.post("/switch/", {"application": "app-b"})
    page = client.get("/functions/?search=&unassigned=&tag=").content.decode()
    assert "/functions/bee/" in page and "/functions/hello/" not in page

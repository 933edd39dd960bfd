"""Every page runs a fixed number of SQL queries, whatever the number of rows it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Role
from entities.kinds import KINDS
from tests import factories as f
from tests.conftest import session_queries

pytestmark = pytest.mark.django_db


def make(kind, count, app):
    factory = f.FACTORIES[kind.name]
    apps = [] if kind.is_system else [app]
    return [factory(applications=apps) for _ in range(count)]


def queries(client, url) -> int:
    client.get(url)  # warm Django's content-type cache, which the first request of a test fills
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.fixture
def developer(people, client):
    client.force_login(people.developer_a)
    session = client.session
    session["dispatch_application"] = "app-a"  # the switcher's query is part of every count
    session.save()
    return client


def test_the_function_list_runs_four_queries_for_one_row_and_for_thirty(
    people, developer, django_assert_num_queries
):
    image = f.ImageFactory(name="img", applications=[people.app_a])
    secret = f.SecretFactory(name="sec", applications=[people.app_a])

    def add(count):
        for _ in range(count):
            function = f.FunctionFactory(image=image, applications=[people.app_a])
            function.secrets.set([secret])
            function.tags.add("role=test")

    for count in (1, 29):
        add(count)
        developer.get("/functions/")  # warm the content-type cache
        # (+ the session without Redis) 1 user with their memberships: the switcher's applications
        # and roles (the current one, the filter's check of the application it was given, its choices
        # and "may the user create" are all read from them), 2 COUNT for the paginator, from app-a's
        # items alone, 3 the page of functions with their images, 4 their applications, tags and
        # secrets (one UNION ALL).
        with django_assert_num_queries(4 + len(session_queries())) as context:
            response = developer.get("/functions/")
        assert response.content.decode().count('<td class="name" ') == (1 if count == 1 else 30)
        sqls = [query["sql"] for query in context.captured_queries]
        [counted] = [sql for sql in sqls if "COUNT(" in sql]
        assert "entities_function" not in counted
        # the current application is read by its index once, not filtered for again
        [page] = [sql for sql in sqls if sql.startswith('SELECT "entities_function"."id"')]
        assert page.count("applications_applicationitem") == 1


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_list_page_costs_the_same_for_one_row_and_thirty(kind, people, developer):
    make(kind, 1, people.app_a)
    one = queries(developer, f"/{kind.plural}/")
    make(kind, 29, people.app_a)
    assert queries(developer, f"/{kind.plural}/") == one


def test_a_detail_page_costs_the_same_whatever_uses_it(people, developer):
    image = f.ImageFactory(name="img", applications=[people.app_a])
    function = f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    f.APIFactory(function=function, applications=[people.app_a])
    f.FunctionRunFactory(function=function, applications=[people.app_a])
    one = queries(developer, "/functions/hello/")
    for _ in range(20):
        f.APIFactory(function=function, applications=[people.app_a])
        f.SubscriptionFactory(function=function, applications=[people.app_a])
        f.FunctionRunFactory(function=function, applications=[people.app_a])
    assert queries(developer, "/functions/hello/") == one


def test_home_costs_the_same_for_one_application_and_ten(people, client, django_assert_num_queries):
    user = f.UserFactory(username="many-apps")
    client.force_login(user)

    def add(count, start):
        for index in range(start, start + count):
            app = f.ApplicationFactory(name=f"home-{index}")
            f.MembershipFactory(application=app, user=user, role=Role.DEVELOPER)
            function = f.FunctionFactory(applications=[app], image__applications=[app])
            f.FunctionRunFactory(function=function, applications=[app])

    for count, start in ((1, 0), (9, 1)):
        add(count, start)
        client.get("/")  # warm the content-type cache
        # (+ the session without Redis) 1 user with their memberships (their roles and the
        # switcher's list are read from them), 2 visible applications, 3 counts by kind (one GROUP BY
        # on the through table), 4 newest runs, 5 their applications, 6 their tags, 7 the names of
        # their functions the user may see (visible_function_names).
        with django_assert_num_queries(7 + len(session_queries())):
            client.get("/")


def test_the_application_pages_cost_the_same_for_few_and_many_entities(people, developer):
    urls = ["/applications/", "/applications/app-a/", "/applications/app-a/members/", "/profile/"]
    make(KINDS[3], 1, people.app_a)  # one function
    first = [queries(developer, url) for url in urls]
    for kind in KINDS:
        make(kind, 10, people.app_a)
    for _ in range(10):
        f.MembershipFactory(application=people.app_a, user=f.UserFactory(), role=Role.VIEWER)
        f.ApplicationFactory()
    assert [queries(developer, url) for url in urls] == first


def test_edit_forms_cost_the_same_whatever_the_choices(people, developer, django_assert_num_queries):
    image = f.ImageFactory(name="img", applications=[people.app_a])
    f.SecretFactory(applications=[people.app_a])
    f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    urls = ("/functions/new/", "/functions/hello/edit/")
    first = [queries(developer, url) for url in urls]
    for _ in range(20):
        f.SecretFactory(applications=[people.app_a])
        f.ImageFactory(applications=[people.app_a, people.app_b])
    assert [queries(developer, url) for url in urls] == first
    # (+ the session without Redis) 1 user with their memberships (the switcher's applications and
    # "may the user create" are read from them), 2 the applications field's choices, 3 the usable
    # images, 4 their applications (for the labels), 5 the usable secrets, 6 their applications.
    with django_assert_num_queries(6 + len(session_queries())):
        developer.get("/functions/new/")
    # The edit form reads the function, its applications, tags and secrets: 4 more (the user's roles
    # in its applications, for "may change", come with the user).
    with django_assert_num_queries(10 + len(session_queries())):
        developer.get("/functions/hello/edit/")

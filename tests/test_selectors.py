"""attach_tags fills the taggit caches of a page of rows in one query."""

from applications.models import Application
from applications.selectors import _union, attach_tags
from entities import models as m
from tests import factories as f


def test_it_fills_each_entitys_applications_and_tags_in_one_query(people, django_assert_num_queries):
    first = f.FunctionFactory(name="first", applications=[people.app_a, people.app_b])
    first.tags.add("team=x", "role=test")
    f.FunctionFactory(name="second")
    entities = list(m.Function.objects.order_by("name"))
    with django_assert_num_queries(1):  # the application and label items, tags joined (one UNION ALL)
        attach_tags(entities)
    with django_assert_num_queries(0):
        assert [e.application_names() for e in entities] == [["app-a", "app-b"], []]
        assert [t.name for t in entities[0].tags.all()] == ["role=test", "team=x"]
        assert entities[0].applications.filter(name="app-b").count() == 0  # filtering further finds nothing


def test_it_fills_the_labels_of_applications_too(people, django_assert_num_queries):
    people.app_a.tags.add("team=payments")
    applications = list(Application.objects.order_by("name"))
    with django_assert_num_queries(1):  # the label items of the applications, tags joined
        attach_tags(applications)
    with django_assert_num_queries(0):
        assert [[t.name for t in a.tags.all()] for a in applications] == [["team=payments"], []]


def test_an_empty_page_costs_nothing(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        attach_tags([])


def test_a_page_of_many_kinds_costs_one_query(people, django_assert_num_queries):
    function = f.FunctionFactory(name="fn", applications=[people.app_a])
    secret = f.SecretFactory(name="key", applications=[people.app_b])
    secret.tags.add("role=test")
    page = [m.Function.objects.get(pk=function.pk), m.Secret.objects.get(pk=secret.pk)]
    with django_assert_num_queries(1):  # the application and label items of both kinds (one UNION ALL)
        attach_tags(page)
    with django_assert_num_queries(0):
        assert [e.application_names() for e in page] == [["app-a"], ["app-b"]]
        assert [[t.name for t in e.tags.all()] for e in page] == [[], ["role=test"]]


def test_rows_in_the_same_application_share_one_instance_of_it(people):
    """A page's application is made once, not once per row (a tenth of a 50-row list's reading)."""
    for name in ("one", "two"):
        f.FunctionFactory(name=name, applications=[people.app_a])
    first, second = m.Function.objects.order_by("name")
    attach_tags([first, second])
    assert first.applications.all()[0] is second.applications.all()[0]
    assert first.applications.all()[0].name == "app-a"


def test_its_query_is_written_once_for_pages_of_the_same_shape(people):
    """The UNION's text and readers are kept per shape (`_union`); on PostgreSQL any page's ids are
    one array, so pages of different lengths share it too."""
    for name in ("one", "two", "three"):
        f.FunctionFactory(name=name, applications=[people.app_a] if name != "two" else [people.app_b])
    rows = list(m.Function.objects.order_by("name"))
    attach_tags(rows[:2])
    written = _union.cache_info().misses
    again = list(m.Function.objects.order_by("name"))
    attach_tags(again[:2])
    assert _union.cache_info().misses == written
    assert [e.application_names() for e in again[:2]] == [["app-a"], ["app-a"]]  # one, three
    attach_tags(again)
    assert [e.application_names() for e in again] == [["app-a"], ["app-a"], ["app-b"]]

"""A prepared read is compiled once and then reads with each call's own values, as its queryset would."""

from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db.models.functions import Upper
from django.db.models.sql.compiler import SQLCompiler

from dispatch_site.prepared import Prepared
from entities import models as m
from tests import factories as f


def by_name():
    return Prepared(lambda name: m.Function.objects.select_related("image").filter(name=name)[:1], str)


def test_it_compiles_once_and_reads_each_calls_own_values(people):
    f.FunctionFactory(name="first")
    f.FunctionFactory(name="second")
    read = by_name()
    assert [fn.name for fn in read("first")] == ["first"]
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        assert [fn.name for fn in read("second")] == ["second"]
        assert read("third") == []


def test_it_reads_what_the_queryset_would_with_its_relations_in_the_same_query(
    people, django_assert_num_queries
):
    made = f.FunctionFactory(name="first")
    read = by_name()
    read("warm up")
    with django_assert_num_queries(1):  # the function joined to its image
        [found] = read("first")
        assert found.image.name == made.image.name
    assert found == made and found.source == made.source


def test_it_keeps_the_querysets_prefetches(people, django_assert_num_queries):
    f.FunctionFactory(name="first", applications=[people.app_a, people.app_b])
    read = Prepared(lambda name: m.Function.objects.prefetch_related("applications").filter(name=name), str)
    with django_assert_num_queries(2):  # the function, its applications
        [found] = read("first")
    with django_assert_num_queries(0):
        assert sorted(a.name for a in found.applications.all()) == ["app-a", "app-b"]


def test_it_refuses_a_value_that_is_not_one_parameter(db):
    twice = Prepared(lambda name: m.Function.objects.filter(name=name, handler=name), str)
    changed = Prepared(
        lambda name: m.Function.objects.annotate(up=Upper("name")).filter(up=name.upper()), str
    )
    for read in (twice, changed):
        with pytest.raises(ImproperlyConfigured, match="one parameter of its SQL"):
            read("x")


def test_it_takes_integers_for_columns_of_any_integer_size(people):
    """A user's id is a 32-bit column on PostgreSQL: a marker out of its range would vanish from the SQL."""
    read = Prepared(lambda pk: User.objects.filter(pk=pk), int)
    assert read(people.developer_a.pk) == [people.developer_a]
    assert read(people.staff.pk) == [people.staff]

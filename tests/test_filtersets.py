"""The FilterSets shared by the API and the pages, applied to what the gate lets a user see."""

import pytest
from django.http import QueryDict

from applications import access
from entities.kinds import KINDS, get_kind
from entities.models import Function
from tests import factories as f


class FakeRequest:
    def __init__(self, user):
        self.user = user


def filtered(user, query, kind_name="function"):
    kind = next(k for k in KINDS if k.name == kind_name)
    filterset = kind.filterset(
        QueryDict(query), queryset=access.visible_entities(kind.model, user), request=FakeRequest(user)
    )
    assert filterset.is_valid(), filterset.errors
    return sorted(e.name for e in filterset.qs)


@pytest.fixture
def functions(people):
    f.FunctionFactory(name="in-a", applications=[people.app_a])
    f.FunctionFactory(name="in-b", applications=[people.app_b])
    f.FunctionFactory(name="loose")


def test_every_kind_has_a_filterset():
    for kind in KINDS:
        assert kind.filterset._meta.model is kind.model


def test_it_filters_by_application(people, functions):
    assert filtered(people.superuser, "application=app-a") == ["in-a"]
    assert filtered(people.superuser, "application=app-a&application=app-b") == ["in-a", "in-b"]


def test_an_empty_application_or_unassigned_means_in_no_application(people, functions):
    assert filtered(people.superuser, "application=") == ["loose"]
    assert filtered(people.superuser, "unassigned=true") == ["loose"]


def test_it_hides_functions_of_other_applications(people, functions):
    assert filtered(people.member_b, "") == ["in-b", "loose"]
    assert filtered(people.member_b, "search=in") == ["in-b"]


def test_an_invisible_application_is_not_a_valid_choice(people, functions):
    kind = get_kind("function")
    filterset = kind.filterset(
        QueryDict("application=app-a"), queryset=Function.objects.all(), request=FakeRequest(people.member_b)
    )
    assert not filterset.is_valid()
    assert "app-a" in str(filterset.errors["application"])


def test_it_filters_by_tag_reference_and_ordering(people):
    image = f.ImageFactory(name="py", applications=[people.app_a])
    tagged = f.FunctionFactory(name="b-tagged", image=image, applications=[people.app_a])
    tagged.tags.add("role=test")
    f.FunctionFactory(name="a-plain", applications=[people.app_a])
    assert filtered(people.developer_a, "tag=role=test") == ["b-tagged"]
    assert filtered(people.developer_a, "image=py") == ["b-tagged"]
    kind = get_kind("function")
    filterset = kind.filterset(
        QueryDict("ordering=-name"), queryset=Function.objects.all(), request=FakeRequest(people.superuser)
    )
    assert [e.name for e in filterset.qs] == ["b-tagged", "a-plain"]

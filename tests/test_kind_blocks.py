"""KindBlocks pages entities of several kinds, grouped by kind then by name, without a global sort."""

from unittest import mock

import pytest
from django.contrib.auth.models import Permission

from dispatch_site.prepared import Prepared
from entities.kinds import get_kind
from entities.selectors import KindBlocks, counts_of_every_entity, entity_queryset, prepared_windows
from tests import factories as f


@pytest.fixture
def blocks(people):
    for name in ("s2", "s1", "s3"):
        f.SecretFactory(name=name)
    for name in ("f2", "f1"):
        f.FunctionFactory(name=name)
    kinds = [get_kind("secret"), get_kind("api"), get_kind("function")]  # api: an empty block between
    return KindBlocks([(kind, kind.model.objects.all()) for kind in kinds])


def test_it_counts_every_kind_in_one_query(blocks, django_assert_num_queries):
    with django_assert_num_queries(1) as queries:  # one UNION ALL of a COUNT per kind
        assert blocks.count() == 5
    assert blocks.counts() == [3, 0, 2]
    # COUNT(*), not COUNT(id): PostgreSQL then reads no column (all 480,000 entities: 4.4 against 7 ms)
    assert queries.captured_queries[0]["sql"].count("COUNT(*)") == 3


@pytest.mark.parametrize("start,stop", [(0, 5), (0, 2), (2, 4), (3, 5), (4, 10), (5, 7)])
def test_every_window_is_the_same_slice_of_the_whole_list(blocks, start, stop):
    whole = ["s1", "s2", "s3", "f1", "f2"]
    assert [e.name for e in blocks[start:stop]] == whole[start:stop]


def test_a_page_reads_only_the_kinds_it_overlaps(blocks, django_assert_num_queries):
    blocks.count()
    with django_assert_num_queries(1):  # the secrets only: functions start after the window
        assert [e.name for e in blocks[0:2]] == ["s1", "s2"]
    with django_assert_num_queries(2):  # the last secret, then the first function
        assert [e.name for e in blocks[2:4]] == ["s3", "f1"]


@pytest.fixture
def in_a(people):
    """Secrets and functions of A, and one of each in B that A's windows must not show."""
    for name in ("s2", "s1", "s3"):
        f.SecretFactory(name=name, applications=[people.app_a])
    for name in ("f2", "f1"):
        f.FunctionFactory(name=name, applications=[people.app_a])
    f.SecretFactory(name="s0", applications=[people.app_b])
    f.FunctionFactory(name="f0", applications=[people.app_b])
    return [get_kind("secret"), get_kind("api"), get_kind("function")]


def application_blocks(kinds, user, application, windows):
    querysets = [(k, entity_queryset(k, user, application=application, many_references=False)) for k in kinds]
    return KindBlocks(querysets, windows=windows)


@pytest.mark.parametrize("start,stop", [(0, 5), (0, 2), (2, 4), (3, 5), (4, 10), (5, 7)])
def test_a_members_windows_are_compiled_once_and_read_the_same_rows(people, in_a, start, stop):
    """`prepared_windows` reads what slicing the querysets reads, in SQL compiled once per kind
    and window (dispatch_site/prepared.py)."""
    user = people.developer_a
    windows = prepared_windows(in_a, user, people.app_a)
    expected = [e.name for e in application_blocks(in_a, user, people.app_a, None)[start:stop]]
    assert [e.name for e in application_blocks(in_a, user, people.app_a, windows)[start:stop]] == expected
    with mock.patch.object(Prepared, "_compile", side_effect=AssertionError("compiled again")):
        again = prepared_windows(in_a, user, people.app_a)
        assert [e.name for e in application_blocks(in_a, user, people.app_a, again)[start:stop]] == expected
    other = prepared_windows(in_a, people.member_b, people.app_b)
    in_b = application_blocks(in_a, people.member_b, people.app_b, other)
    assert [e.name for e in in_b[0:9]] == ["s0", "f0"]


def test_staff_who_see_an_application_but_not_every_kind_get_no_windows(people, in_a):
    """Their gate adds to the application's items (the kinds they may not view), so their pages slice
    the gated querysets instead; staff who may view every kind get them."""
    viewer = f.UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    assert prepared_windows(in_a, viewer, people.app_a) is None
    assert prepared_windows(in_a, people.staff, people.app_a) is not None


def test_whoever_may_view_every_entity_pages_all_of_them_by_windows_compiled_once(people, in_a):
    """Without an application the windows read every entity of the kinds, so only for users whose gate
    is every entity by permission; a member's gate hides B's, and gets no windows."""
    root = people.superuser
    windows = prepared_windows(in_a, root, None)
    every = KindBlocks([(k, entity_queryset(k, root, many_references=False)) for k in in_a], windows=windows)
    assert [e.name for e in every[0:9]] == ["s0", "s1", "s2", "s3", "f0", "f1", "f2"]
    with mock.patch.object(Prepared, "_compile", side_effect=AssertionError("compiled again")):
        assert [e.name for e in every[0:9]] == ["s0", "s1", "s2", "s3", "f0", "f1", "f2"]
    assert [e.name for e in every[1:5]] == ["s1", "s2", "s3", "f0"]
    assert counts_of_every_entity(tuple(in_a)) == every.counts() == [4, 0, 3]
    with mock.patch.object(Prepared, "_compile", side_effect=AssertionError("compiled again")):
        assert counts_of_every_entity(tuple(in_a)) == [4, 0, 3]
    assert prepared_windows(in_a, people.developer_a, None) is None

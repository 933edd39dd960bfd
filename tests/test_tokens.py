"""API tokens are stored hashed, shown once, revocable, and one user may hold several."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.sql.compiler import SQLCompiler

from applications import access, tokens
from applications.models import APIToken


def test_a_token_is_stored_hashed_and_finds_its_user(people):
    token, key = tokens.token_create(user=people.developer_a, name="laptop")
    assert key.startswith("dsp_") and key not in token.key_hash
    assert tokens.user_for_key(key) == people.developer_a
    token.refresh_from_db()
    assert token.last_used is not None


def test_a_user_may_hold_several_tokens_and_revoke_one(people):
    first, first_key = tokens.token_create(user=people.developer_a, name="laptop")
    _, second_key = tokens.token_create(user=people.developer_a, name="ci")
    tokens.token_revoke(token=first, user=people.developer_a)
    assert tokens.user_for_key(first_key) is None
    assert tokens.user_for_key(second_key) == people.developer_a


def test_nobody_revokes_another_users_token(people):
    token, _ = tokens.token_create(user=people.developer_a, name="laptop")
    with pytest.raises(PermissionDenied):
        tokens.token_revoke(token=token, user=people.member_b)
    assert APIToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("key", ["", "nope", "dsp_wrong"])
def test_unknown_keys_find_nobody(people, key):
    assert tokens.user_for_key(key) is None


def test_a_token_needs_a_name(people):
    with pytest.raises(ValidationError):
        tokens.token_create(user=people.developer_a, name=" ")
    assert not APIToken.objects.exists()


def test_inactive_users_tokens_do_not_work(people):
    _, key = tokens.token_create(user=people.developer_a, name="laptop")
    people.developer_a.is_active = False
    people.developer_a.save()
    assert tokens.user_for_key(key) is None


def test_a_tokens_read_is_written_once_and_reads_each_users_own(people):
    """The token's query is compiled once (dispatch_site/prepared.py); the key's hash is a parameter,
    so each key still finds its own user and roles."""
    _, key_a = tokens.token_create(user=people.developer_a, name="a")
    _, key_b = tokens.token_create(user=people.member_b, name="b")
    tokens.user_for_key(key_a)
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("written again")):
        user_a, user_b = tokens.user_for_key(key_a), tokens.user_for_key(key_b)
    assert access.role_in(user_a, people.app_a) == "developer"
    assert access.role_in(user_a, people.app_b) is None
    assert access.role_in(user_b, people.app_b) == "developer"
    assert access.role_in(user_b, people.app_a) is None

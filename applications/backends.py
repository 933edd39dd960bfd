"""The authentication backend of the pages and the admin (sessions)."""

import functools

from django.contrib.auth import backends, get_user_model
from django.db.models import OuterRef, QuerySet

from . import access


@functools.cache
def _users_with_memberships() -> QuerySet:
    """Users with their memberships, built once (a queryset is only ever copied), as tokens do."""
    return get_user_model()._default_manager.annotate(memberships=access.memberships_column(OuterRef("pk")))


class ModelBackend(backends.ModelBackend):
    """Django's, but a session's user is read with their memberships in the same query, as a
    token's is (applications/tokens.py): the access gate then answers every page from them."""

    def get_user(self, user_id):
        user = _users_with_memberships().filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        access.remember_memberships(user, user.memberships)
        return user

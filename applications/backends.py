"""The authentication backend of the pages and the admin (sessions)."""

from django.contrib.auth import backends, get_user_model
from django.db.models import OuterRef

from . import access


class ModelBackend(backends.ModelBackend):
    """Django's, but a session's user is read with their memberships in the same query, as a
    token's is (applications/tokens.py): the access gate then answers every page from them."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.annotate(memberships=access.memberships_column(OuterRef("pk")))
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        access.remember_memberships(user, user.memberships)
        return user

"""The authentication backend of the pages and the admin (sessions)."""

from django.contrib.auth import backends, get_user_model
from django.db.models import OuterRef

from dispatch_site.prepared import Prepared

from . import access

# A user by id with their memberships, in SQL written once, as a token's (applications/tokens.py).
_user_by_id = Prepared(
    lambda user_id: get_user_model()
    ._default_manager.annotate(memberships=access.memberships_column(OuterRef("pk")))
    .filter(pk=user_id)
    .order_by(),
    int,
)


class ModelBackend(backends.ModelBackend):
    """Django's, but a session's user is read with their memberships in the same query, as a
    token's is (applications/tokens.py): the access gate then answers every page from them."""

    def get_user(self, user_id):
        user = _user_by_id.first(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        access.remember_memberships(user, user.memberships)
        return user

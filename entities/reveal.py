"""`?reveal=true`: which secrets show their values in clear, the same on the API and the pages.

The flag is read by the one strict parser (`?reveal=ture` is a 400 naming it), and the decision is the
access gate's: one secret asked for by name that the user may not reveal is a 403 (a viewer asked for
what they may not have), a list shows the values of the secrets the user may reveal and the keys of
the others.
"""

from django.core.exceptions import PermissionDenied

from applications import access
from dispatch_site.parsing import parse_flag


def asked(query) -> bool:
    """Whether the query string (Django's QueryDict, or DRF's `query_params`) asks to reveal."""
    return parse_flag(query.get("reveal"), name="reveal")


def revealed_secrets(user, secrets, *, by_name: bool) -> set[int]:
    """The ids of the secrets to show in clear, once reveal was asked; `by_name` when the caller asked
    for one secret by its name, so that a refusal is an answer of its own rather than a masked page."""
    if by_name:
        [secret] = secrets
        if not access.may_reveal_secret(user, secret):
            raise PermissionDenied(
                f"You need the developer role in an application of secret '{secret.name}' to read its "
                "values; leave out reveal to see its keys."
            )
        return {secret.pk}
    return access.revealable_secrets(user, secrets)

"""What the hostile-input tests share: a snapshot of every row that a refused request must not change."""

from applications.models import APIToken, Application, Membership
from entities.kinds import KINDS


def snapshot() -> dict:
    """Rows and revisions of every kind, applications, memberships and tokens."""
    state = {kind.name: sorted(kind.model.objects.values_list("name", "revision")) for kind in KINDS}
    state["applications"] = sorted(Application.objects.values_list("name", "revision"))
    state["memberships"] = sorted(Membership.objects.values_list("id", "role"))
    state["tokens"] = sorted(APIToken.objects.values_list("id", "name"))
    return state


def deep_list(levels: int) -> str:
    return "[" * levels + "]" * levels


def deep_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels

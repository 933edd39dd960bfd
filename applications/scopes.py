"""The scope policy: how many applications an entity of each kind may belong to.

Each kind declares a default in the kind registry; `DISPATCH_SCOPES` in settings overrides it per
kind (e.g. ``{"function": "many"}``), so the seed's "keep it flexible" decisions are one setting.
"""

from django.conf import settings

# The scopes' names live with the kinds' records, which the CLI shares (no Django there).
from dispatch_cli.nouns import DERIVED_SCOPES, SCOPES
from dispatch_cli.nouns import FOLLOWS_FUNCTION as FOLLOWS_FUNCTION
from dispatch_cli.nouns import FROZEN as FROZEN
from dispatch_cli.nouns import MANY as MANY
from dispatch_cli.nouns import ONE as ONE
from dispatch_cli.nouns import SYSTEM as SYSTEM


def scope_of(kind) -> str:
    """The scope in force for a kind: the setting's override, else the kind's default."""
    return getattr(settings, "DISPATCH_SCOPES", {}).get(kind.name, kind.default_scope)


def scope_errors(kinds) -> list[str]:
    """What is wrong with DISPATCH_SCOPES, one sentence per problem (used by a system check)."""
    errors = []
    names = {kind.name: kind for kind in kinds}
    for name, scope in getattr(settings, "DISPATCH_SCOPES", {}).items():
        if name not in names:
            errors.append(f"DISPATCH_SCOPES names an unknown kind {name!r}; use one of {sorted(names)}.")
        elif scope not in SCOPES:
            errors.append(f"DISPATCH_SCOPES gives {name!r} the unknown scope {scope!r}; use one of {SCOPES}.")
        elif scope in DERIVED_SCOPES and names[name].reference("function") is None:
            errors.append(f"DISPATCH_SCOPES: {name!r} has no function to follow; use system, one or many.")
    return errors

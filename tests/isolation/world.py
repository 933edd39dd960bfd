"""The isolation matrix's world, roles and checks, shared by every surface's module (the `world`
fixture is made available by conftest.py).

The world holds, for every kind, one entity in application A, one in B and one unassigned (system
kinds: one system entity), each named so that it can be searched for in any response text:
`secret-of-a-function`, `secret-of-b-function`, `loose-function`, `system-base-image` (runs are
named by their UUID). Every reference points inside the same place, as the reference rule wants.

The world is built once per module inside a transaction that is rolled back at the end; each test
runs in a savepoint of it (pytest-django's `db`), so writes do not leak from one case to the next.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import override_settings

from entities.kinds import KINDS, KINDS_BY_NAME, Kind
from tests import factories as f
from tests import samples
from tests.conftest import People, make_people

A, B, LOOSE, SYSTEM = "a", "b", "loose", "system"
PREFIX = {A: "secret-of-a", B: "secret-of-b", LOOSE: "loose", SYSTEM: "system"}
MISSING = "never-existed"  # a name no entity has: hidden things must answer exactly like it


@dataclass(frozen=True)
class Role:
    """Who asks, which places they may read and which they may change."""

    name: str
    reads: frozenset = field(default_factory=frozenset)
    writes: frozenset = field(default_factory=frozenset)

    @property
    def signed_in(self) -> bool:
        return self.name != "anonymous"

    @property
    def home(self) -> str | None:
        """The application this role develops in, if it is exactly one of A and B."""
        mine = self.writes & {A, B}
        return next(iter(mine)) if len(mine) == 1 else None

    def __str__(self):
        return self.name


EVERYONE_SEES = frozenset({LOOSE, SYSTEM})  # signed-in users read unassigned and system entities
ROLES = (
    Role("viewer_a", EVERYONE_SEES | {A}),
    Role("developer_a", EVERYONE_SEES | {A}, frozenset({A})),
    Role("admin_a", EVERYONE_SEES | {A}, frozenset({A})),
    Role("group_member_a", EVERYONE_SEES | {A}, frozenset({A})),  # developer of A through "team-a"
    Role("member_b", EVERYONE_SEES | {B}, frozenset({B})),
    Role("outsider", EVERYONE_SEES),
    Role("anonymous"),
    Role("staff", EVERYONE_SEES | {A, B}, EVERYONE_SEES | {A, B}),  # the control: sees and changes all
)
ROLES_BY_NAME = {role.name: role for role in ROLES}
SIGNED_IN = [role for role in ROLES if role.signed_in]


def places_of(kind: Kind) -> tuple[str, ...]:
    return (SYSTEM,) if kind.is_system else (A, B, LOOSE)


@dataclass
class World:
    people: People
    entities: dict  # (kind name, place) -> entity

    def entity(self, kind: Kind, place: str):
        return self.entities[(kind.name, place)]

    def name(self, kind: Kind, place: str) -> str:
        return self.entity(kind, place).name

    def references(self, kind: Kind, place: str) -> dict:
        """A sample's references by name, each to the entity in `place` (or to the system one)."""

        def name_of(kind_name: str) -> str:
            target = KINDS_BY_NAME[kind_name]
            return self.name(target, SYSTEM if target.is_system else place)

        return samples.references(kind, name_of)

    def user(self, role: Role):
        return getattr(self.people, role.name) if role.signed_in else None

    def visible(self, role: Role, kind: Kind) -> set[str]:
        return {self.name(kind, place) for place in places_of(kind) if place in role.reads}

    def hidden(self, role: Role, kind: Kind | None = None) -> set[str]:
        """Names of entities the role may not see (of one kind, or of every kind)."""
        kinds = KINDS if kind is None else [kind]
        return {self.name(k, place) for k in kinds for place in places_of(k) if place not in role.reads}


def build_world(people: People) -> World:
    """One entity of every kind per place, created in registry order so references exist first."""
    entities = {}
    apps = {A: [people.app_a], B: [people.app_b], LOOSE: [], SYSTEM: []}
    for kind in KINDS:
        for place in places_of(kind):

            def target(ref, place=place):
                return entities[(ref.kind, SYSTEM if (ref.kind, SYSTEM) in entities else place)]

            kwargs = {ref.field: target(ref) for ref in kind.references if not ref.many}
            if kind.name != "run":
                kwargs["name"] = f"{PREFIX[place]}-{kind.name}"
            entity = f.FACTORIES[kind.name](applications=apps[place], **kwargs)
            for ref in kind.references:
                if ref.many:
                    getattr(entity, ref.field).set([target(ref)])
            entities[(kind.name, place)] = entity
    return World(people, entities)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, once per module, in a transaction rolled back when the module is done."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(make_people())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def shared_part(kind: Kind) -> str:
    """A piece of every name of the kind (runs: of every UUID), as someone searching would type."""
    return "-" if kind.named_by_id else f"-{kind.name}"


class Missing:
    """The answer about a name that never existed, asked for once and only when a case needs it."""

    def __init__(self, ask):
        self.ask, self.response = ask, None

    def __call__(self):
        if self.response is None:
            self.response = self.ask()
        return self.response


def filter_name(kind: Kind, ref) -> str:
    """The list filter that selects by this reference: `image`, `secret`, `function`, `type`, …"""
    filterset = kind.filterset
    return ref.field if ref.field in filterset.base_filters else ref.kind


CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"|("csrfToken": ")[^"]*"')


def text_of(response) -> str:
    """The raw body (CSRF tokens blanked: they differ on every render), and a redirect's target;
    or the text itself (the CLI's output)."""
    if isinstance(response, str):
        return response
    return CSRF.sub(r"\1\2", response.content.decode()) + response.headers.get("Location", "")


def assert_no_names(response, names, what=""):
    """None of the names appears anywhere in the response (body and redirect target)."""
    body = text_of(response)
    leaked = sorted(name for name in names if name in body)
    assert not leaked, f"{what} reveals {leaked}: {body[:400]}"


def assert_like_missing(response, missing, name, what=""):
    """A refusal about a hidden entity is the refusal about one that never existed, to the byte
    (once the name asked for is put in place of the missing one): it tells nothing more."""
    missing = missing() if isinstance(missing, Missing) else missing
    assert response.status_code == missing.status_code, (what, response.status_code, missing.status_code)
    assert text_of(response).replace(name, MISSING) == text_of(missing), what

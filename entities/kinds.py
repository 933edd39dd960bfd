"""The one registry of entity kinds.

Every surface iterates KINDS: the API router, the page URLs, the admin, bundles and the "all entities"
list; the CLI iterates the same records as plain data (dispatch_cli.nouns), without Django. Per-kind
classes on each surface follow one naming family (`FunctionSerializer`, `FunctionFilterSet`,
`FunctionForm`, `FunctionTable`) and are its attributes (`kind.serializer`, `kind.filterset`, …), so
adding a kind is one record in dispatch_cli/nouns.py plus its model and those classes. What sets a few
kinds apart (secrets, functions, runs) are named flags here, not comparisons of names elsewhere.
"""

from functools import cached_property

from django.apps import apps
from django.utils.module_loading import import_string

from applications import scopes
from dispatch_cli.nouns import NOUNS, Noun, Reference


class Kind(Noun):
    """A kind's record (dispatch_cli.nouns, shared with the CLI) with what the server adds: its model,
    the scope in force and its classes on each surface."""

    @cached_property
    def model(self):
        return apps.get_model("entities", self.model_name)

    @property
    def scope(self) -> str:
        return scopes.scope_of(self)

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def label_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def is_system(self) -> bool:
        return self.scope == scopes.SYSTEM

    def has_reference(self, field_name: str) -> bool:
        return any(ref.field == field_name for ref in self.references)

    def component(self, module: str, suffix: str):
        """The kind's class on one surface, e.g. component("entities.api.serializers", "Serializer")."""
        return import_string(f"{module}.{self.model_name}{suffix}")

    # Its class on each surface, found once by the naming family (FunctionSerializer, …).
    @cached_property
    def serializer(self):
        return self.component("entities.api.serializers", "Serializer")

    @cached_property
    def filterset(self):
        return self.component("entities.filtersets", "FilterSet")

    @cached_property
    def form(self):
        return self.component("entities.pages.forms", "Form")

    @cached_property
    def table(self):
        return self.component("entities.pages.tables", "Table")

    @cached_property
    def admin(self):
        return self.component("entities.admin", "Admin")

    # The few kinds that behave apart, named here so that no surface compares kind names.
    @property
    def holds_secret(self) -> bool:
        """Its values are encrypted at rest, masked, and shown only on request to who may (secrets)."""
        return self.name == "secret"

    @property
    def runnable(self) -> bool:
        """It has runs (a Run form, runs deleted with it) and followers that move with it (functions)."""
        return self.name == "function"

    @property
    def read_only(self) -> bool:
        """Made by the platform, not written on a surface, and held to quotas of its own (runs, which
        start_run makes)."""
        return self.name == "run"

    @property
    def named_by_id(self) -> bool:
        """Its name is its id: nothing to choose, check for clashes or change (runs)."""
        return self.name == "run"

    def __str__(self):
        return self.name


KINDS: tuple[Kind, ...] = tuple(Kind(**vars(noun)) for noun in NOUNS)

KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
KINDS_BY_PLURAL = {kind.plural: kind for kind in KINDS}


def get_kind(name: str) -> Kind:
    """A kind by its name, plural or alias; KeyError with a helpful message otherwise."""
    key = name.strip().lower()
    for kind in KINDS:
        if key in kind.words:
            return kind
    raise KeyError(f"Unknown kind {name!r}; use one of: {', '.join(k.name for k in KINDS)}.")


def kind_of(model) -> Kind:
    """The kind of a model class (or instance's class)."""
    return _kinds_by_model()[model._meta.concrete_model]


def _kinds_by_model() -> dict:
    cache = getattr(_kinds_by_model, "cache", None)
    if cache is None:
        cache = _kinds_by_model.cache = {kind.model: kind for kind in KINDS}
    return cache


def referrers_of(kind: Kind) -> list[tuple[Kind, Reference]]:
    """Every (kind, reference) that points at `kind`: what may be using an entity of it."""
    return [(other, ref) for other in KINDS for ref in other.references if ref.kind == kind.name]

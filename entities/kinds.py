"""The one registry of entity kinds.

Every surface iterates KINDS: the API router, the page URLs, bundles and the "all entities" list; the
CLI iterates the same records as plain data (dispatch_cli.nouns), without Django. A kind's record holds
its shape, its own fields in order, which of them are only shown, which hold secrets, its references
and the flags that set a few kinds apart (secrets, functions, runs), so that no surface lists a kind's
fields again or compares kind names: serializers, forms, filtersets and bundles take their field lists
from it (tables and the admin only choose which columns a list shows). A kind's class on each surface
is its attribute (`kind.serializer`, `.filterset`, `.form`, `.table`), made by `surface` from the
surface's base class unless the kind has one of its own.

Adding a kind takes three steps:
1. Its record in cli/dispatch_cli/nouns.py: names, default scope, bundle kind, references and shape
   (`fields`, `shown_only`, `secret_fields`, the flags).
2. Its model in entities/models.py on the Entity base, then `manage.py makemigrations` (the shapes of
   its JSON columns in entities/shapes.py).
3. What is its own on each surface: its list columns (an `XTable` in entities/pages/tables.py, an
   `XAdmin` in entities/admin.py), its `dispatch create` arguments (FORMS in
   cli/dispatch_cli/commands/create.py), its sample and factory (tests/samples.py, tests/factories.py),
   and a serializer, form, filterset (a subclass of EntitySerializer, … with its model) or bundle key
   only for what is particular to it (a field shown its own way, a filter, Dispatch's own spelling).
"""

from collections.abc import Iterable
from functools import cached_property

from django.apps import apps

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

    def reference(self, field_name: str) -> Reference | None:
        return next((ref for ref in self.references if ref.field == field_name), None)

    # Its class on each surface (see `surface`), read from the surface's module when first asked for.
    @cached_property
    def serializer(self):
        from entities.api.serializers import SERIALIZERS

        return SERIALIZERS[self.name]

    @cached_property
    def filterset(self):
        from entities.filtersets import FILTERSETS

        return FILTERSETS[self.name]

    @cached_property
    def form(self):
        from entities.pages.forms import FORMS

        return FORMS[self.name]  # a KeyError for runs: nothing writes them on a page

    @cached_property
    def table(self):
        from entities.pages.tables import TABLES

        return TABLES[self.name]

    @property
    def holds_secret(self) -> bool:
        """Its values are encrypted at rest, masked, and shown only on request to who may (secrets)."""
        return bool(self.secret_fields)

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


def surface(base: type, kinds: Iterable[Kind] = KINDS) -> dict[str, type]:
    """Each kind's class on one surface, by kind name: the subclass of `base` whose Meta.model is the
    kind's when it has something of its own, else `base` given the kind's model and named in the
    family (`ImageForm` for EntityForm): the bases take every field list from the kind's shape."""
    own = {cls.Meta.model: cls for cls in base.__subclasses__() if getattr(cls.Meta, "model", None)}
    return {
        kind.name: own.get(kind.model)
        or type(
            base.__name__.replace("Entity", kind.model_name),
            (base,),
            {"__module__": base.__module__, "Meta": type("Meta", (base.Meta,), {"model": kind.model})},
        )
        for kind in kinds
    }


def referrers_of(kind: Kind) -> list[tuple[Kind, Reference]]:
    """Every (kind, reference) that points at `kind`: what may be using an entity of it."""
    return [(other, ref) for other in KINDS for ref in other.references if ref.kind == kind.name]

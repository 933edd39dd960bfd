"""The one registry of entity kinds.

Every surface iterates KINDS: the API router, the page URLs, the admin, the CLI's nouns, bundles and
the "all entities" list. Per-kind classes on each surface follow one naming family
(`FunctionSerializer`, `FunctionFilterSet`, `FunctionForm`, `FunctionTable`) and are found through
`Kind.component`, so adding a kind is one record here plus its model and those classes.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.utils.module_loading import import_string

from applications import scopes


@dataclass(frozen=True)
class Reference:
    """A foreign reference from one kind to another, which the reference rule governs."""

    field: str
    kind: str
    many: bool = False


@dataclass(frozen=True)
class Kind:
    name: str  # singular, as in messages and the CLI: "base-image"
    plural: str  # API path and page URL segment: "base-images"
    model_name: str  # class name in entities.models
    default_scope: str
    bundle_kind: str  # `kind:` in Dispatch's YAML bundles
    references: tuple[Reference, ...] = ()
    aliases: tuple[str, ...] = field(default=())  # other CLI nouns

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

    def __str__(self):
        return self.name


# Ordered so that every kind comes after the kinds it references: creates go forward, deletes back.
KINDS: tuple[Kind, ...] = (
    Kind("base-image", "base-images", "BaseImage", scopes.SYSTEM, "BaseImage", aliases=("baseimage",)),
    Kind(
        "image", "images", "Image", scopes.ONE, "Image", references=(Reference("base_image", "base-image"),)
    ),
    Kind("secret", "secrets", "Secret", scopes.ONE, "Secret"),
    Kind(
        "function",
        "functions",
        "Function",
        scopes.ONE,
        "Function",
        references=(Reference("image", "image"), Reference("secrets", "secret", many=True)),
        aliases=("fn",),
    ),
    Kind(
        "api",
        "apis",
        "API",
        scopes.FOLLOWS_FUNCTION,
        "API",
        references=(Reference("function", "function"),),
    ),
    Kind(
        "event-driver-type",
        "event-driver-types",
        "EventDriverType",
        scopes.SYSTEM,
        "DriverType",
        aliases=("eventdrivertype", "driver-type", "drivertype"),
    ),
    Kind(
        "event-driver",
        "event-drivers",
        "EventDriver",
        scopes.ONE,
        "Driver",
        references=(Reference("type", "event-driver-type"), Reference("secrets", "secret", many=True)),
        aliases=("eventdriver", "driver"),
    ),
    Kind(
        "subscription",
        "subscriptions",
        "Subscription",
        scopes.ONE,
        "Subscription",
        references=(Reference("function", "function"), Reference("secrets", "secret", many=True)),
        aliases=("sub",),
    ),
    Kind(
        "run",
        "runs",
        "FunctionRun",
        scopes.FROZEN,
        "Run",
        references=(Reference("function", "function"),),
        aliases=("function-run", "functionrun"),
    ),
)

KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
KINDS_BY_PLURAL = {kind.plural: kind for kind in KINDS}


def get_kind(name: str) -> Kind:
    """A kind by its name, plural or alias; KeyError with a helpful message otherwise."""
    key = name.strip().lower()
    for kind in KINDS:
        if key in (kind.name, kind.plural, kind.model_name.lower(), *kind.aliases):
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

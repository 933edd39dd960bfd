"""The kinds of entity, as data: their names, plurals and aliases (the CLI's nouns), API paths, scopes
and references. Plain Python, no Django: the server's kind registry (entities.kinds) builds on this
list, so the server and the client name the same kinds the same way.
"""

from dataclasses import dataclass, field

from .errors import CLIError

# Scopes: how many applications an entity of a kind may belong to (the policy: applications.scopes).
SYSTEM = "system"  # never in an application; visible to all, changed by staff only
ONE = "one"  # in at most one application
MANY = "many"  # in any number of applications
FOLLOWS_FUNCTION = "follows-function"  # always in exactly its function's applications (APIs)
FROZEN = "frozen"  # takes its function's applications when made, and keeps them (runs)

SCOPES = (SYSTEM, ONE, MANY, FOLLOWS_FUNCTION, FROZEN)
DERIVED_SCOPES = (FOLLOWS_FUNCTION, FROZEN)  # the applications come from the function

APPLICATION_NOUNS = ("application", "applications", "app", "apps")  # not a kind, yet a noun


@dataclass(frozen=True)
class Reference:
    """A foreign reference from one kind to another, which the reference rule governs."""

    field: str
    kind: str
    many: bool = False


@dataclass(frozen=True)
class Noun:
    name: str  # singular, as in messages and the CLI: "base-image"
    plural: str  # API path and page URL segment: "base-images"
    model_name: str  # class name in entities.models
    default_scope: str
    bundle_kind: str  # `kind:` in Dispatch's YAML bundles
    references: tuple[Reference, ...] = ()
    aliases: tuple[str, ...] = field(default=())  # other CLI nouns

    @property
    def words(self) -> list[str]:
        """Every word that names the kind on the command line, its name first."""
        return list(dict.fromkeys([self.name, self.plural, self.model_name.lower(), *self.aliases]))


# Ordered so that every kind comes after the kinds it references: creates go forward, deletes back.
NOUNS: tuple[Noun, ...] = (
    Noun("base-image", "base-images", "BaseImage", SYSTEM, "BaseImage", aliases=("baseimage",)),
    Noun("image", "images", "Image", ONE, "Image", references=(Reference("base_image", "base-image"),)),
    Noun("secret", "secrets", "Secret", ONE, "Secret"),
    Noun(
        "function",
        "functions",
        "Function",
        ONE,
        "Function",
        references=(Reference("image", "image"), Reference("secrets", "secret", many=True)),
        aliases=("fn",),
    ),
    Noun("api", "apis", "API", FOLLOWS_FUNCTION, "API", references=(Reference("function", "function"),)),
    Noun(
        "event-driver-type",
        "event-driver-types",
        "EventDriverType",
        SYSTEM,
        "DriverType",
        aliases=("eventdrivertype", "driver-type", "drivertype"),
    ),
    Noun(
        "event-driver",
        "event-drivers",
        "EventDriver",
        ONE,
        "Driver",
        references=(Reference("type", "event-driver-type"), Reference("secrets", "secret", many=True)),
        aliases=("eventdriver", "driver"),
    ),
    Noun(
        "subscription",
        "subscriptions",
        "Subscription",
        ONE,
        "Subscription",
        references=(Reference("function", "function"), Reference("secrets", "secret", many=True)),
        aliases=("sub",),
    ),
    Noun(
        "run",
        "runs",
        "FunctionRun",
        FROZEN,
        "Run",
        references=(Reference("function", "function"),),
        aliases=("function-run", "functionrun"),
    ),
)

NOUNS_BY_NAME = {noun.name: noun for noun in NOUNS}


def kind_for(word: str) -> str:
    """The kind's name for a noun ('application' for applications); a usage error otherwise."""
    key = word.strip().lower()
    if key in APPLICATION_NOUNS:
        return "application"
    for noun in NOUNS:
        if key in noun.words:
            return noun.name
    raise CLIError(f"Unknown kind '{word}'; use one of: {names()}.", exit_code=2)


def names() -> str:
    """The kinds a command line may name, for messages."""
    return ", ".join(["application", *(noun.name for noun in NOUNS)])


def plural(kind_name: str) -> str:
    """The API path segment of a kind (or of applications)."""
    return "applications" if kind_name == "application" else NOUNS_BY_NAME[kind_name].plural

"""The kinds of entity, as data: their names, plurals and aliases (the CLI's nouns), API paths, scopes,
references and shape (their own fields as the API names them, which are only shown, which hold
secrets). Plain Python, no Django: the server's kind registry (entities.kinds) builds on this list and
every surface takes its field lists from it, so the server and the client name the same kinds and
fields the same way.
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
    fields: tuple[str, ...] = ()  # its own fields as the API names them, in the order they are shown
    shown_only: tuple[str, ...] = ()  # those of them that are shown, never written
    secret_fields: tuple[str, ...] = ()  # those that hold secrets: shown only on request, to who may
    read_only: bool = False  # made by the platform, never written on a surface: every field shown only
    named_by_id: bool = False  # its name is its id: nothing to choose, check for clashes or change
    runnable: bool = False  # it has runs, and followers that move with it

    @property
    def read_only_fields(self) -> tuple[str, ...]:
        return self.fields if self.read_only else self.shown_only

    @property
    def writable_fields(self) -> tuple[str, ...]:
        return tuple(name for name in self.fields if name not in self.read_only_fields)

    @property
    def words(self) -> list[str]:
        """Every word that names the kind on the command line, its name first."""
        return list(dict.fromkeys([self.name, self.plural, self.model_name.lower(), *self.aliases]))


# Ordered so that every kind comes after the kinds it references: creates go forward, deletes back.
NOUNS: tuple[Noun, ...] = (
    Noun(
        "base-image",
        "base-images",
        "BaseImage",
        SYSTEM,
        "BaseImage",
        aliases=("baseimage",),
        fields=("docker_url", "language"),
    ),
    Noun(
        "image",
        "images",
        "Image",
        ONE,
        "Image",
        references=(Reference("base_image", "base-image"),),
        fields=("base_image", "docker_url", "language", "runtime_dependencies", "system_dependencies"),
        shown_only=("language",),  # its base image's
    ),
    Noun(
        "secret",
        "secrets",
        "Secret",
        ONE,
        "Secret",
        fields=("keys", "values"),
        shown_only=("keys",),
        secret_fields=("values",),
    ),
    Noun(
        "function",
        "functions",
        "Function",
        ONE,
        "Function",
        references=(Reference("image", "image"), Reference("secrets", "secret", many=True)),
        aliases=("fn",),
        fields=(
            "image",
            "handler",
            "source",
            "source_archive",
            "source_files",
            "schema_in",
            "schema_out",
            "secrets",
            "timeout",
        ),
        shown_only=("source_files",),  # the archive's, kept when it is written
        runnable=True,
    ),
    Noun(
        "api",
        "apis",
        "API",
        FOLLOWS_FUNCTION,
        "API",
        references=(Reference("function", "function"),),
        fields=("function", "methods", "protocols", "uris", "hosts", "authentication", "cors", "enabled"),
    ),
    Noun(
        "event-driver-type",
        "event-driver-types",
        "EventDriverType",
        SYSTEM,
        "DriverType",
        aliases=("eventdrivertype", "driver-type", "drivertype"),
        fields=("image", "config", "expose", "built_in"),
    ),
    Noun(
        "event-driver",
        "event-drivers",
        "EventDriver",
        ONE,
        "Driver",
        references=(Reference("type", "event-driver-type"), Reference("secrets", "secret", many=True)),
        aliases=("eventdriver", "driver"),
        fields=("type", "config", "secrets", "expose", "driver_url"),
        shown_only=("driver_url",),  # where it listens once exposed
    ),
    Noun(
        "subscription",
        "subscriptions",
        "Subscription",
        ONE,
        "Subscription",
        references=(Reference("function", "function"), Reference("secrets", "secret", many=True)),
        aliases=("sub",),
        fields=("event_type", "function", "secrets", "topic"),
        shown_only=("topic",),  # from its application and event type
    ),
    Noun(
        "run",
        "runs",
        "FunctionRun",
        FROZEN,
        "Run",
        references=(Reference("function", "function"),),
        aliases=("function-run", "functionrun"),
        fields=(
            "function",
            "function_name",
            "input",
            "output",
            "logs",
            "error",
            "blocking",
            "secrets",
            "executed_time",
            "finished_time",
            "duration_ms",
            "duration",
        ),
        read_only=True,
        named_by_id=True,
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

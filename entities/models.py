"""The kinds of entity Dispatch manages, with the fields every kind shares (DESIGN.md 2.1, 2.2)."""

import io
import posixpath
import re
import tarfile
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import GenericUUIDTaggedItemBase, TaggedItemBase

from applications.models import ApplicationItem, Status

from . import crypto
from .shapes import ShapedJSONField

entity_name_validator = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9_-]*\Z",  # \Z, not $: "$" also matches before a final newline
    "Use letters, digits, '-' and '_', starting with a letter or digit.",
    code="invalid_name",
)


class LabelItem(GenericUUIDTaggedItemBase, TaggedItemBase):
    """A free label (taggit's ordinary Tag) on an entity of any kind."""

    class Meta:
        verbose_name = "label"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "tag"], name="label_item_unique"),
        ]


class Entity(models.Model):
    """What every kind shares: identity, status, applications, labels and the revision counter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=63, unique=True, validators=[entity_name_validator])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY, db_index=True)
    reason = ShapedJSONField(shape="reason", default=list, blank=True, help_text="Why the status is ERROR.")
    applications = TaggableManager(
        through=ApplicationItem,
        blank=True,
        verbose_name="applications",
        help_text="The applications this belongs to.",
    )
    tags = TaggableManager(
        through=LabelItem, blank=True, verbose_name="tags", help_text="Free labels, e.g. role=test."
    )
    # True while the entity is in no application. Derived from ApplicationItem and kept by
    # entities/signals.py, because "mine OR unassigned" cannot use an index without it.
    unassigned = models.BooleanField(default=True, editable=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["name"]
        indexes = [
            models.Index(fields=["unassigned"], condition=Q(unassigned=True), name="%(class)s_unassigned"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # `unassigned` belongs to entities/signals.py: an update never writes back a stale copy of it.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "unassigned"
            ]
        super().save(*args, **kwargs)

    @property
    def kind(self):
        from .kinds import kind_of

        return kind_of(type(self))

    def application_names(self) -> list[str]:
        """Names of its applications, from the prefetch cache when there is one."""
        return sorted(app.name for app in self.applications.all())


class Language(models.TextChoices):
    PYTHON3 = "python3"
    NODEJS = "nodejs"
    POWERSHELL = "powershell"
    JAVA = "java"

    @classmethod
    def resolve(cls, value: str, *hints: str) -> str:
        """The language a word names, as Dispatch users wrote it (`nodejs6`, `python`, `pwsh`), or,
        when the word is empty, the one language the hints (an image's name and URL) mention.
        Anything else is returned as given, for the choices' validator to refuse."""
        word = (value or "").strip().lower()
        if word:
            return LANGUAGE_WORDS.get(re.sub(r"[\d.]+$", "", word), value)
        found = {
            language
            for hint in hints
            for token in re.split(r"[^a-z0-9]+", (hint or "").lower())
            if (language := LANGUAGE_WORDS.get(re.sub(r"[\d.]+$", "", token)))
        }
        return found.pop() if len(found) == 1 else ""


# Words that name a language, versions stripped (`nodejs6` → `nodejs`, `python3.6` → `python`).
LANGUAGE_WORDS = {
    **{language.value.rstrip("3"): language.value for language in Language},
    "node": "nodejs",
    "js": "nodejs",
    "javascript": "nodejs",
    "py": "python3",
    "pwsh": "powershell",
    "ps": "powershell",
}


class BaseImage(Entity):
    docker_url = models.CharField(max_length=255, help_text="e.g. dispatchframework/python3-base:0.0.13")
    language = models.CharField(max_length=32, choices=Language.choices)

    class Meta(Entity.Meta):
        verbose_name = "base image"

    def clean_fields(self, exclude=None):
        # Every surface accepts Dispatch's language words, and none when the image's name tells it.
        self.language = Language.resolve(self.language, self.name, self.docker_url)
        if not self.language and "language" not in (exclude or ()):
            raise ValidationError(
                {
                    "language": f"Give the language of base image '{self.name}' (one of "
                    f"{', '.join(Language.values)}): its name and Docker URL do not tell it."
                }
            )
        super().clean_fields(exclude)


class Image(Entity):
    base_image = models.ForeignKey(BaseImage, on_delete=models.RESTRICT, related_name="images")
    docker_url = models.CharField(max_length=255, blank=True, help_text="Set when the image is built.")
    language = models.CharField(max_length=32, choices=Language.choices, editable=False)
    runtime_dependencies = models.TextField(
        blank=True, help_text="The language's dependency manifest, e.g. a requirements.txt."
    )
    system_dependencies = ShapedJSONField(
        shape="system_dependencies",
        default=list,
        blank=True,
        help_text='Operating system packages: [{"name": …, "version": …}].',
    )

    def save(self, *args, **kwargs):
        # The language is the base image's: stored so lists can filter on it without a join.
        self.language = self.base_image.language
        super().save(*args, **kwargs)


class Secret(Entity):
    encrypted_values = models.TextField(blank=True, editable=False)

    @property
    def values(self) -> dict[str, str]:
        return crypto.decrypt_values(self.encrypted_values)

    @values.setter
    def values(self, values: dict[str, str]) -> None:
        self.encrypted_values = crypto.encrypt_values(values)

    @property
    def keys(self) -> list[str]:
        return sorted(self.values)


# A function's source folder is kept as a gzipped tar: at most this many bytes stored, files, and
# bytes once unpacked (what a runner writes to disk), so a small archive cannot unpack to gigabytes.
MAX_SOURCE_ARCHIVE_BYTES = 5 * 1024 * 1024
MAX_SOURCE_FILES = 1000
MAX_SOURCE_UNPACKED_BYTES = 50 * 1024 * 1024


def read_source_archive(data: bytes) -> dict[str, bytes]:
    """The files of a source archive by relative path; a ValidationError for anything a runner
    could not unpack safely into an empty folder (links, devices, absolute or `..` paths, too big)."""

    def refuse(problem: str):
        return ValidationError({"source_archive": f"The source archive {problem}; pack the folder again."})

    if len(data) > MAX_SOURCE_ARCHIVE_BYTES:
        raise refuse(f"has more than {MAX_SOURCE_ARCHIVE_BYTES // (1024 * 1024)} MiB")
    files: dict[str, bytes] = {}
    unpacked = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                path = posixpath.normpath(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise refuse(f"holds '{member.name}', which is not a plain file")
                if path.startswith(("/", "../")) or path in ("..", ".") or "\0" in path:
                    raise refuse(f"holds '{member.name}', a path outside its folder")
                unpacked += member.size
                if len(files) >= MAX_SOURCE_FILES:
                    raise refuse(f"holds more than {MAX_SOURCE_FILES:,} files")
                if unpacked > MAX_SOURCE_UNPACKED_BYTES:
                    raise refuse(f"unpacks to more than {MAX_SOURCE_UNPACKED_BYTES:,} bytes")
                files[path] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError):
        raise refuse("is not a gzipped tar") from None
    if not files:
        raise refuse("holds no file")
    return files


class SourceDeferredManager(models.Manager):
    """Functions without their source archive (up to MAX_SOURCE_ARCHIVE_BYTES each): lists and
    lookups stay small; `.defer(None)` reads it for exports, and an instance reads it on first use."""

    def get_queryset(self):
        return super().get_queryset().defer("source_archive")


class Function(Entity):
    image = models.ForeignKey(Image, on_delete=models.RESTRICT, related_name="functions")
    handler = models.CharField(max_length=255, blank=True, help_text="e.g. hello.handle")
    source = models.TextField(blank=True)
    # A source folder (`dispatch create function NAME FOLDER`), as a gzipped tar; `source` is then
    # empty and the handler names a file inside it. Read it through source_files().
    source_archive = models.BinaryField(default=bytes, blank=True, editable=True)
    # Its files' paths, kept at save so that lists and pages never unpack (or even read) the archive.
    source_file_names = models.JSONField(default=list, blank=True, editable=False)
    schema_in = ShapedJSONField(
        shape="schema", default=dict, blank=True, help_text="JSON schema of the input."
    )
    schema_out = ShapedJSONField(
        shape="schema", default=dict, blank=True, help_text="JSON schema of the output."
    )
    secrets = models.ManyToManyField(Secret, blank=True, related_name="functions")
    timeout = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(86_400_000)],
        help_text="Milliseconds a run may take, as in Dispatch; 0 means the default limit.",
    )

    objects = SourceDeferredManager()

    class Meta(Entity.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(timeout__gte=0), name="function_timeout_non_negative"),
        ]

    def save(self, *args, **kwargs):
        self.source_file_names = sorted(self.source_files())
        super().save(*args, **kwargs)

    def source_files(self) -> dict[str, bytes]:
        """The files of its source folder by path relative to the folder ({} for a one-file source).
        A runner writes each into an empty work folder (paths are checked: no `..`, no links)."""
        return read_source_archive(bytes(self.source_archive)) if self.source_archive else {}

    @property
    def source_folder(self) -> str:
        """The source folder's files, one a line, for the detail page."""
        return "\n".join(self.source_file_names)

    def clean(self):
        super().clean()
        if not self.source_archive:
            return
        if self.source:
            raise ValidationError(
                {"source": "Give the source as text or as a folder (source_archive), not both."}
            )
        files = self.source_files()
        if not handler_file(self.handler, files):
            shown = ", ".join(sorted(files)[:5]) + (", …" if len(files) > 5 else "")
            raise ValidationError(
                {
                    "handler": f"The handler '{self.handler}' names no file of the source folder "
                    f"({shown}); give the path of the file inside the folder, e.g. ./{sorted(files)[0]}."
                }
            )


def handler_file(handler: str, files) -> str | None:
    """The file of a source folder that a handler names: a path (`./hello.js`, `lib/main.py`) or a
    module and function (`hello.handle` → hello.py, `pkg.mod.run` → pkg/mod.* or pkg/mod/__init__.py)."""
    handler = (handler or "").strip()
    if not handler:
        return None
    path = posixpath.normpath(handler)
    if path in files:
        return path
    module = handler.rsplit(".", 1)[0].replace(".", "/") if "." in handler else handler
    for candidate in sorted(files):
        stem = candidate.rsplit(".", 1)[0] if "." in posixpath.basename(candidate) else candidate
        if stem in (module, f"{module}/__init__", posixpath.normpath(path).rsplit(".", 1)[0]):
            return candidate
    return None


class Authentication(models.TextChoices):
    PUBLIC = "public"
    BASIC = "basic"
    OAUTH2 = "oauth2"


class API(Entity):
    function = models.ForeignKey(Function, on_delete=models.RESTRICT, related_name="apis")
    methods = ShapedJSONField(shape="methods", default=list, blank=True, help_text='e.g. ["GET", "POST"]')
    protocols = ShapedJSONField(shape="protocols", default=list, blank=True, help_text='e.g. ["https"]')
    uris = ShapedJSONField(shape="uris", default=list, blank=True, help_text='e.g. ["/hello"]')
    hosts = ShapedJSONField(shape="hosts", default=list, blank=True)
    authentication = models.CharField(
        max_length=16, choices=Authentication.choices, default=Authentication.PUBLIC
    )
    cors = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)

    class Meta(Entity.Meta):
        verbose_name = "API"
        verbose_name_plural = "APIs"


class EventDriverType(Entity):
    image = models.CharField(max_length=255, help_text="The driver's container image.")
    config = ShapedJSONField(shape="config", default=list, blank=True, help_text='[{"key": …, "value": …}]')
    expose = models.BooleanField(default=False)
    built_in = models.BooleanField(default=False)

    class Meta(Entity.Meta):
        verbose_name = "event driver type"


# Dispatch named event drivers after what they watch, dots included (`vcenter.prod`).
event_driver_name_validator = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9_.-]*\Z",
    "Use letters, digits, '-', '_' and '.', starting with a letter or digit.",
    code="invalid_name",
)


class EventDriver(Entity):
    name = models.CharField(max_length=63, unique=True, validators=[event_driver_name_validator])
    type = models.ForeignKey(EventDriverType, on_delete=models.RESTRICT, related_name="drivers")
    config = ShapedJSONField(shape="config", default=list, blank=True, help_text='[{"key": …, "value": …}]')
    secrets = models.ManyToManyField(Secret, blank=True, related_name="event_drivers")
    expose = models.BooleanField(default=False)
    url = models.CharField(max_length=255, blank=True, editable=False)
    # The secret part of an exposed webhook driver's URL (entities/events/drivers.py keeps it).
    token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta(Entity.Meta):
        verbose_name = "event driver"

    def save(self, *args, **kwargs):
        from .events.drivers import keep_url

        keep_url(self)
        super().save(*args, **kwargs)


event_type_validator = RegexValidator(
    r"\A[\w\-\.]+\Z", "Use letters, digits, '_', '-' and '.'.", code="invalid_event_type"
)


class Subscription(Entity):
    event_type = models.CharField(max_length=128, validators=[event_type_validator], db_index=True)
    function = models.ForeignKey(Function, on_delete=models.RESTRICT, related_name="subscriptions")
    secrets = models.ManyToManyField(Secret, blank=True, related_name="subscriptions")

    @property
    def topic(self) -> str:
        """Events are scoped: `<application>.<event type>`, or the bare event type when unassigned."""
        apps = self.application_names()
        return f"{apps[0]}.{self.event_type}" if apps else self.event_type


class ErrorType(models.TextChoices):
    INPUT = "InputError"
    FUNCTION = "FunctionError"
    SYSTEM = "SystemError"


class FunctionRun(Entity):
    """One execution of a function: a runtime record, kept in the application it was made in.

    It outlives its function: `function_name` is frozen when the run is made (as Dispatch's run kept
    it), and the link is cleared when the function is deleted by someone who may not delete the run."""

    function = models.ForeignKey(
        Function, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    function_name = models.CharField(max_length=63, db_index=True, editable=False)
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    logs = models.JSONField(default=dict, blank=True, help_text='{"stdout": [...], "stderr": [...]}')
    error = models.JSONField(
        null=True, blank=True, help_text='{"type": "FunctionError", "message": …, "stacktrace": [...]}'
    )
    # Mirror of error["type"], so counts per error type need no JSON lookup.
    error_type = models.CharField(max_length=16, choices=ErrorType.choices, blank=True, db_index=True)
    secrets = models.JSONField(default=list, blank=True, help_text="Names of the run's own secrets.")
    event = models.JSONField(null=True, blank=True, help_text="The CloudEvent (without data) of the run.")
    http_context = models.JSONField(null=True, blank=True, help_text="The HTTP request that made the run.")
    blocking = models.BooleanField(default=True)
    source_event = models.ForeignKey(
        "Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
        help_text="The event whose delivery made this run.",
    )
    executed_time = models.DateTimeField(null=True, blank=True)
    finished_time = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta(Entity.Meta):
        verbose_name = "function run"
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_time__isnull=True)
                | Q(executed_time__isnull=True)
                | Q(finished_time__gte=models.F("executed_time")),
                name="run_finishes_after_it_starts",
            ),
        ]

    def save(self, *args, **kwargs):
        # Runs are named by their id, so that every kind can be looked up by name.
        self.name = str(self.id)
        if self.function_id and not self.function_name:
            self.function_name = self.function.name
        super().save(*args, **kwargs)

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, when known."""
        if self.duration_ms is not None:
            return self.duration_ms / 1000
        if self.executed_time and self.finished_time:
            return (self.finished_time - self.executed_time).total_seconds()
        return None

    @property
    def finished(self) -> bool:
        return self.status in (Status.READY, Status.ERROR)


class Event(models.Model):
    """An emitted CloudEvent, kept for the event log with the runs its delivery made (`runs`).

    Not an entity: it belongs to exactly one application (none for a staff or unassigned driver's
    event) and is never changed, so it has no name, revision or labels. Old events are pruned by
    entities/events/services.py (DISPATCH_EVENT_RETENTION_DAYS / _COUNT).
    """

    uid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    topic = models.CharField(max_length=200, help_text="<application>.<type>, as subscriptions derive it.")
    type = models.CharField(max_length=128, validators=[event_type_validator])
    id = models.CharField(max_length=255, verbose_name="event id", help_text="The CloudEvents id.")
    source = models.CharField(max_length=255)
    specversion = models.CharField(max_length=8, default="1.0")
    time = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    datacontenttype = models.CharField(max_length=255, blank=True)
    attributes = models.JSONField(default=dict, help_text="Every attribute but the data.")
    data = models.JSONField(null=True, blank=True)
    received = models.DateTimeField(default=timezone.now, db_index=True)
    emitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    driver = models.ForeignKey(
        EventDriver, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    class Meta:
        ordering = ["-received"]
        indexes = [
            models.Index(fields=["application", "-received"], name="event_application_received"),
            models.Index(fields=["application", "type", "-received"], name="event_application_type"),
        ]

    def __str__(self):
        return f"{self.topic} {self.id}"

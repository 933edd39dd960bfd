"""Bundles: Dispatch's multi-document YAML, imported and exported through the services.

People who used the original Dispatch keep their resources in YAML files (`dispatch create -f`):
documents separated by `---`, dispatched on `kind`, with Dispatch's camelCase fields and
`tags: [{key: Application, value: X}]`. This module maps those documents to the kinds of the registry
and back, and applies a bundle all or nothing: one transaction, create or update per document, reads
through the access gate and writes through the services, so every rule of the other surfaces holds.

Import decisions (documented in the README):
- A document's fields that are present are set; absent ones keep their current value on update.
- Unknown fields are an error (they are usually typos); read-only fields that Dispatch wrote in its
  own output (`id`, `status`, `createdTime`, ...) are ignored.
- A document whose fields, applications and tags already hold is `unchanged` and is not written, so
  re-importing a bundle changes nothing and needs no write permission. Secret values are compared
  only for callers who may read them; for anyone else a document with values is a change (and
  refused when they may not write), whether the values are right or wrong.
- Documents are applied in the registry's order (what is referenced comes first), whatever their order
  in the file; errors name the document's position in the file, its kind and its name.
"""

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from applications import access, scopes
from applications import services as application_services
from applications.exceptions import NotFound, StaleRevision
from dispatch_site import parsing

from . import rules, services
from .kinds import KINDS, Kind, get_kind
from .models import Language

APPLICATION = "Application"
APPLICATION_TAG_KEYS = {"application", "app"}
# Fields Dispatch wrote in its own output; an exported bundle from it may hold them. Never imported.
READ_ONLY_KEYS = {"id", "status", "reason", "createdTime", "modifiedTime", "created", "modified", "revision"}
# Written by the original for its organizations' groups, which have no meaning here: accepted, ignored.
IGNORED_KEYS = {"groups"}
# Other names the original (or its users) gave to a field: `code: '@hello.py'`, `event-type: x`.
KEY_ALIASES = {"code": "source"}
ACTIONS = ("created", "updated", "unchanged", "deleted", "absent")
BUNDLE_LOCK_KEY = 0x62756E64  # "bund": the PostgreSQL advisory lock that bundles take one at a time


class BundleError(Exception):
    """A bundle that cannot be applied; names the document and carries the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400, errors=None, position=None, kind="", name=""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors or {}
        self.position = position
        self.kind = kind
        self.name = name

    def as_dict(self) -> dict:
        body = {"code": self.status, "message": self.message, "errors": self.errors}
        if self.position is not None:
            body["document"] = {"position": self.position, "kind": self.kind, "name": self.name}
        return body


@dataclass
class Document:
    """One YAML document of a bundle: its 1-based position in the file, kind, name and fields."""

    position: int
    kind: str
    name: str
    body: dict

    def describe(self) -> str:
        return f"Document {self.position} ({self.kind} '{self.name}')"


@dataclass
class Result:
    position: int
    kind: str
    name: str
    action: str

    def as_dict(self) -> dict:
        return {"position": self.position, "kind": self.kind, "name": self.name, "action": self.action}


@dataclass
class Report:
    """What a bundle did (or, in a dry run, would do), per document in file order."""

    dry_run: bool
    results: list[Result] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for result in self.results:
            counts[result.action] += 1
        return {action: n for action, n in counts.items() if n}

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "results": [r.as_dict() for r in sorted(self.results, key=lambda r: r.position)],
        }


# --- field mapping: one small class per shape of field, configured per kind below ---------------


class Plain:
    """A camelCase key that holds a model field's value as is."""

    def __init__(self, key: str, model_field: str | None = None, type_: type | tuple = str):
        self.key = key
        self.model_field = model_field or key
        self.type = type_

    def model_fields(self) -> tuple[str, ...]:
        return (self.model_field,)

    def empty(self):
        """What an empty key (`secrets:` with nothing after it) means: the field's empty value, or
        None to leave the field as it is (numbers, booleans, single references)."""
        return self.type() if self.type in (str, list, dict) else None

    def load(self, value, ctx) -> dict:
        if self.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValidationError({self.key: f"Give '{self.key}' as a list of strings."})
        elif not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise ValidationError({self.key: f"Give '{self.key}' as {_type_name(self.type)}."})
        return {self.model_field: value}

    def dump(self, entity, ctx) -> Any:
        return getattr(entity, self.model_field)


class ReadOnly(Plain):
    """Shown in exports (e.g. an image's language, from its base image), ignored on import."""

    def model_fields(self) -> tuple[str, ...]:
        return ()

    def load(self, value, ctx) -> dict:
        return {}


class Ref(Plain):
    """A reference by name (a list of names for many-to-many), resolved among what the user sees."""

    def __init__(self, key: str, model_field: str | None = None, many: bool = False):
        super().__init__(key, model_field, list if many else str)

    def empty(self):
        return [] if self.type is list else None

    def load(self, value, ctx) -> dict:
        reference = next(r for r in ctx.kind.references if r.field == self.model_field)
        names = value if reference.many else [value]
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            shape = "a list of names" if reference.many else "a name"
            raise ValidationError({self.key: f"Give '{self.key}' as {shape}."})
        target = get_kind(reference.kind)
        found = {e.name: e for e in access.visible_entities(target.model, ctx.user).filter(name__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise ValidationError(
                {
                    self.key: f"{rules.A(target.label)} named '{missing[0]}' does not exist; "
                    "create it first or add it to the bundle."
                }
            )
        return {self.model_field: [found[n] for n in names] if reference.many else found[value]}

    def dump(self, entity, ctx) -> Any:
        value = getattr(entity, self.model_field)
        if hasattr(value, "all"):
            return sorted(e.name for e in value.all())
        return value.name if value is not None else None


class Schema(Plain):
    """Dispatch's `schema: {in: ..., out: ...}`, stored as two JSON schemas."""

    def __init__(self):
        super().__init__("schema")

    def model_fields(self) -> tuple[str, ...]:
        return ("schema_in", "schema_out")

    def load(self, value, ctx) -> dict:
        value = value or {}
        if not isinstance(value, dict) or set(value) - {"in", "out"}:
            raise ValidationError({"schema": "Give 'schema' as a map with 'in' and 'out' JSON schemas."})
        for part in ("in", "out"):
            if not isinstance(value.get(part) or {}, dict):
                raise ValidationError({"schema": f"Give 'schema.{part}' as a JSON schema (a map)."})
        return {"schema_in": value.get("in") or {}, "schema_out": value.get("out") or {}}

    def dump(self, entity, ctx) -> Any:
        return {
            part: schema for part, schema in (("in", entity.schema_in), ("out", entity.schema_out)) if schema
        }


class Nested(Plain):
    """A model field kept one level down in Dispatch's format, e.g. `runtimeDependencies.manifest`."""

    def __init__(self, key: str, inner: str, model_field: str, type_: type = str):
        super().__init__(key, model_field, type_)
        self.inner = inner

    def load(self, value, ctx) -> dict:
        if not isinstance(value, dict) or set(value) - {self.inner}:
            raise ValidationError({self.key: f"Give '{self.key}' as a map with '{self.inner}'."})
        inner = value.get(self.inner, self.type())
        if inner is None:
            inner = self.type()
        if not isinstance(inner, self.type):
            raise ValidationError({self.key: f"Give '{self.key}.{self.inner}' as {_type_name(self.type)}."})
        if _names_a_file(inner):  # `manifest: '@requirements.txt'`
            inner = _local_text(ctx, f"{self.key}.{self.inner}", inner[1:])
        return {self.model_field: inner}

    def dump(self, entity, ctx) -> Any:
        return {self.inner: getattr(entity, self.model_field)}


class KeyValues(Plain):
    """A list of `{key, value}` (driver configuration); values are kept as strings, as in Dispatch."""

    def empty(self):
        return []

    def load(self, value, ctx) -> dict:
        if not isinstance(value, list) or not all(isinstance(i, dict) and "key" in i for i in value):
            raise ValidationError({self.key: f"Give '{self.key}' as a list of {{key, value}} maps."})
        return {
            self.model_field: [
                {"key": str(i["key"]), "value": "" if i.get("value") is None else _text(i["value"])}
                for i in value
            ]
        }


class SecretValues(Plain):
    """A secret's `secrets: {name: value}`; exported only when values were asked for (and allowed)."""

    def __init__(self):
        super().__init__("secrets", "values", dict)

    def load(self, value, ctx) -> dict:
        if isinstance(value, dict):  # YAML reads `pin: 1234` as a number; secrets are text
            value = {k: _text(v) if isinstance(v, int | float | bool) else v for k, v in value.items()}
        return super().load(value, ctx)

    def dump(self, entity, ctx) -> Any:
        return entity.values if ctx.include_secret_values or entity.pk in ctx.revealable else None


class Source(Plain):
    """A function's code: `source` as text, or Dispatch's `sourcePath` next to the YAML file."""

    def __init__(self):
        super().__init__("source")

    def load(self, value, ctx) -> dict:
        if not isinstance(value, str):
            raise ValidationError({"source": "Give 'source' as the function's code (text)."})
        if _names_a_file(value):  # Dispatch's `code: '@hello.py'`
            value = _local_text(ctx, "source", value[1:])
        return {"source": value}


class SourceArchive(Plain):
    """A source folder (`sourcePath` naming a folder): a gzipped tar, as base64 text."""

    def __init__(self):
        super().__init__("sourceArchive", "source_archive")

    def load(self, value, ctx) -> dict:
        try:
            return {"source_archive": base64.b64decode(value or "", validate=True)}
        except (binascii.Error, ValueError, TypeError):
            raise ValidationError({"sourceArchive": "Give 'sourceArchive' as base64 text."}) from None

    def dump(self, entity, ctx) -> Any:
        archive = bytes(entity.source_archive)
        return base64.b64encode(archive).decode("ascii") if archive else None


class SourcePath(ReadOnly):
    def __init__(self):
        super().__init__("sourcePath")

    def load(self, value, ctx) -> dict:
        return {"source": _local_text(ctx, "sourcePath", value)}

    def dump(self, entity, ctx) -> Any:
        return None


def _names_a_file(value) -> bool:
    """`'@hello.py'` names a file; code that starts with a decorator (`@app.route(…)` and more lines)
    does not."""
    return isinstance(value, str) and value.startswith("@") and len(value.split()) == 1


def _local_text(ctx, key: str, relative) -> str:
    """A file named in a bundle, read relative to the bundle's folder, which it may not leave. Only
    trusted callers give a folder (`base_dir`); over HTTP the client sends the file's text instead."""
    if not isinstance(relative, str) or not relative:
        raise ValidationError({key: f"Give '{key}' as a path relative to the bundle."})
    if ctx.base_dir is None:
        raise ValidationError(
            {
                key: f"'{relative}' is a local file the server cannot read; send its text instead "
                "(`dispatch create -f` does this for you)."
            }
        )
    folder = Path(ctx.base_dir).resolve()
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        raise ValidationError({key: f"'{relative}' is outside the bundle's folder; keep the file in it."})
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError({key: f"'{relative}' cannot be read: {exc.strerror or exc}."}) from None


class LanguageWord(Plain):
    """A base image's language, in Dispatch's words too (`nodejs6` is nodejs)."""

    def load(self, value, ctx) -> dict:
        fields = super().load(value, ctx)
        return {self.model_field: Language.resolve(fields[self.model_field]) or value}


class RunFunction(ReadOnly):
    """A run's function by name, as Dispatch's `functionName`: the run's frozen copy when it keeps one
    (the function may have moved out of sight, or gone), else its function's."""

    def dump(self, entity, ctx) -> Any:
        frozen = getattr(entity, "function_name", None)
        function = getattr(entity, "function", None)
        return frozen or (function.name if function is not None else None)


def _type_name(type_) -> str:
    return {str: "text", bool: "true or false", int: "a whole number", dict: "a map"}.get(type_, "a list")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Per bundle kind, its fields in Dispatch's format. References name the model field; their target
# kind comes from the registry's `references`.
FIELDS: dict[str, tuple[Plain, ...]] = {
    "BaseImage": (Plain("dockerUrl", "docker_url"), LanguageWord("language")),
    "Image": (
        Ref("baseImageName", "base_image"),
        Plain("dockerUrl", "docker_url"),
        ReadOnly("language"),
        Nested("runtimeDependencies", "manifest", "runtime_dependencies"),
        Nested("systemDependencies", "packages", "system_dependencies", list),
    ),
    "Secret": (SecretValues(),),
    "Function": (
        Ref("image"),
        Plain("handler"),
        Source(),
        SourceArchive(),
        SourcePath(),
        Schema(),
        Ref("secrets", many=True),
        Plain("timeout", type_=int),
    ),
    "API": (
        Ref("function"),
        Plain("methods", type_=list),
        Plain("protocols", type_=list),
        Plain("uris", type_=list),
        Plain("hosts", type_=list),
        Plain("authentication"),
        Plain("cors", type_=bool),
        Plain("enabled", type_=bool),
    ),
    "DriverType": (
        Plain("image"),
        KeyValues("config"),
        Plain("expose", type_=bool),
        Plain("builtIn", "built_in", bool),
    ),
    "Driver": (
        Ref("type"),
        KeyValues("config"),
        Ref("secrets", many=True),
        Plain("expose", type_=bool),
        ReadOnly("url"),
    ),
    "Subscription": (
        Plain("eventType", "event_type"),
        Ref("function"),
        Ref("secrets", many=True),
        ReadOnly("topic"),
    ),
}
# Kinds that are shown in Dispatch's shape (`dispatch get runs -o yaml`) but never imported.
SHOWN_FIELDS: dict[str, tuple[Plain, ...]] = {
    "Run": (
        RunFunction("functionName", "function"),
        ReadOnly("blocking"),
        ReadOnly("input"),
        ReadOnly("output"),
        ReadOnly("logs"),
        ReadOnly("error"),
        ReadOnly("executedTime", "executed_time"),
        ReadOnly("finishedTime", "finished_time"),
    ),
}
APPLICATION_KEYS = ("description",)

# Bundle kinds in the order they are applied: applications first, then the registry's order.
BUNDLE_KINDS: dict[str, Kind] = {kind.bundle_kind: kind for kind in KINDS if kind.bundle_kind in FIELDS}
ORDER = [APPLICATION, *BUNDLE_KINDS]


@dataclass
class Context:
    user: Any
    kind: Kind | None = None
    base_dir: Path | None = None
    include_secret_values: bool = False
    revealable: set = field(default_factory=set)  # secrets whose values this caller asked for and may read
    must_exist: bool = False  # `update -f`: a document naming nothing is an error, as in the original


# --- parsing --------------------------------------------------------------------------------------


def too_large(size: int) -> BundleError:
    limit = settings.DISPATCH_MAX_BODY_BYTES
    return BundleError(
        f"The bundle is larger than {limit:,} bytes ({size:,}); split it into several files.", status=413
    )


def parse(text: str) -> list[Document]:
    """The documents of a bundle, checked for shape (kind, name) but not yet for content.

    Bounded before anything walks it: the size in bytes, then, while YAML composes it, the number
    of values (each alias at the size of what it repeats) and the depth (dispatch_site.parsing)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > settings.DISPATCH_MAX_BODY_BYTES:
        raise too_large(size)
    try:
        loaded = parsing.load_yaml_documents(
            text, max_nodes=settings.DISPATCH_MAX_VALUES, max_depth=settings.DISPATCH_MAX_NESTING
        )
    except parsing.YAMLLimitError as exc:
        raise BundleError(str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BundleError(
            f"The bundle is not valid YAML{where}: {problem}; fix the file and retry."
        ) from None
    return documents_from(loaded)


def documents_from(loaded: list) -> list[Document]:
    """Documents from already-decoded data (a YAML stream or a JSON list); empty documents are skipped."""
    documents = []
    seen: dict[tuple[str, str], int] = {}
    for position, body in enumerate(loaded, start=1):
        if body is None:
            continue  # a trailing `---`
        if not isinstance(body, dict):
            raise BundleError(
                f"Document {position} is not a map of fields; give each document kind and name."
            )
        kind, name = bundle_kind(body.get("kind")), body.get("name")
        if kind not in ORDER:
            raise BundleError(
                f"Document {position} has unknown kind {kind!r}; use one of {', '.join(ORDER)}.",
                errors={"kind": [f"Unknown kind {kind!r}."]},
                position=position,
                kind=str(kind or ""),
                name=str(name or ""),
            )
        if not isinstance(name, str) or not name:
            raise BundleError(
                f"Document {position} ({kind}) has no name; give it one.",
                errors={"name": ["This field is required."]},
                position=position,
                kind=kind,
            )
        if (kind, name) in seen:
            raise BundleError(
                f"Document {position} ({kind} '{name}') repeats document {seen[kind, name]}; keep one.",
                errors={"name": ["Repeated in this bundle."]},
                position=position,
                kind=kind,
                name=name,
            )
        seen[kind, name] = position
        if rules.holds_nul(body):
            raise BundleError(
                f"Document {position} ({kind} '{name}'): {rules.NUL_MESSAGE}",
                position=position,
                kind=kind,
                name=name,
            )
        documents.append(Document(position, kind, name, body))
    if not documents:
        raise BundleError("The bundle holds no documents; give at least one with kind and name.")
    return documents


def bundle_kind(word):
    """The bundle kind a document's `kind` names, in any case and by the registry's names too
    (`function`, `baseimage`, `base-image`, `driver-type`); other values as given."""
    if not isinstance(word, str):
        return word
    key = word.strip().lower()
    for kind in ORDER:
        if key == kind.lower():
            return kind
    try:
        found = get_kind(key)
    except KeyError:
        return word
    return found.bundle_kind if found.bundle_kind in ORDER else word


def _in_order(documents: list[Document], reverse: bool = False) -> list[Document]:
    ordered = sorted(documents, key=lambda d: (ORDER.index(d.kind), d.position))
    return ordered[::-1] if reverse else ordered


def _split_tags(document: Document) -> tuple[list[str] | None, list[str] | None]:
    """Dispatch's `tags: [{key, value}]`: `Application` (or `app`) keys are applications, the rest
    free labels (`key=value`). None for what the document leaves out."""
    if "tags" not in document.body:
        return None, None
    tags = document.body["tags"] or []
    if not isinstance(tags, list) or not all(
        isinstance(t, dict) and (t.get("key") or t.get("label")) for t in tags
    ):
        raise ValidationError({"tags": "Give 'tags' as a list of {key, value} maps."})
    applications, labels = [], []
    for tag in tags:
        if not tag.get("key"):  # `- label: beta`: a free label, as the original wrote some
            labels.append(_text(tag["label"]).strip())
            continue
        key, value = str(tag["key"]).strip(), tag.get("value")
        value = "" if value is None else _text(value)
        if key.lower() in APPLICATION_TAG_KEYS:
            if not value:
                raise ValidationError({"tags": f"The '{key}' tag needs the application's name as its value."})
            applications.append(value)  # as written: "app-a\n" is not app-a
        else:
            value = value.strip()
            labels.append(f"{key}={value}" if value else key)
    return (applications or None), labels


def _tags_of(entity, *, with_applications: bool = True) -> list[dict]:
    tags = (
        [{"key": APPLICATION, "value": name} for name in entity.application_names()]
        if with_applications
        else []
    )
    for label in sorted(t.name for t in entity.tags.all()):
        key, _, value = label.partition("=")
        tags.append({"key": key, "value": value} if value else {"key": key})
    return tags


# --- import ---------------------------------------------------------------------------------------


def _error(document: Document, exc: Exception) -> BundleError:
    """A domain error as a BundleError that names the document, with field names in Dispatch's form."""
    status = 400
    errors: dict = {}
    if isinstance(exc, ValidationError):
        keys = {}
        for spec in FIELDS.get(document.kind, ()):
            for model_field in spec.model_fields():
                keys[model_field] = spec.key
        keys.update({"applications": "tags", "values": "secrets"})
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                errors.setdefault(keys.get(name, name), []).extend(messages)
            detail = next(iter(errors.values()))[0]
        else:
            detail = exc.messages[0]
            errors = {"non_field_errors": exc.messages}
    else:
        status = {PermissionDenied: 403, NotFound: 404, StaleRevision: 409}[type(exc)]
        detail = str(exc) or "You may not do this."
    return BundleError(
        f"{document.describe()}: {detail}",
        status=status,
        errors=errors,
        position=document.position,
        kind=document.kind,
        name=document.name,
    )


def _camel(key: str) -> str:
    """`event-type` and `event_type` as Dispatch's `eventType`."""
    return re.sub(r"[-_]([a-z])", lambda match: match.group(1).upper(), key)


def _load_fields(document: Document, ctx: Context) -> dict:
    specs = {spec.key: spec for spec in FIELDS[document.kind]}
    fields: dict = {}
    for key, value in document.body.items():
        if key in ("kind", "name", "tags") or key in READ_ONLY_KEYS or key in IGNORED_KEYS:
            continue
        spec = specs.get(key) or specs.get(KEY_ALIASES.get(key, _camel(str(key))))
        if spec is None:
            raise ValidationError(
                {key: f"{document.kind} has no field '{key}'; use one of {', '.join(specs)}."}
            )
        if value is None:
            value = spec.empty()
            if value is None:
                continue
        fields.update(spec.load(value, ctx))
    return fields


def _current(entity, model_field: str):
    if model_field == "values":
        return entity.values
    value = getattr(entity, model_field)
    if hasattr(value, "all"):
        return {e.pk for e in value.all()}
    return bytes(value) if isinstance(value, memoryview) else value  # PostgreSQL's binary columns


def _differs(entity, model_field: str, value, user) -> bool:
    if model_field == "values" and not access.may_reveal_secret(user, entity):
        # Values the caller may not read are never compared: "unchanged" for the right ones and a
        # refusal for wrong ones would let them be guessed one request at a time.
        return True
    current = _current(entity, model_field)
    if isinstance(value, list) and isinstance(current, set):
        return {e.pk for e in value} != current
    if hasattr(value, "pk"):
        return getattr(current, "pk", None) != value.pk
    return current != value


def _missing(document: Document) -> NotFound:
    return NotFound(
        f"{document.kind} '{document.name}' does not exist; create it first (`dispatch create -f`)."
    )


def _apply_entity(document: Document, ctx: Context, default_application: str | None) -> str:
    kind = BUNDLE_KINDS[document.kind]
    ctx.kind = kind
    applications, labels = _split_tags(document)
    if applications is None and default_application and kind.scope in (scopes.ONE, scopes.MANY):
        applications = [default_application]
    fields = _load_fields(document, ctx)
    existing = (
        access.visible_entities(kind.model, ctx.user)
        .filter(name=document.name)
        .prefetch_related("applications", "tags")
        .first()
    )
    if existing is None:
        if ctx.must_exist:
            raise _missing(document)
        services.entity_create(
            kind=kind,
            user=ctx.user,
            fields={"name": document.name, **fields},
            applications=applications,
            tags=labels,
        )
        return "created"
    changed = {name: value for name, value in fields.items() if _differs(existing, name, value, ctx.user)}
    if applications is not None and sorted(set(applications)) == existing.application_names():
        applications = None
    if labels is not None and sorted(set(labels)) == sorted(t.name for t in existing.tags.all()):
        labels = None
    if not changed and applications is None and labels is None:
        return "unchanged"
    services.entity_update(
        entity=existing, user=ctx.user, fields=changed, applications=applications, tags=labels
    )
    return "updated"


def _apply_application(document: Document, ctx: Context) -> str:
    unknown = set(document.body) - {"kind", "name", "tags", *APPLICATION_KEYS, *READ_ONLY_KEYS}
    if unknown:
        key = sorted(unknown)[0]
        raise ValidationError({key: f"Application has no field '{key}'; use description and tags."})
    applications, labels = _split_tags(document)
    if applications:
        raise ValidationError({"tags": "An application cannot be put in another application."})
    description = document.body.get("description")
    if description is not None and not isinstance(description, str):
        raise ValidationError({"description": "Give 'description' as text."})
    existing = (
        access.visible_applications(ctx.user).filter(name=document.name).prefetch_related("tags").first()
    )
    if existing is None:
        if ctx.must_exist:
            raise _missing(document)
        application_services.application_create(
            user=ctx.user, name=document.name, description=description or "", tags=labels
        )
        return "created"
    if description is not None and description == existing.description:
        description = None
    if labels is not None and sorted(set(labels)) == sorted(t.name for t in existing.tags.all()):
        labels = None
    if description is None and labels is None:
        return "unchanged"
    application_services.application_update(
        application=existing, user=ctx.user, description=description, tags=labels
    )
    return "updated"


def _one_bundle_at_a_time() -> None:
    """Wait, inside the bundle's transaction, until no other bundle is being applied.

    Two bundles at once would insert and lock their rows in their own files' orders and could
    deadlock (a 500) or fail on each other's names; one after the other, the second sees what the
    first wrote (its documents are `unchanged` or `updated`). PostgreSQL releases the lock at the end
    of the transaction; SQLite runs one write transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BUNDLE_LOCK_KEY])


def _run(documents: list[Document], step, *, dry_run: bool, reverse: bool = False) -> Report:
    """Apply `step` to every document in one transaction; any error rolls all of them back."""
    report = Report(dry_run=dry_run)
    with transaction.atomic():
        _one_bundle_at_a_time()
        for document in _in_order(documents, reverse=reverse):
            try:
                action = step(document)
            except (ValidationError, PermissionDenied, NotFound, StaleRevision) as exc:
                raise _error(document, exc) from None
            report.results.append(Result(document.position, document.kind, document.name, action))
        if dry_run:
            transaction.set_rollback(True)
    return report


def _documents(bundle) -> list[Document]:
    if isinstance(bundle, str):
        return parse(bundle)
    if isinstance(bundle, list) and all(isinstance(d, Document) for d in bundle):
        return bundle
    if isinstance(bundle, list):
        return documents_from(bundle)
    raise BundleError("Give the bundle as YAML text or a list of documents.")


def apply_bundle(
    *,
    user,
    bundle,
    application: str | None = None,
    dry_run: bool = False,
    base_dir=None,
    must_exist: bool = False,
) -> Report:
    """Create or update every document of the bundle, all or nothing.

    `application` is where documents without an Application tag go (like `-a` on the CLI); system
    kinds and APIs ignore it. `base_dir` lets trusted callers resolve `sourcePath` on this machine.
    `must_exist` refuses (404) a document that names nothing, instead of creating it.
    """
    documents = _documents(bundle)
    ctx = Context(user=user, base_dir=Path(base_dir) if base_dir else None, must_exist=must_exist)

    def step(document):
        if document.kind == APPLICATION:
            return _apply_application(document, ctx)
        return _apply_entity(document, ctx, application)

    return _run(documents, step, dry_run=dry_run)


def delete_bundle(*, user, bundle, dry_run: bool = False) -> Report:
    """Delete what the bundle names, users before what they use; names that are not there are `absent`.

    An Application document deletes the application only once nothing else is left in it, so a bundle
    cannot delete entities it does not name.
    """
    documents = _documents(bundle)

    def step(document):
        if document.kind == APPLICATION:
            application = access.visible_applications(user).filter(name=document.name).first()
            if application is None:
                return "absent"
            plan = application_services.application_delete(application=application, user=user, dry_run=True)
            left = plan.deleted + plan.untagged
            if left:
                more = f" and {len(left) - 1} more" if len(left) > 1 else ""
                raise ValidationError(
                    f"Application '{document.name}' still holds {left[0]['kind']} "
                    f"'{left[0]['name']}'{more}, which the bundle does not name; delete those first "
                    "or leave out the Application document."
                )
            application_services.application_delete(application=application, user=user)
            return "deleted"
        kind = BUNDLE_KINDS[document.kind]
        entity = access.visible_entities(kind.model, user).filter(name=document.name).first()
        if entity is None:
            return "absent"
        services.entity_delete(entity=entity, user=user)
        return "deleted"

    return _run(documents, step, dry_run=dry_run, reverse=True)


# --- export ---------------------------------------------------------------------------------------


def _document_of(kind: Kind, entity, ctx: Context) -> dict:
    document = {"kind": kind.bundle_kind, "name": entity.name}
    for spec in FIELDS.get(kind.bundle_kind) or SHOWN_FIELDS[kind.bundle_kind]:
        value = spec.dump(entity, ctx)
        if value is not None:
            document[spec.key] = value
    document["tags"] = _tags_of(entity, with_applications=not kind.is_system)
    return document


def _with_state(document: dict, entity) -> dict:
    """A document with the read-only fields Dispatch printed after the writable ones (and ignored on
    import, so what `dispatch get -o yaml` prints applies back unchanged)."""
    document.update(
        id=str(entity.pk),
        status=entity.status,
        reason=list(getattr(entity, "reason", None) or []),
        createdTime=entity.created.isoformat(),
        modifiedTime=entity.modified.isoformat(),
        revision=entity.revision,
    )
    return document


def documents_of(*, user, kind: Kind, entities, revealable=()) -> list[dict]:
    """Visible entities of one kind (from `document_queryset`) as Dispatch documents with their state:
    what `dispatch get … -o yaml` prints. Secret values only for the secrets in `revealable`."""
    ctx = Context(user=user, kind=kind, revealable=set(revealable))
    return [_with_state(_document_of(kind, entity, ctx), entity) for entity in entities]


def application_documents(applications) -> list[dict]:
    """Applications (from the gate, labels prefetched) as documents with their state."""
    return [
        _with_state(
            {
                "kind": APPLICATION,
                "name": application.name,
                "description": application.description,
                "tags": _tags_of(application, with_applications=False),
            },
            application,
        )
        for application in applications
    ]


def document_queryset(kind: Kind, user, queryset=None):
    """What a kind's documents read, in one query per reference set whatever the count; sources
    included (`defer(None)`: the function manager leaves the archive out of ordinary reads)."""
    return _queryset(kind, user, kind.model.objects.all() if queryset is None else queryset)


def _queryset(kind: Kind, user, queryset):
    single = [ref.field for ref in kind.references if not ref.many]
    many = [ref.field for ref in kind.references if ref.many]
    return (
        access.visible_entities(kind.model, user, queryset)
        .select_related(*single)
        .prefetch_related("applications", "tags", *many)
        .defer(None)
        .order_by("name")
    )


def export_application(*, user, name: str, include_secret_values: bool = False) -> list[dict]:
    """The application and everything it manages, plus the system entities those use, as documents.

    Runs are runtime records and stay out. Secret values only for the application's admins (and
    staff), when asked for; otherwise secrets are exported with their names and tags only.
    """
    application = access.visible_applications(user).filter(name=name).prefetch_related("tags").first()
    if application is None:
        raise NotFound(f"Application '{name}' does not exist.")
    if include_secret_values and not access.may_change_application(user, application):
        raise PermissionDenied(
            f"You need the admin role in application '{name}' to export its secret values; "
            "leave include_secret_values out."
        )
    ctx = Context(user=user, include_secret_values=include_secret_values)
    app_document = {"kind": APPLICATION, "name": application.name, "description": application.description}
    app_document["tags"] = _tags_of(application, with_applications=False)
    in_application = services.all_kinds_in(application)
    managed: dict[Kind, list] = {
        kind: list(_queryset(kind, user, queryset))
        for kind, queryset in in_application.items()
        if kind.bundle_kind in FIELDS
    }
    used: dict[str, set] = {}
    for kind, entities in managed.items():
        for ref in kind.references:
            if not ref.many and get_kind(ref.kind).is_system:
                used.setdefault(ref.kind, set()).update(getattr(e, f"{ref.field}_id") for e in entities)
    documents = [app_document]
    for kind in KINDS:
        if kind.is_system and kind.name in used:
            entities = _queryset(kind, user, kind.model.objects.filter(pk__in=used[kind.name]))
        else:
            entities = managed.get(kind, [])
        documents += [_document_of(kind, entity, ctx) for entity in entities]
    return documents


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text (a function's source, a manifest) as a readable `|` block."""

    def represent_str(self, data):
        style = "|" if "\n" in data else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump(documents: list[dict]) -> str:
    """Documents as multi-document YAML in Dispatch's layout (`---` between documents)."""
    return yaml.dump_all(
        documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False
    )

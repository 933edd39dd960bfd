"""A bundle document's fields, one small class per shape of field; FIELDS has them per kind, made from
the kind's shape in the registry but where Dispatch wrote a field its own way (DISPATCH_FIELDS).

Each spec turns its key of a document into model fields (`load`) and a model's value back into the
key (`dump`); Context carries what a load or dump needs to know of its caller.
"""

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.db import models

from applications.access import Actor
from entities import rules
from entities.kinds import KINDS, Kind, Reference, get_kind
from entities.models import Language
from entities.selectors import entity_queryset


@dataclass
class Context:
    user: Actor
    base_dir: Path | None = None
    include_secret_values: bool = False
    revealable: set = field(default_factory=set)  # secrets whose values this caller asked for and may read
    must_exist: bool = False  # `update -f`: a document naming nothing is an error, as in the original


class Plain:
    """A camelCase key that holds a model field's value as is."""

    def __init__(self, key: str, model_field: str | None = None, type_: type = str):
        self.key = key
        self.model_field = model_field or key
        self.type = type_

    def model_fields(self) -> tuple[str, ...]:
        return (self.model_field,)

    def empty(self) -> Any:
        """What an empty key (`secrets:` with nothing after it) means: the field's empty value, or
        None to leave the field as it is (numbers, booleans, single references)."""
        return self.type() if self.type in (str, list, dict) else None

    def load(self, value: Any, ctx: Context) -> dict:
        if self.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValidationError({self.key: f"Give '{self.key}' as a list of strings."})
        elif not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise ValidationError({self.key: f"Give '{self.key}' as {_type_name(self.type)}."})
        return {self.model_field: value}

    def dump(self, entity: Any, ctx: Context) -> Any:
        return getattr(entity, self.model_field)


class ReadOnly(Plain):
    """Shown in exports (e.g. an image's language, from its base image), ignored on import."""

    def load(self, value: Any, ctx: Context) -> dict:
        return {}


class Ref(Plain):
    """A reference by name (a list of names for many-to-many), resolved among what the user sees."""

    def __init__(self, key: str, reference: Reference):
        super().__init__(key, reference.field, list if reference.many else str)
        self.reference = reference

    def empty(self) -> Any:
        return [] if self.type is list else None

    def load(self, value: Any, ctx: Context) -> dict:
        reference = self.reference
        names = value if reference.many else [value]
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            shape = "a list of names" if reference.many else "a name"
            raise ValidationError({self.key: f"Give '{self.key}' as {shape}."})
        target = get_kind(reference.kind)
        visible = entity_queryset(target, ctx.user, many_references=False)
        found = {e.name: e for e in visible.filter(name__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise ValidationError(
                {
                    self.key: f"{rules.A(target.label)} named '{missing[0]}' does not exist; "
                    "create it first or add it to the bundle."
                }
            )
        return {self.model_field: [found[n] for n in names] if reference.many else found[value]}

    def dump(self, entity: Any, ctx: Context) -> Any:
        value = getattr(entity, self.model_field)
        if hasattr(value, "all"):
            return sorted(e.name for e in value.all())
        return value.name if value is not None else None


class Schema(Plain):
    """Dispatch's `schema: {in: ..., out: ...}`, stored as two JSON schemas."""

    def __init__(self) -> None:
        super().__init__("schema")

    def model_fields(self) -> tuple[str, ...]:
        return ("schema_in", "schema_out")

    def load(self, value: Any, ctx: Context) -> dict:
        value = value or {}
        if not isinstance(value, dict) or set(value) - {"in", "out"}:
            raise ValidationError({"schema": "Give 'schema' as a map with 'in' and 'out' JSON schemas."})
        for part in ("in", "out"):
            if not isinstance(value.get(part) or {}, dict):
                raise ValidationError({"schema": f"Give 'schema.{part}' as a JSON schema (a map)."})
        return {"schema_in": value.get("in") or {}, "schema_out": value.get("out") or {}}

    def dump(self, entity: Any, ctx: Context) -> Any:
        return {
            part: schema for part, schema in (("in", entity.schema_in), ("out", entity.schema_out)) if schema
        }


class Nested(Plain):
    """A model field kept one level down in Dispatch's format, e.g. `runtimeDependencies.manifest`."""

    def __init__(self, key: str, inner: str, model_field: str, type_: type = str):
        super().__init__(key, model_field, type_)
        self.inner = inner

    def load(self, value: Any, ctx: Context) -> dict:
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

    def dump(self, entity: Any, ctx: Context) -> Any:
        return {self.inner: getattr(entity, self.model_field)}


class KeyValues(Plain):
    """A list of `{key, value}` (driver configuration); values are kept as strings, as in Dispatch."""

    def load(self, value: Any, ctx: Context) -> dict:
        if not isinstance(value, list) or not all(isinstance(i, dict) and "key" in i for i in value):
            raise ValidationError({self.key: f"Give '{self.key}' as a list of {{key, value}} maps."})
        return {
            self.model_field: [
                {"key": str(i["key"]), "value": "" if i.get("value") is None else as_text(i["value"])}
                for i in value
            ]
        }


class SecretValues(Plain):
    """A secret's `secrets: {name: value}`; exported only when values were asked for (and allowed)."""

    def load(self, value: Any, ctx: Context) -> dict:
        if isinstance(value, dict):  # YAML reads `pin: 1234` as a number; secrets are text
            value = {k: as_text(v) if isinstance(v, int | float | bool) else v for k, v in value.items()}
        return super().load(value, ctx)

    def dump(self, entity: Any, ctx: Context) -> Any:
        return entity.values if ctx.include_secret_values or entity.pk in ctx.revealable else None


class Source(Plain):
    """A function's code: `source` as text, or Dispatch's `sourcePath` next to the YAML file."""

    def load(self, value: Any, ctx: Context) -> dict:
        if not isinstance(value, str):
            raise ValidationError({self.key: f"Give '{self.key}' as the function's code (text)."})
        if _names_a_file(value):  # Dispatch's `code: '@hello.py'`
            value = _local_text(ctx, self.key, value[1:])
        return {self.model_field: value}


class SourceArchive(Plain):
    """A source folder (`sourcePath` naming a folder): a gzipped tar, as base64 text."""

    def load(self, value: Any, ctx: Context) -> dict:
        try:
            return {self.model_field: base64.b64decode(value or "", validate=True)}
        except (binascii.Error, ValueError, TypeError):
            raise ValidationError({self.key: f"Give '{self.key}' as base64 text."}) from None

    def dump(self, entity: Any, ctx: Context) -> Any:
        archive = bytes(getattr(entity, self.model_field))
        return base64.b64encode(archive).decode("ascii") if archive else None


class SourcePath(ReadOnly):
    def __init__(self) -> None:
        super().__init__("sourcePath")

    def load(self, value: Any, ctx: Context) -> dict:
        return {"source": _local_text(ctx, "sourcePath", value)}

    def dump(self, entity: Any, ctx: Context) -> Any:
        return None


def _names_a_file(value: object) -> TypeGuard[str]:
    """`'@hello.py'` names a file; code that starts with a decorator (`@app.route(…)` and more lines)
    does not."""
    return isinstance(value, str) and value.startswith("@") and len(value.split()) == 1


def _local_text(ctx: Context, key: str, relative: object) -> str:
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
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationError({key: f"'{relative}' is not UTF-8 text; save it as UTF-8."}) from None
    except OSError as exc:
        raise ValidationError({key: f"'{relative}' cannot be read: {exc.strerror or exc}."}) from None


class LanguageWord(Plain):
    """A base image's language, in Dispatch's words too (`nodejs6` is nodejs)."""

    def load(self, value: Any, ctx: Context) -> dict:
        fields = super().load(value, ctx)
        return {self.model_field: Language.resolve(fields[self.model_field]) or value}


class RunFunction(ReadOnly):
    """A run's function by name, as Dispatch's `functionName`: the run's frozen copy when it keeps one
    (the function may have moved out of sight, or gone), else its function's."""

    def dump(self, entity: Any, ctx: Context) -> Any:
        frozen = getattr(entity, "function_name", None)
        function = getattr(entity, "function", None)
        return frozen or (function.name if function is not None else None)


def _type_name(type_: type) -> str:
    return {str: "text", bool: "true or false", int: "a whole number", dict: "a map"}.get(type_, "a list")


def as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def camel(key: str) -> str:
    """`event-type` and `event_type` as Dispatch's `eventType`."""
    return re.sub(r"[-_]([a-z])", lambda match: match.group(1).upper(), key)


# Where Dispatch's documents hold a kind's field (kind.fields) their own way: in other keys, in nested
# maps, in files beside the bundle, or not at all (empty). Any other field is its name in camelCase.
DISPATCH_FIELDS: dict[str, tuple[Plain, ...]] = {
    "runtime_dependencies": (Nested("runtimeDependencies", "manifest", "runtime_dependencies"),),
    "system_dependencies": (Nested("systemDependencies", "packages", "system_dependencies", list),),
    "keys": (),
    "values": (SecretValues("secrets", "values", dict),),
    "source": (Source("source"),),
    "source_archive": (SourceArchive("sourceArchive", "source_archive"), SourcePath()),
    "source_files": (),
    "schema_in": (Schema(),),
    "schema_out": (),
    "config": (KeyValues("config", type_=list),),
    "driver_url": (ReadOnly("url"),),
}
DISPATCH_KEYS = {"base_image": "baseImageName"}


def fields_of(kind: Kind) -> tuple[Plain, ...]:
    """A kind's fields in its documents, in the kind's order: references by name, those the kind only
    shows ignored on import, and each other as a value of its column's type."""
    found: list[Plain] = []
    for name in kind.fields:
        key = DISPATCH_KEYS.get(name, camel(name))
        reference = kind.reference(name)
        if name in DISPATCH_FIELDS:
            found += DISPATCH_FIELDS[name]
        elif name in kind.read_only_fields:
            found.append(ReadOnly(key, name))
        elif reference is not None:
            found.append(Ref(key, reference))
        else:
            found.append(_plain(key, kind.model._meta.get_field(name)))
    return tuple(found)


COLUMN_TYPES = {models.BooleanField: bool, models.IntegerField: int, models.JSONField: list}


def _plain(key: str, column: Any) -> Plain:
    """A column's value as is, of its type (text unless COLUMN_TYPES says); a language in Dispatch's
    words too."""
    if column.choices == Language.choices:
        return LanguageWord(key, column.name)
    return Plain(key, column.name, next((t for c, t in COLUMN_TYPES.items() if isinstance(column, c)), str))


FIELDS: dict[str, tuple[Plain, ...]] = {
    kind.bundle_kind: fields_of(kind) for kind in KINDS if not kind.read_only
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

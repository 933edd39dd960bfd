"""The shape of every JSON value an entity stores, checked in the domain.

Model fields declare a `JSONShape`; `full_clean`, which the services run before every write, applies
it, so the API, the pages, the admin, bundles and the CLI refuse the same values with the same
message, and whatever is stored reads back (and can be sent back) on every surface.

Every JSON value, whatever its shape: JSON types only, no NUL character (PostgreSQL cannot store it
in text or jsonb), no NaN or infinite number (JSON has none), at most MAX_DEPTH levels of nesting
(walked without recursion, so a deep value cannot exhaust the stack).
"""

import math
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from jsonschema import exceptions as jsonschema_exceptions
from jsonschema import validators as jsonschema_validators

from .rules import NUL_MESSAGE

MAX_DEPTH = 64
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
PROTOCOLS = ("http", "https")
HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = re.compile(rf"(?:\*\.)?{HOST_LABEL}(?:\.{HOST_LABEL})*")


def check_json_value(value, field: str) -> None:
    """JSON types, no NUL, finite numbers, bounded depth: what every stored JSON value must be."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValidationError(
                f"'{field}' is nested more than {MAX_DEPTH} levels deep; flatten it.", code="too_deep"
            )
        if isinstance(item, str):
            _no_nul(item, field)
        elif isinstance(item, bool) or item is None or isinstance(item, int):
            continue
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ValidationError(
                    f"'{field}' holds a number that is not finite (NaN or Infinity); use a finite number.",
                    code="not_finite",
                )
        elif isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise ValidationError(f"'{field}' has a key that is not a string.", code="wrong_shape")
                _no_nul(key, field)
                stack.append((child, depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
        else:
            raise ValidationError(f"'{field}' holds a value that is not JSON.", code="wrong_shape")


def _no_nul(text: str, field: str) -> None:
    if "\x00" in text:
        raise ValidationError(NUL_MESSAGE, code="nul")


def _strings(value, field: str, max_length: int, what: str = "strings") -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(f"Give '{field}' as a list of {what}.", code="wrong_shape")
    for item in value:
        if not item.strip() or len(item) > max_length:
            raise ValidationError(
                f"Each item of '{field}' is 1 to {max_length} characters; '{item[:40]}' is not.",
                code="wrong_shape",
            )
    return value


def _objects(value, field: str, keys: tuple[str, str], max_lengths: tuple[int, int]) -> None:
    """A list of {first, second} objects with string values; the first is required and not blank."""
    first, second = keys
    shape = f'{{"{first}": …, "{second}": …}}'
    if not isinstance(value, list):
        raise ValidationError(f"Give '{field}' as a list of {shape} objects.", code="wrong_shape")
    for index, item in enumerate(value, start=1):
        if (
            not isinstance(item, dict)
            or not set(item) <= set(keys)
            or not all(isinstance(v, str) for v in item.values())
        ):
            raise ValidationError(
                f"Item {index} of '{field}' must be an object {shape} with string values.", code="wrong_shape"
            )
        if not item.get(first, "").strip():
            raise ValidationError(f"Item {index} of '{field}' needs a '{first}'.", code="wrong_shape")
        for key, limit in zip(keys, max_lengths, strict=True):
            if len(item.get(key, "")) > limit:
                raise ValidationError(
                    f"The '{key}' of item {index} of '{field}' is longer than {limit} characters.",
                    code="wrong_shape",
                )


def _reason(value, field):
    _strings(value, field, 1000)


def _system_dependencies(value, field):
    _objects(value, field, ("name", "version"), (255, 255))


def _config(value, field):
    _objects(value, field, ("key", "value"), (255, 4096))
    keys = [item["key"] for item in value]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:  # the pages' message (KeyValueField), so every surface says the same
        raise ValidationError(f"Key '{duplicates[0]}' appears twice; keep one row per key.", code="duplicate")


def _schema(value, field):
    if not isinstance(value, dict):
        raise ValidationError(f'Give \'{field}\' as a JSON Schema object, e.g. {{"type": "object"}}.')
    validator = jsonschema_validators.validator_for(value, default=jsonschema_validators.Draft202012Validator)
    try:
        validator.check_schema(value)
    except jsonschema_exceptions.SchemaError as error:
        where = "/".join(str(part) for part in error.path)
        raise ValidationError(
            f"'{field}' is not a valid JSON Schema{f' at {where}' if where else ''}: {error.message[:200]}",
            code="invalid_schema",
        ) from None


def _methods(value, field):
    for method in _strings(value, field, 16, "HTTP methods"):
        if method not in HTTP_METHODS:
            raise ValidationError(
                f"'{method[:40]}' in '{field}' is not an HTTP method; use {', '.join(HTTP_METHODS)}.",
                code="not_allowed",
            )


def _protocols(value, field):
    for protocol in _strings(value, field, 16, "protocols"):
        if protocol not in PROTOCOLS:
            raise ValidationError(
                f"'{protocol[:40]}' in '{field}' is not a protocol; use http or https.", code="not_allowed"
            )


def _uris(value, field):
    for uri in _strings(value, field, 1024, "paths"):
        if not uri.startswith("/") or any(c.isspace() for c in uri):
            raise ValidationError(
                f"'{uri[:40]}' in '{field}' is not a path; start it with '/', without spaces.",
                code="wrong_shape",
            )


def _hosts(value, field):
    for host in _strings(value, field, 253, "host names"):
        if not HOST_NAME.fullmatch(host):
            raise ValidationError(
                f"'{host[:40]}' in '{field}' is not a host name; use letters, digits, '-' and '.'.",
                code="wrong_shape",
            )


SHAPES = {
    "reason": _reason,
    "system_dependencies": _system_dependencies,
    "config": _config,
    "schema": _schema,
    "methods": _methods,
    "protocols": _protocols,
    "uris": _uris,
    "hosts": _hosts,
}


@deconstructible
class JSONShape:
    """The validator of one JSON field: `check_json_value`, then the named shape from SHAPES. (Its error
    codes are its own: a model field replaces the message of codes it knows, like "invalid".)"""

    def __init__(self, shape: str, field: str | None = None):
        if shape not in SHAPES:
            raise ValueError(f"Unknown JSON shape {shape!r}.")
        self.shape = shape
        self.field = field or shape

    def __call__(self, value):
        check_json_value(value, self.field)
        SHAPES[self.shape](value, self.field)

    def __eq__(self, other):
        return isinstance(other, JSONShape) and (self.shape, self.field) == (other.shape, other.field)


class ShapedJSONField(models.JSONField):
    """A JSON column whose validators also see empty values: `[]` where an object belongs (or `{}`
    where a list does) is a wrong shape, not "blank"."""

    empty_values = [None]

    def __init__(self, *args, shape: str, **kwargs):
        self.shape = shape
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["shape"] = self.shape
        return name, path, args, kwargs

    @cached_property
    def validators(self):
        return [*self.default_validators, *self._validators, JSONShape(self.shape, self.name)]

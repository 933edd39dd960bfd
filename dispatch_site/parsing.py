"""Text from outside (query flags, ids, JSON and YAML bodies) into Python values, within bounds.

Every surface parses through these, so a hostile input gets the same clear refusal everywhere and
no parse can outgrow its bounds: nesting is measured before JSON is decoded, and YAML is counted
node by node (aliases at their expanded size) while it is composed, before anything walks the result
(dispatch_cli.bounded_yaml, the CLI's loader, which reads bundle files on the user's machine too).
"""

import functools
import json
import math
import re

# YAML is read by the CLI's bounded loader, which the server shares; so are the bounds.
from dispatch_cli.bounded_yaml import MAX_NESTING, MAX_VALUES
from dispatch_cli.bounded_yaml import YAMLLimitError as YAMLLimitError
from dispatch_cli.bounded_yaml import load_yaml_documents as load_yaml_documents


class ParseError(ValueError):
    """Text that cannot be read as asked; the message is one sentence that says what to send, and
    `field` names the parameter it came from. The API answers it as a 400 in its error shape, the
    pages and the admin as their 400 page (dispatch_site.middleware.DomainErrorMiddleware)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- query flags and ids --------------------------------------------------------------------------

FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_flag(value: str | None, *, name: str, default: bool = False) -> bool:
    """A boolean query flag: true/false, 1/0, yes/no (any case); absent is `default`, anything else
    (`ture`, an empty value) is refused rather than read as false."""
    if value is None:
        return default
    try:
        return FLAGS[value.lower()]
    except KeyError:
        raise ParseError(f"'{name}' must be true or false, not '{value[:40]}'.", name) from None


_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is true); fits a bigint


def parse_whole_number(value, *, name: str) -> int:
    """A revision or an id as sent in a URL or a form: ASCII digits only, at most 18 of them."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18:
        return value
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    raise ParseError(f"'{name}' must be a whole number, not {str(value)[:40]!r}.", name)


# --- JSON -----------------------------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = bytes.maketrans(b"[]{}", b"()()")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


@functools.lru_cache(maxsize=4)
def _nested_at_most(limit: int) -> re.Pattern:
    r"""Balanced brackets `()` nested at most `limit` deep: `(?:\((?:\(…\))*+\))*+`. The quantifiers are
    possessive, so matching never backtracks: one pass, in C, in time linear in the length."""
    pattern = b""
    for _ in range(limit):
        pattern = rb"(?:\(" + pattern + rb"\))*+"
    return re.compile(pattern)


def check_json_shape(data: bytes | str, *, limit: int = MAX_NESTING, max_values: int = MAX_VALUES) -> None:
    """Refuse JSON text with more than `max_values` values or nested deeper than `limit` lists and
    objects, without decoding it.

    Decoding builds every value (millions of lists fit in 10 MB) and recurses once per level (a
    RecursionError, a 500, near 1,000), so the shape is measured first, without recursion: strings
    are cut out; the brackets that are left, as `(` and `)`, must match a pattern of balanced brackets
    at most `limit` deep; and a value (or a key) is counted per `,`, `:`, `[` and `{`."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    structure = _JSON_STRING.sub(b"", data)
    brackets = structure.translate(_BRACKETS, _NOT_BRACKETS)
    opening = brackets.count(b"(")
    if opening > limit and not _nested_at_most(limit).fullmatch(brackets):
        if opening != len(brackets) - opening:
            raise ParseError("JSON parse error: its brackets do not match.")
        raise ParseError(f"The JSON is nested more than {limit} levels deep; flatten it.")
    if 1 + structure.count(b",") + structure.count(b":") + opening > max_values:
        raise ParseError(f"The JSON has more than {max_values:,} values; send less at a time.")


def _refuse_constant(name):
    raise ParseError(f"The JSON holds {name}, which is not a number JSON allows; send a finite number.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError(f"The JSON holds {text}, which is too large a number; send a finite number.")
    return value


def load_json(text: str | bytes, *, limit: int = MAX_NESTING, max_values: int = MAX_VALUES):
    """JSON text as Python values: size and nesting bounded, no NaN or Infinity (PostgreSQL stores
    neither)."""
    check_json_shape(text, limit=limit, max_values=max_values)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ParseError:
        raise
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, an integer of over 4,300 digits
        raise ParseError(f"JSON parse error: {exc}.") from None

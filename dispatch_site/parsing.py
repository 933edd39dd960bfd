"""Text from outside (query flags, ids, JSON and YAML bodies) into Python values, within bounds.

Every surface parses through these, so a hostile input gets the same clear refusal everywhere and
no parse can outgrow its bounds: nesting is measured before JSON is decoded, and YAML is counted
node by node (aliases at their expanded size) while it is composed, before anything walks the result.
No Django here: the `dispatch` CLI reads bundles with the same loader.
"""

import functools
import json
import math
import re

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

MAX_NESTING = 100  # levels of lists and maps in one JSON body or YAML document
MAX_VALUES = 50_000  # of a JSON body or a YAML stream (keys count; a YAML alias counts what it repeats)


class ParseError(ValueError):
    """Text that cannot be read as asked; the message is one sentence that says what to send, and
    `field` names the parameter it came from. The API answers it as a 400 in its error shape, the
    pages and the admin as their 400 page (dispatch_site.middleware.BadInputMiddleware)."""

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


# --- YAML -----------------------------------------------------------------------------------------


class YAMLLimitError(yaml.YAMLError):
    """A YAML stream larger or deeper than allowed, found while composing it."""


class _BoundedComposer(Composer):
    """PyYAML's composer, counting as it goes: every node, each alias at the expanded size of the
    node it repeats (so 9 levels of 10 aliases count 10⁹, not 90), and the depth an alias reaches.
    A recursive alias (`&a [*a]`) is refused: nothing downstream could walk it."""

    def _start_bounds(self, max_nodes: int, max_depth: int) -> None:
        self.max_nodes, self.max_depth = max_nodes, max_depth
        self.total = 0  # over the whole stream
        self.depth = 0
        self.open = []  # [size, height] of each collection being composed
        self.shapes = {}  # anchor -> (size, height) of its finished node, in this document

    def compose_document(self):
        node = super().compose_document()
        self.shapes = {}
        return node

    def _count(self, size: int, height: int, mark) -> None:
        self.total += size
        if self.total > self.max_nodes:
            raise YAMLLimitError(
                f"The bundle has more than {self.max_nodes:,} YAML values (each alias counts as what it "
                "repeats); split it into several files."
            )
        if self.depth + height > self.max_depth:
            raise YAMLLimitError(
                f"The bundle is nested more than {self.max_depth} levels deep (line {mark.line + 1}); "
                "flatten it."
            )

    def _close(self, size: int, height: int) -> None:
        if self.open:
            parent = self.open[-1]
            parent[0] += size
            parent[1] = max(parent[1], height + 1)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.anchors:  # an unknown one is the composer's own error
                if event.anchor not in self.shapes:
                    raise YAMLLimitError(
                        f"The alias *{event.anchor} (line {event.start_mark.line + 1}) repeats the node "
                        "that holds it; YAML that contains itself cannot be imported."
                    )
                size, height = self.shapes[event.anchor]
                self._count(size, height, event.start_mark)
                self._close(size, height)
            return super().compose_node(parent, index)
        self._count(1, 1, event.start_mark)
        self.open.append([1, 1])
        self.depth += 1
        node = super().compose_node(parent, index)
        self.depth -= 1
        size, height = self.open.pop()
        if event.anchor is not None:
            self.shapes[event.anchor] = (size, height)
        self._close(size, height)
        return node


class _JSONConstructor(SafeConstructor):
    """The safe constructor limited to what JSON can hold: no NaN or infinity, timestamps kept as the
    text they were written as, and no binary, set or ordered-map values."""

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise ConstructorError(
                None, None, f"{node.value} is not a finite number; write one or quote it", node.start_mark
            )
        return value

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # over 4,300 digits
            raise ConstructorError(
                None, None, "the number is too long; quote it if it is text", node.start_mark
            ) from None


_JSONConstructor.yaml_constructors = {
    tag: constructor
    for tag, constructor in SafeConstructor.yaml_constructors.items()
    if tag not in {f"tag:yaml.org,2002:{name}" for name in ("binary", "set", "omap", "pairs")}
}
_JSONConstructor.add_constructor("tag:yaml.org,2002:float", _JSONConstructor.construct_yaml_float)
_JSONConstructor.add_constructor("tag:yaml.org,2002:int", _JSONConstructor.construct_yaml_int)
_JSONConstructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)

if yaml.__with_libyaml__:  # libyaml scans and parses in C; composing stays in Python, to count
    _Parser = (yaml.cyaml.CParser,)
else:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    _Parser = (Reader, Scanner, Parser)


class BoundedLoader(_BoundedComposer, *_Parser, _JSONConstructor, Resolver):
    def __init__(self, stream, *, max_nodes: int = MAX_VALUES, max_depth: int = MAX_NESTING):
        for base in _Parser:
            base.__init__(self, stream)
        Composer.__init__(self)
        _JSONConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_bounds(max_nodes, max_depth)


def load_yaml_documents(text: str, *, max_nodes: int = MAX_VALUES, max_depth: int = MAX_NESTING) -> list:
    """Every document of a YAML stream, as JSON-like values. Raises yaml.YAMLError (YAMLLimitError
    past the bounds), before any document is returned."""
    loader = BoundedLoader(text, max_nodes=max_nodes, max_depth=max_depth)
    try:
        documents = []
        while loader.check_data():
            documents.append(loader.get_data())
        return documents
    finally:
        loader.dispose()

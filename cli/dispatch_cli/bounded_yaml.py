"""Bundles read within bounds: a YAML stream is counted node by node (aliases at their expanded size)
while it is composed, before anything walks the result. The CLI refuses a hostile bundle file with it
on the user's machine; the server (dispatch_site.parsing) reads bundle bodies with the same loader.
"""

import math

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

MAX_NESTING = 100  # levels of lists and maps in one JSON body or YAML document
MAX_VALUES = 50_000  # of a JSON body or a YAML stream (keys count; a YAML alias counts what it repeats)


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

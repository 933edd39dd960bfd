"""Printing answers: a table that fits 80 columns, `-o wide`, `-o json` (`--json`) and `-o yaml`.

Table columns are generated from the kinds' records (name, applications, each single reference,
status) plus a few fields per kind that say what the thing is; `wide` adds the rest. rich lays the
tables out: one line per row, the widest columns clipped first (with …) until the table fits.
"""

import json
import sys

import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .nouns import NOUNS_BY_NAME, SYSTEM

WIDTH = 80

# Per kind, the fields that tell one from another in a list (besides name and references).
SUMMARY = {
    "application": ("description", "role"),
    "base-image": ("language", "docker_url"),
    "image": ("language",),
    "secret": ("keys",),
    "function": ("handler",),
    "api": ("methods", "uris"),
    "event-driver-type": ("image",),
    "event-driver": (),
    "subscription": ("topic",),
    "run": ("duration",),
}
WIDE = ("tags", "revision", "created", "modified")


def columns(kind_name: str | None, wide: bool) -> list[str]:
    if kind_name is None:  # a list of several kinds
        return ["kind", "name", "applications", "status"] + (list(WIDE) if wide else [])
    kind = NOUNS_BY_NAME.get(kind_name)
    found = ["name"]
    if kind is not None and kind.default_scope != SYSTEM:
        found.append("applications")
    if kind is not None:
        found += [ref.field for ref in kind.references if wide or not ref.many]
    found += SUMMARY.get(kind_name, ())
    found.append("status")
    if wide:
        found += WIDE
    return list(dict.fromkeys(found))


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, float):
        return f"{value:.3f}"
    text = str(value).replace("\n", " ")
    if len(text) >= 19 and text[4:5] == "-" and text[10:11] == "T":  # an ISO timestamp: to the minute
        return text[:16].replace("T", " ")
    return text


def table(items: list[dict], kind_name: str | None, wide: bool = False, headers=None) -> str:
    """The rows under upper-case titles, two spaces apart; clipped to 80 columns unless `wide`."""
    headers = headers or columns(kind_name, wide)
    grid = Table(box=None, padding=(0, 1), pad_edge=False)
    for header in headers:
        grid.add_column(_text(header.upper().replace("_", " ")))
    for item in items:
        grid.add_row(*(_text(cell(item.get(h))) for h in headers))
    console = Console(width=sys.maxsize if wide else WIDTH, color_system=None, highlight=False)
    with console.capture() as captured:
        console.print(grid)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def _text(value: str) -> Text:
    """A cell as plain text (no rich markup read into it), kept on one line and clipped with …."""
    return Text(value, no_wrap=True, overflow="ellipsis")


def render(data, mode: str, kind_name: str | None = None) -> str:
    """`data` is one object or a list; json/yaml print it as it came, tables print rows. A list of
    documents in YAML is a multi-document stream (`---` between them), which is what a bundle is."""
    if mode == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    if mode == "yaml":
        if isinstance(data, list) and data and all(isinstance(d, dict) and "kind" in d for d in data):
            return yaml.safe_dump_all(data, sort_keys=False, allow_unicode=True).rstrip("\n")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n")
    items = data if isinstance(data, list) else [data]
    if not items:
        return "No resources found."
    return table(items, kind_name, wide=mode == "wide")

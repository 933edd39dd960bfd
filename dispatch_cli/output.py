"""Printing answers: a table that fits 80 columns, `-o wide`, `-o json` (`--json`) and `-o yaml`.

Table columns are generated from the kind registry (name, applications, each single reference,
status) plus a few fields per kind that say what the thing is; `wide` adds the rest.
"""

import json

import yaml

from entities.kinds import KINDS_BY_NAME

WIDTH = 80
MIN_COLUMN = 6

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
    kind = KINDS_BY_NAME.get(kind_name)
    found = ["name"]
    if kind is not None and kind.default_scope != "system":
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
    headers = headers or columns(kind_name, wide)
    rows = [[cell(item.get(h)) for h in headers] for item in items]
    titles = [h.upper().replace("_", " ") for h in headers]
    widths = [max([len(t)] + [len(r[i]) for r in rows]) for i, t in enumerate(titles)]
    if not wide:
        widths = _fit(widths, WIDTH, [len(t) for t in titles])
    lines = [_line(titles, widths)] + [_line(r, widths) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _fit(widths: list[int], limit: int, floors: list[int]) -> list[int]:
    """Shrink the widest columns until the row, with gaps, fits the limit: first down to their
    titles' width with the name kept whole, then the name too, then anything down to MIN_COLUMN."""
    widths = list(widths)
    for floor, keep_name in ((floors, True), (floors, False), ([MIN_COLUMN] * len(widths), False)):
        while sum(widths) + 2 * (len(widths) - 1) > limit:
            candidates = [i for i in range(keep_name, len(widths)) if widths[i] > max(floor[i], MIN_COLUMN)]
            if not candidates:
                break
            widths[max(candidates, key=lambda i: widths[i])] -= 1
    return widths


def _line(values: list[str], widths: list[int]) -> str:
    return "  ".join(_clip(v, w).ljust(w) for v, w in zip(values, widths, strict=True))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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

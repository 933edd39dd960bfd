"""Documents: Dispatch's multi-document YAML read into Documents (checked for kind and name), the
kinds in the order they are applied, tags split into applications and labels, a document's fields
loaded into model fields, an entity written back as a document, and YAML written out.
"""

from dataclasses import dataclass
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from applications.models import Application
from dispatch_site import parsing
from entities import rules
from entities.kinds import KINDS, Kind, get_kind
from entities.models import Entity

from .fields import FIELDS, SHOWN_FIELDS, Context, as_text, camel

APPLICATION = "Application"
APPLICATION_TAG_KEYS = {"application", "app"}
# Fields Dispatch wrote in its own output; an exported bundle from it may hold them. Never imported.
READ_ONLY_KEYS = {"id", "status", "reason", "createdTime", "modifiedTime", "created", "modified", "revision"}
# Written by the original for its organizations' groups, which have no meaning here: accepted, ignored.
IGNORED_KEYS = {"groups"}
# Other names the original (or its users) gave to a field: `code: '@hello.py'`, `event-type: x`.
KEY_ALIASES = {"code": "source"}
APPLICATION_KEYS = ("description",)

# Bundle kinds in the order they are applied: applications first, then the registry's order.
BUNDLE_KINDS: dict[str, Kind] = {kind.bundle_kind: kind for kind in KINDS if kind.bundle_kind in FIELDS}
ORDER = [APPLICATION, *BUNDLE_KINDS]


@dataclass
class Document:
    """One YAML document of a bundle: its 1-based position in the file, kind, name and fields."""

    position: int
    kind: str
    name: str
    body: dict

    def describe(self) -> str:
        return f"Document {self.position} ({self.kind} '{self.name}')"


class BundleError(Exception):
    """A bundle that cannot be applied; names the document and carries the HTTP status to answer."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        errors: dict | None = None,
        document: Document | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors or {}
        self.document = document

    def as_dict(self) -> dict:
        body = {"code": self.status, "message": self.message, "errors": self.errors}
        if self.document is not None:
            where = self.document
            body["document"] = {"position": where.position, "kind": where.kind, "name": where.name}
        return body


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
        document = Document(position, str(kind or ""), str(name or ""), body)
        if kind not in ORDER:
            raise BundleError(
                f"Document {position} has unknown kind {kind!r}; use one of {', '.join(ORDER)}.",
                errors={"kind": [f"Unknown kind {kind!r}."]},
                document=document,
            )
        if not isinstance(name, str) or not name:
            raise BundleError(
                f"Document {position} ({kind}) has no name; give it one.",
                errors={"name": ["This field is required."]},
                document=document,
            )
        if (kind, name) in seen:
            raise BundleError(
                f"{document.describe()} repeats document {seen[kind, name]}; keep one.",
                errors={"name": ["Repeated in this bundle."]},
                document=document,
            )
        seen[kind, name] = position
        if rules.holds_nul(body):
            raise BundleError(f"{document.describe()}: {rules.NUL_MESSAGE}", document=document)
        documents.append(document)
    if not documents:
        raise BundleError("The bundle holds no documents; give at least one with kind and name.")
    return documents


def bundle_kind(word: Any) -> Any:
    """The bundle kind a document's `kind` names, in any case and by the registry's names too
    (`function`, `baseimage`, `base-image`, `driver-type`); other values as given."""
    if not isinstance(word, str):
        return word
    key = word.strip().lower()
    if key == APPLICATION.lower():
        return APPLICATION
    try:
        found = get_kind(key).bundle_kind  # every kind's words hold its bundle kind in lower case
    except KeyError:
        return word
    return found if found in ORDER else word


def in_order(documents: list[Document], reverse: bool = False) -> list[Document]:
    ordered = sorted(documents, key=lambda d: (ORDER.index(d.kind), d.position))
    return ordered[::-1] if reverse else ordered


def split_tags(document: Document) -> tuple[list[str] | None, list[str] | None]:
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
            labels.append(as_text(tag["label"]).strip())
            continue
        key, value = str(tag["key"]).strip(), tag.get("value")
        value = "" if value is None else as_text(value)
        if key.lower() in APPLICATION_TAG_KEYS:
            if not value:
                raise ValidationError({"tags": f"The '{key}' tag needs the application's name as its value."})
            applications.append(value)  # as written: "app-a\n" is not app-a
        else:
            value = value.strip()
            labels.append(f"{key}={value}" if value else key)
    return (applications or None), labels


def tags_of(entity: Any, *, with_applications: bool = True) -> list[dict]:
    tags = (
        [{"key": APPLICATION, "value": name} for name in entity.application_names()]
        if with_applications
        else []
    )
    for label in sorted(t.name for t in entity.tags.all()):
        key, _, value = label.partition("=")
        tags.append({"key": key, "value": value} if value else {"key": key})
    return tags


def load_fields(document: Document, ctx: Context) -> dict:
    specs = {spec.key: spec for spec in FIELDS[document.kind]}
    fields: dict = {}
    for key, value in document.body.items():
        if key in ("kind", "name", "tags") or key in READ_ONLY_KEYS or key in IGNORED_KEYS:
            continue
        spec = specs.get(key) or specs.get(KEY_ALIASES.get(key, camel(str(key))))
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


def document_of(kind: Kind, entity: Entity, ctx: Context) -> dict:
    document = {"kind": kind.bundle_kind, "name": entity.name}
    for spec in FIELDS.get(kind.bundle_kind) or SHOWN_FIELDS[kind.bundle_kind]:
        value = spec.dump(entity, ctx)
        if value is not None:
            document[spec.key] = value
    document["tags"] = tags_of(entity, with_applications=not kind.is_system)
    return document


def with_state(document: dict, entity: Entity | Application) -> dict:
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


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text (a function's source, a manifest) as a readable `|` block."""

    def represent_str(self, data: str) -> Any:
        style = "|" if "\n" in data else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump(documents: list[dict]) -> str:
    """Documents as multi-document YAML in Dispatch's layout (`---` between documents)."""
    return yaml.dump_all(
        documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False
    )

"""One valid sample of every kind, in each form a test sends it (issue 16): a factory's defaults, an API
payload, a page form's data, a bundle document and `dispatch create` arguments.

The own fields below, in the models' terms, are the one source; every other form is derived from them,
with the name, references and applications the calling test gives (they point into its own scene).
tests/test_samples.py proves that every form makes the same entity on its surface.
"""

import copy
import json
from pathlib import Path

from dispatch_cli.commands.create import (
    FORMS,
    NAME_AS_FLAG,
    key_value,
    package,
    read_json,
    read_source,
    read_text,
)
from entities.bundles.fields import FIELDS, Nested, Schema

# What a factory sets and a create sends besides the name, references and applications (with the
# defaults a browser posts from an untouched form).
OWN: dict[str, dict] = {
    "base-image": {"docker_url": "dispatchframework/python3-base:0.0.13", "language": "python3"},
    "image": {},
    "secret": {"values": {"password": "OpenSesame"}},
    "function": {
        "handler": "hello.handle",
        "source": "def handle(ctx, payload):\n    return {'myField': 'Hello'}\n",
        "timeout": 0,
    },
    "api": {"methods": ["POST"], "protocols": ["https"], "uris": ["/hello"], "authentication": "public"},
    "event-driver-type": {"image": "kars7e/timer:latest"},
    "event-driver": {"config": [{"key": "seconds", "value": "2"}]},
    "subscription": {"event_type": "ticker.tick"},
    "run": {"input": {"name": "Jon"}, "output": {"myField": "Hello, Jon"}},
}
# The other writable fields, each with a value unlike its default: what a full create adds.
MORE: dict[str, dict] = {
    "image": {
        "runtime_dependencies": "requests==2.32\n",
        "system_dependencies": [{"name": "curl", "version": "8.5"}],
    },
    "secret": {"values": {"username": "jon", "password": "s3cret"}},
    "function": {"schema_in": {"type": "object"}, "timeout": 30},
    "api": {"methods": ["GET", "POST"], "uris": ["/new"], "authentication": "basic"},
    "event-driver-type": {"config": [{"key": "seconds", "value": ""}]},  # a key the drivers fill
    "event-driver": {"config": [{"key": "seconds", "value": "5"}]},
}
KEY_VALUES = ("values", "config")  # pairs on a page form, a map or a list of {key, value} elsewhere


def own(kind_name: str, *, full: bool = False) -> dict:
    """The kind's own fields (a copy the caller may change); `full` adds every other writable one."""
    fields = copy.deepcopy(OWN[kind_name])
    if full:
        fields.update(copy.deepcopy(MORE.get(kind_name, {})))
    return fields


def held(kind, entity, fields=None) -> dict:
    """What a sample sets, as the entity holds it: own fields, references by name, applications."""
    entity = kind.model.objects.get(pk=entity.pk)
    fields = own(kind.name, full=True) if fields is None else fields
    found = {field: getattr(entity, field) for field in fields}
    for ref in kind.references:
        value = getattr(entity, ref.field)
        found[ref.field] = sorted(e.name for e in value.all()) if ref.many else value.name
    found["applications"] = entity.application_names()
    return found


def references(kind, name_of) -> dict:
    """The kind's references by name, `name_of(kind name)` naming the entity each points at."""
    return {ref.field: [name_of(ref.kind)] if ref.many else name_of(ref.kind) for ref in kind.references}


def payload(kind, name: str, references: dict | None = None, applications=None, *, full=False) -> dict:
    """What the API's create takes: the own fields, references by name (a list for many), and the
    applications when given (None: the kind's own rule decides, e.g. an API follows its function)."""
    body = {"name": name, **own(kind.name, full=full), **(references or {})}
    if applications is not None:
        body["applications"] = applications
    return body


def form_data(kind, name: str, references: dict | None = None, applications=None, *, full=False) -> dict:
    """A page's create form as a browser posts it: text lists one per line, JSON as text, key-value
    fields as parallel `-key`/`-value` lists, references and applications by name."""
    data: dict = {}
    for field, value in payload(kind, name, references, applications, full=full).items():
        if field in KEY_VALUES:
            pairs = (
                value.items() if isinstance(value, dict) else [(p["key"], p.get("value", "")) for p in value]
            )
            data[f"{field}-key"] = [key for key, _ in pairs]
            data[f"{field}-value"] = [value for _, value in pairs]
        elif field in (references or {}) or field in ("name", "applications"):
            data[field] = value
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            data[field] = "\n".join(value)
        elif isinstance(value, dict | list):
            data[field] = json.dumps(value)
        else:
            data[field] = str(value)
    return data


def document(kind, name: str, references: dict | None = None, applications=None, *, full=False) -> dict:
    """A bundle document in Dispatch's format: camelCase keys, a secret's values as `secrets`, nested
    maps for dependencies and schemas, applications as `Application` tags."""
    body = payload(kind, name, references, full=full)
    doc: dict = {"kind": kind.bundle_kind, "name": body.pop("name")}
    for field, value in body.items():
        key, inner = _bundle_place(kind, field)
        if inner is None:
            doc[key] = value
        else:
            doc.setdefault(key, {})[inner] = value
    if applications is not None:
        doc["tags"] = [{"key": "Application", "value": application} for application in applications]
    return doc


def _bundle_place(kind, field: str) -> tuple[str, str | None]:
    """Where the kind's bundle documents keep a model field (entities.bundles.fields): its key, and the
    key inside it when Dispatch nests it (`runtimeDependencies.manifest`, `schema.in`)."""
    spec = next(spec for spec in FIELDS[kind.bundle_kind] if field in spec.model_fields())
    if isinstance(spec, Schema):
        return spec.key, field.removeprefix("schema_")
    return spec.key, spec.inner if isinstance(spec, Nested) else None


def cli_args(kind, name: str, references: dict | None = None, *, folder: Path, full=False) -> list[str]:
    """`dispatch create KIND …` arguments, laid out by the CLI's own table of forms (positionals, then
    flags; the name first, or `--name` for the kinds the original CLI names so); what the CLI reads
    from a file is written into `folder`. The application is the CLI's `-a`, which the caller adds."""
    body = payload(kind, name, references, full=full)
    positionals, flags = [name], []
    if kind.name in NAME_AS_FLAG:
        positionals, flags = [], ["--name", name]
    for arg in FORMS[kind.name]:
        if arg.field not in body or arg.switch is not None or arg.boolean:
            continue
        values = body[arg.field] if arg.many else [body[arg.field]]
        texts = [_cli_text(arg, value, folder / f"{arg.dest}-{index}") for index, value in enumerate(values)]
        if arg.flag is None:
            positionals += texts
        else:
            flags += [word for text in texts for word in (arg.flag, text)]
    return ["create", kind.name, *positionals, *flags]


def _cli_text(arg, value, path: Path) -> str:
    """One value as the CLI takes it: a file for what it reads from one, else its text form."""
    if arg.read in (read_text, read_source):
        path.write_text(value)
        return str(path)
    if arg.read is read_json:
        path.write_text(json.dumps(value))
        return str(path)
    if arg.read is package:
        return f"{value['name']}={value['version']}"
    if arg.read is key_value:
        return f"{value['key']}={value.get('value', '')}"
    return str(value)

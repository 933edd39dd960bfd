"""`dispatch create KIND …` and `dispatch update KIND …`: each kind's arguments (FORMS, which the parser
turns into flags) and the body they make for the API."""

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from .. import sources
from ..errors import CLIError
from ..nouns import DERIVED_SCOPES, NOUNS_BY_NAME, SYSTEM, plural


def read_text(path: str) -> str:
    try:
        return Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise CLIError(f"Cannot read {path}: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}.") from None


def read_source(path: str) -> dict:
    """A function's source: a file's text, or a folder packed as a gzipped tar (base64)."""
    return sources.function_source(Path(path), "the command line")


def read_json(path: str):
    text = read_text(path)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CLIError(f"{path} is not valid JSON ({exc}); fix the file.") from None


def key_value(text: str) -> dict:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CLIError(f"'{text}' is not KEY=VALUE; write it as --set seconds=2.", exit_code=2)
    return {"key": key, "value": value}


def package(text: str) -> dict:
    name, _, version = text.partition("=")
    return {"name": name, "version": version}


@dataclass(frozen=True)
class Arg:
    """One argument of a create form: positional when `flag` is None (then `--<update>` on update)."""

    field: str  # the API's field
    dest: str
    help: str
    flag: str | None = None
    short: str | None = None
    update: str | None = None  # the flag that replaces a positional on update
    read: object = str  # converts the argument's text
    fields: bool = False  # `read` returns several fields (a function's source: text or folder)
    many: bool = False
    required: bool = False
    boolean: bool = False
    choices: tuple | None = None
    switch: object = None  # a flag without a value that sets the field to this (`--https-only`)


FORMS: dict[str, tuple[Arg, ...]] = {
    "application": (Arg("description", "description", "What the application is for.", flag="--description"),),
    "base-image": (
        Arg("docker_url", "url", "The image's Docker URL.", update="--url"),
        Arg(
            "language",
            "language",
            "python3, nodejs, powershell or java (nodejs6 … too); left out: told from the name or URL.",
            flag="--language",
        ),
    ),
    "image": (
        Arg("base_image", "base_image", "The base image's name.", update="--base-image"),
        Arg(
            "runtime_dependencies", "runtime_deps", "A manifest file.", flag="--runtime-deps", read=read_text
        ),
        Arg(
            "system_dependencies", "system_deps", "NAME=VERSION", flag="--system-dep", read=package, many=True
        ),
    ),
    "secret": (Arg("values", "file", "A JSON file of names and values.", update="--file", read=read_json),),
    "function": (
        Arg(
            "source",
            "path",
            "The source file, or folder (packed).",
            update="--path",
            read=read_source,
            fields=True,
        ),
        Arg("image", "image", "The image to run it in.", flag="--image", required=True),
        Arg("handler", "handler", "e.g. hello.handle", flag="--handler"),
        Arg("schema_in", "schema_in", "A JSON schema file.", flag="--schema-in", read=read_json),
        Arg("schema_out", "schema_out", "A JSON schema file.", flag="--schema-out", read=read_json),
        Arg("secrets", "secret", "A secret it reads (repeat).", flag="--secret", many=True),
        Arg("timeout", "timeout", "Milliseconds a run may take (0: default).", flag="--timeout", read=int),
    ),
    "api": (
        Arg("function", "function", "The function it calls.", update="--function"),
        Arg("methods", "method", "GET, POST, … (repeat).", flag="--method", short="-m", many=True),
        Arg("uris", "path", "A path such as /hello (repeat).", flag="--path", short="-p", many=True),
        Arg("hosts", "domain", "A host name (repeat).", flag="--domain", many=True),
        Arg("protocols", "protocol", "http or https (repeat).", flag="--protocol", many=True),
        Arg("protocols", "https_only", "Serve it over HTTPS only.", flag="--https-only", switch=["https"]),
        Arg(
            "authentication", "auth", "Who may call it.", flag="--auth", choices=("public", "basic", "oauth2")
        ),
        Arg("cors", "cors", "Allow cross-origin calls.", flag="--cors", boolean=True),
        Arg("enabled", "enabled", "Serve it.", flag="--enabled", boolean=True),
    ),
    "event-driver-type": (
        Arg("image", "image", "The driver's container image.", update="--image"),
        Arg("expose", "expose", "Expose the driver's port.", flag="--expose", boolean=True),
    ),
    "event-driver": (
        Arg("type", "type", "The event driver type.", update="--type"),
        Arg("config", "set", "KEY=VALUE configuration (repeat).", flag="--set", read=key_value, many=True),
        Arg("secrets", "secret", "A secret it reads (repeat).", flag="--secret", many=True),
        Arg("expose", "expose", "Expose the driver's port.", flag="--expose", boolean=True),
    ),
    "subscription": (
        Arg("function", "function", "The function the events go to.", update="--function"),
        Arg("event_type", "event_type", "e.g. ticker.tick", flag="--event-type", required=True),
        Arg("secrets", "secret", "A secret it passes (repeat).", flag="--secret", many=True),
    ),
}
# Kinds whose first positional is not the name (as in the original CLI); the name is a flag, made up
# from the first positional when left out.
NAME_AS_FLAG = ("subscription", "event-driver")


def form_body(args, kind_name: str, creating: bool) -> dict:
    body = {}
    for arg in FORMS[kind_name]:
        value = getattr(args, arg.dest, None)
        if value is None:
            continue
        if arg.many:
            body[arg.field] = [arg.read(v) for v in value]
        elif arg.boolean or arg.switch is not None:
            body[arg.field] = value
        elif arg.fields:
            body.update(arg.read(value))
        else:
            body[arg.field] = arg.read(value)
    if kind_name in NAME_AS_FLAG and creating:
        first = FORMS[kind_name][0]
        body["name"] = args.name or f"{getattr(args, first.dest)}-{uuid.uuid4().hex[:6]}"
    else:
        body["name"] = args.name
    if args.tags:
        body["tags"] = args.tags
    return body


def show(session, text: str, kind_name: str, name: str) -> None:
    """A confirmation; in json/yaml mode the entity's document instead, as `get` prints it."""
    if session.mode not in ("json", "yaml"):
        print(text, file=session.out)
        return
    found = session.documents(kind_name, {"name": name})  # names are unique per kind
    session.print(found[0] if found else {"kind": kind_name, "name": name})


def cmd_create(session) -> None:
    kind_name = session.args.kind_name
    body = form_body(session.args, kind_name, creating=True)
    if kind_name != "application" and session.settings.application:
        if NOUNS_BY_NAME[kind_name].default_scope not in (SYSTEM, *DERIVED_SCOPES):
            body["applications"] = [session.settings.application]
    created = session.client.json("POST", f"{plural(kind_name)}/", json=body)
    name = created.get("name", body["name"])
    show(session, f"Created {kind_name} '{name}'.", kind_name, name)


def cmd_update(session) -> None:
    kind_name = session.args.kind_name
    body = form_body(session.args, kind_name, creating=False)
    name = body.pop("name")
    params = {} if kind_name == "application" else session.app_params()
    if not body:
        raise CLIError(
            f"Say what to change in {kind_name} '{name}'; see `dispatch update {kind_name} --help`.",
            exit_code=2,
        )
    session.client.json("PATCH", f"{plural(kind_name)}/{name}/", json=body, params=params)
    show(session, f"Updated {kind_name} '{name}'.", kind_name, name)

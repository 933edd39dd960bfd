"""`dispatch`: get, create, update, delete and export Dispatch's resources through its REST API.

The verbs, nouns and flags follow the original Dispatch CLI (`dispatch get functions -a example-app`,
`dispatch create function NAME PATH --image I --handler H`, `dispatch create -f seed.yaml`). Nouns are
the kind registry's names, plurals and aliases. argparse (the standard library) parses the command
line: the client needs no dependency besides httpx and PyYAML.

Exit status: 0 on success; 1 for every refused command (the server refused or could not be reached,
a file could not be read, …); 2 only for a malformed command line. Every failure is one line on
stderr, with the HTTP status when there was an answer.

`-o json` and `-o yaml` print Dispatch's documents (camelCase fields, `tags: [{key, value}]`), the
shape bundles use, so `dispatch get function hello -o yaml | dispatch update -f -` applies back.
"""

import argparse
import getpass
import json
import os
import socket
import sys
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from entities.kinds import KINDS, KINDS_BY_NAME

from . import bundles, events, metrics, output, runs, sources
from .client import Client
from .config import resolve
from .errors import CLIError

APPLICATION_NOUNS = ("application", "applications", "app", "apps")
DERIVED = ("follows-function", "frozen")  # scopes whose applications come from the function
OUTPUTS = ("table", "wide", "json", "yaml")
SEED_IMAGES = "seed-images"


def nouns(kind) -> list[str]:
    """Every word that names a kind on the command line, its canonical name first."""
    return list(dict.fromkeys([kind.name, kind.plural, kind.model_name.lower(), *kind.aliases]))


def kind_for(noun: str) -> str:
    """The kind's name for a noun ('application' for applications); a usage error otherwise."""
    word = noun.strip().lower()
    if word in APPLICATION_NOUNS:
        return "application"
    for kind in KINDS:
        if word in nouns(kind):
            return kind.name
    raise CLIError(
        f"Unknown kind '{noun}'; use one of: application, {', '.join(k.name for k in KINDS)}.", exit_code=2
    )


def plural(kind_name: str) -> str:
    return "applications" if kind_name == "application" else KINDS_BY_NAME[kind_name].plural


# --- the arguments of `create` and `update`, per kind --------------------------------------------


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


def add_form(parser, kind_name: str, creating: bool) -> None:
    if creating and kind_name in NAME_AS_FLAG:
        parser.add_argument("--name", help="Its name (default: made up from the first argument).")
    else:
        parser.add_argument("name", metavar="NAME")
    for arg in FORMS[kind_name]:
        options = {"dest": arg.dest, "help": arg.help}
        if arg.flag is None and creating:
            parser.add_argument(arg.dest, metavar=arg.dest.upper(), help=arg.help)
            continue
        flags = [arg.flag or arg.update] + ([arg.short] if arg.short else [])
        if arg.switch is not None:
            options.update(action="store_const", const=arg.switch, default=None)
        elif arg.boolean:
            options.update(action=argparse.BooleanOptionalAction, default=None)
        elif arg.many:
            options.update(action="append", metavar=arg.dest.upper())
        else:
            options.update(metavar=arg.dest.upper(), choices=arg.choices, required=creating and arg.required)
        parser.add_argument(*flags, **options)
    parser.add_argument(
        "--tag", action="append", dest="tags", metavar="KEY=VALUE", help="A free label (repeat)."
    )


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


# --- the command line ----------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse that reports a wrong command line in one line (and exit status 2)."""

    def error(self, message):
        if "invalid choice" in message and self.prog.split()[-1] in ("create", "update", "delete"):
            word = message.split("invalid choice: ")[1].split(" ")[0].strip("'")
            message = f"unknown kind '{word}'; use one of: application, {', '.join(k.name for k in KINDS)}"
        raise CLIError(f"{self.prog}: {message}; see '{self.prog} --help'.", exit_code=2)


def common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options every command takes, anywhere on the line (defaults only on the top-level parser)."""
    default = argparse.SUPPRESS if suppress else None
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("connection and output")
    group.add_argument(
        "--host", default=default, help="The server, e.g. http://127.0.0.1:8000 (DISPATCH_HOST)."
    )
    group.add_argument("--token", default=default, help="An API token (DISPATCH_TOKEN).")
    group.add_argument("--context", default=default, help="A context of the config file.")
    group.add_argument(
        "-a", "--application", default=default, help="The application to work in (DISPATCH_APPLICATION)."
    )
    group.add_argument(
        "--all-applications",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="Every application you may see, whatever the current one is.",
    )
    group.add_argument(
        "-o", "--output", choices=OUTPUTS, default=default, help="table (default), wide, json, yaml."
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="Same as -o json.",
    )
    return parser


def build_parser() -> Parser:
    common = common_options(suppress=True)
    root = Parser(prog="dispatch", description=__doc__.split("\n\n")[0], parents=[common_options(False)])
    commands = root.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)

    get = commands.add_parser("get", parents=[common], help="List resources, or show one.")
    get.add_argument(
        "kind", nargs="?", metavar="KIND", help="e.g. functions, function, fn, apps, base-image."
    )
    get.add_argument("name", nargs="?", metavar="NAME", help="Its name; for `runs`, the function's.")
    get.add_argument(
        "run", nargs="?", metavar="RUN", help="`get runs FUNCTION RUN`: one run of the function."
    )
    get.add_argument(
        "--reveal", action="store_true", help="Secret values too (developers of the secret's application)."
    )
    metrics.add_arguments(get)
    get.set_defaults(command_handler=cmd_get)
    runs.add_exec(commands, common)

    for verb, help_text in (
        ("create", "Create a resource, or apply a bundle (-f)."),
        ("update", "Change a resource, or apply a bundle (-f)."),
        ("delete", "Delete a resource, or what a bundle names (-f)."),
    ):
        command = commands.add_parser(verb, parents=[common], help=help_text)
        command.add_argument(
            "-f",
            "--file",
            dest="bundle",
            metavar="FILE",
            help="A bundle: multi-document YAML in Dispatch's format; - reads standard input, "
            "http(s)://… fetches it.",
        )
        command.add_argument(
            "--work-dir",
            "-w",
            metavar="DIR",
            help="The folder that the bundle's paths (sourcePath, '@file') are relative to and may not "
            "leave (default: the bundle file's folder, or the current one).",
        )
        command.add_argument(
            "--dry-run",
            action="store_true",
            default=argparse.SUPPRESS,
            help="Show what would change; change nothing.",
        )
        command.add_argument(
            "--progress", action=argparse.BooleanOptionalAction, default=None, help="Progress bar."
        )
        command.set_defaults(command_handler=cmd_bundle_or_kind, verb=verb)
        kinds = command.add_subparsers(dest="kind", metavar="KIND", parser_class=Parser)
        for kind_name, words in [("application", list(APPLICATION_NOUNS))] + [
            (k.name, nouns(k)) for k in KINDS
        ]:
            if verb != "delete" and kind_name not in FORMS:
                continue  # runs are made by running a function, not here
            sub = kinds.add_parser(words[0], aliases=words[1:], parents=[common], help=f"{verb} {kind_name}")
            sub.set_defaults(kind_name=kind_name)
            if verb == "delete":
                sub.add_argument("name", metavar="NAME")
                if kind_name == "application":
                    sub.add_argument("--cascade", choices=("delete", "orphan"), default="delete")
                    sub.add_argument("--dry-run", action="store_true", help="Show the plan; delete nothing.")
            else:
                add_form(sub, kind_name, creating=verb == "create")
        if verb == "create":
            seed = kinds.add_parser(
                "seed-images",
                parents=[common],
                help="Create Dispatch's base images and images (its images.yaml), as the original did.",
            )
            seed.add_argument(
                "--dry-run", action="store_true", default=argparse.SUPPRESS, help="Change nothing."
            )
            seed.set_defaults(kind_name=SEED_IMAGES)

    events.add_parser(commands, common)

    export = commands.add_parser("export", parents=[common], help="Write an application as a bundle.")
    export.add_argument("kind", metavar="application", choices=APPLICATION_NOUNS)
    export.add_argument("name", metavar="NAME")
    export.add_argument(
        "--include-secret-values", action="store_true", help="Secret values in clear (application admins)."
    )
    export.set_defaults(command_handler=cmd_export)

    login = commands.add_parser("login", parents=[common], help="Get a token and keep it in the config file.")
    login.add_argument("--username", "-u")
    login.add_argument("--password", "-p", help="Asked for when left out.")
    login.set_defaults(command_handler=cmd_login)

    logout = commands.add_parser("logout", parents=[common], help="Forget the context's token.")
    logout.set_defaults(command_handler=cmd_logout)

    config = commands.add_parser(
        "config", parents=[common], help="Show or change the config file's contexts."
    )
    config.set_defaults(command_handler=cmd_config, action="view", target=None)
    actions = config.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.add_parser("view", parents=[common], help="The contexts (tokens hidden).")
    actions.add_parser("get-contexts", parents=[common], help="A table of the contexts.")
    for action, help_text in (
        ("use-context", "Make a context the current one."),
        ("set-context", "Create or change a context from --host, --token, -a."),
        ("delete-context", "Remove a context."),
    ):
        actions.add_parser(action, parents=[common], help=help_text).add_argument("target", metavar="NAME")
    use_app = actions.add_parser(
        "use-application", parents=[common], help="Set the current application (none: all applications)."
    )
    use_app.add_argument("target", metavar="NAME", nargs="?")
    return root


# --- commands ------------------------------------------------------------------------------------


class Session:
    """What a command needs: resolved settings, an API client, the output mode and the streams."""

    def __init__(self, args, out, err, stdin=None):
        self.args = args
        self.settings = resolve(args)
        self.out, self.err, self.stdin = out, err, stdin or sys.stdin
        self.mode = "json" if getattr(args, "json", False) else (getattr(args, "output", None) or "table")
        self._client = None

    @property
    def client(self) -> Client:
        if self._client is None:
            if not self.settings.token:
                raise CLIError(
                    "You are not logged in; run `dispatch login` or set DISPATCH_TOKEN.", exit_code=1
                )
            self._client = Client(self.settings.host, self.settings.token)
        return self._client

    def print(self, data, kind_name=None) -> None:
        print(output.render(data, self.mode, kind_name), file=self.out)

    def say(self, text: str, data=None) -> None:
        """A confirmation; in json/yaml mode the object instead."""
        if self.mode in ("json", "yaml") and data is not None:
            self.print(data)
        else:
            print(text, file=self.out)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _app_params(session) -> dict:
    app = session.settings.application
    return {"application": app} if app else {}


def _names_an_unknown_application(exc: CLIError) -> bool:
    """A 400 on the `application` filter: the name is no application the caller may see."""
    return exc.status == 400 and "application" in exc.errors


def documents(session, kind_name: str, params: dict) -> list[dict]:
    """One kind's entities as Dispatch documents (`GET bundles/?kind=`), filtered like its list."""
    return session.client.get_all("bundles/", {**params, "kind": kind_name})


def cmd_get(session) -> None:
    args, client = session.args, session.client
    shaped = session.mode in ("json", "yaml")  # Dispatch's documents; tables read the API's rows
    if args.kind is None:
        return get_everything(session, shaped)
    if args.kind.lower() in metrics.NOUNS:
        return metrics.cmd_get_metrics(session)
    kind_name = kind_for(args.kind)
    if kind_name == "application":
        path, params = "applications/", {}
    else:
        path, params = f"{plural(kind_name)}/", _app_params(session)
    if args.reveal:
        params["reveal"] = "true"
    name = args.name
    if kind_name == "run" and args.kind.strip().lower() == "runs" and name and not runs.is_run_id(name):
        params["function"] = name  # Dispatch's `get runs FUNCTION [RUN]`
        name = args.run
    elif args.run:
        raise CLIError(f"`get {args.kind}` takes one name; see `dispatch get --help`.", exit_code=2)
    try:
        if not name:
            items = documents(session, kind_name, params) if shaped else client.get_all(path, params)
            session.print(items, kind_name)
        elif shaped:
            found = documents(session, kind_name, {**params, "name": name})
            if not found:
                raise CLIError("", status=404)
            session.print(found[0], kind_name)
        else:
            session.print(client.json("GET", f"{path}{name}/", params=params), kind_name)
    except CLIError as exc:
        if name and (exc.status == 404 or _names_an_unknown_application(exc)):
            where = f" in application '{params['application']}'" if params.get("application") else ""
            exc.message, exc.status = f"{kind_name.capitalize()} '{name}' does not exist{where}.", 404
            raise
        if not name and _names_an_unknown_application(exc):
            session.print([], kind_name)  # as the original: no such application holds nothing
            return
        raise


def get_everything(session, shaped: bool) -> None:
    """`get -a APP` (every kind in it) and `get --all-applications` (everything one may see)."""
    application = session.settings.application
    if application:
        items = session.client.get_all(f"applications/{application}/entities/")
    elif getattr(session.args, "all_applications", False):
        items = session.client.get_all("entities/")
    else:
        raise CLIError(
            "Name a kind (e.g. `dispatch get functions`), or use -a APPLICATION or --all-applications.",
            exit_code=2,
        )
    if shaped:  # the same entities, each kind's read as documents
        found = {item["kind"] for item in items}
        params = {"application": application} if application else {}
        items = [doc for kind in KINDS if kind.name in found for doc in documents(session, kind.name, params)]
    session.print(items)


def cmd_bundle_or_kind(session) -> None:
    args = session.args
    if args.bundle:
        if args.kind:
            raise CLIError(f"Give either -f FILE or a kind to {args.verb}, not both.", exit_code=2)
        return apply_file(session)
    if not args.kind:
        raise CLIError(
            f"Name a kind to {args.verb} (e.g. `dispatch {args.verb} function …`) or -f FILE.", exit_code=2
        )
    if args.kind_name == SEED_IMAGES:
        return seed_images(session)
    {"create": cmd_create, "update": cmd_update, "delete": cmd_delete}[args.verb](session)


def show(session, text: str, kind_name: str, name: str) -> None:
    """A confirmation; in json/yaml mode the entity's document instead, as `get` prints it."""
    if session.mode not in ("json", "yaml"):
        print(text, file=session.out)
        return
    found = documents(session, kind_name, {"name": name})  # names are unique per kind
    session.print(found[0] if found else {"kind": kind_name, "name": name})


def cmd_create(session) -> None:
    kind_name = session.args.kind_name
    body = form_body(session.args, kind_name, creating=True)
    if kind_name != "application" and session.settings.application:
        kind = KINDS_BY_NAME[kind_name]
        if kind.default_scope not in ("system", *DERIVED):
            body["applications"] = [session.settings.application]
    created = session.client.json("POST", f"{plural(kind_name)}/", json=body)
    name = created.get("name", body["name"])
    show(session, f"Created {kind_name} '{name}'.", kind_name, name)


def cmd_update(session) -> None:
    kind_name = session.args.kind_name
    body = form_body(session.args, kind_name, creating=False)
    name = body.pop("name")
    params = {} if kind_name == "application" else _app_params(session)
    if not body:
        raise CLIError(
            f"Say what to change in {kind_name} '{name}'; see `dispatch update {kind_name} --help`.",
            exit_code=2,
        )
    session.client.json("PATCH", f"{plural(kind_name)}/{name}/", json=body, params=params)
    show(session, f"Updated {kind_name} '{name}'.", kind_name, name)


def cmd_delete(session) -> None:
    args, kind_name = session.args, session.args.kind_name
    if kind_name == "application":
        params = {"cascade": args.cascade}
        if args.dry_run:
            params["dry_run"] = "true"
        plan = session.client.json("DELETE", f"applications/{args.name}/", params=params)
        if session.mode in ("json", "yaml") or not isinstance(plan, dict):
            session.print(plan)
            return
        verb = "Would delete" if args.dry_run else "Deleted"
        lines = [f"{verb} application '{args.name}' (cascade={args.cascade})."]
        lines += [f"  delete {e['kind']} '{e['name']}'" for e in plan.get("deleted", [])]
        lines += [f"  untag {e['kind']} '{e['name']}'" for e in plan.get("untagged", [])]
        print("\n".join(lines), file=session.out)
        return
    session.client.json("DELETE", f"{plural(kind_name)}/{args.name}/", params=_app_params(session))
    session.say(
        f"Deleted {kind_name} '{args.name}'.", {"kind": kind_name, "name": args.name, "deleted": True}
    )


def apply_file(session) -> None:
    """`create|update|delete -f FILE|-|URL`: the bundle in one request, so it applies all or nothing."""
    args = session.args
    text, count = bundles.read(
        args.bundle, progress=args.progress, stream=session.err, work_dir=args.work_dir, stdin=session.stdin
    )
    label = "standard input" if args.bundle == "-" else Path(args.bundle).name
    send_bundle(session, text, count, label)


def seed_images(session) -> None:
    """`create seed-images`: Dispatch's images.yaml, shipped with this package, as a bundle."""
    text = resources.files("entities").joinpath("demo/images.yaml").read_text()
    send_bundle(session, text, text.count("kind:"), "images.yaml")


def send_bundle(session, text: str, count: int, label: str) -> None:
    args = session.args
    enabled = bundles.show_progress(count, getattr(args, "progress", None), session.err)
    params = _app_params(session) if args.verb != "delete" else {}
    if getattr(args, "dry_run", False):
        params["dry_run"] = "true"
    if args.verb == "update":
        params["must_exist"] = "true"  # as the original: updating what does not exist fails
    body = text.encode("utf-8")
    report = session.client.json(
        "DELETE" if args.verb == "delete" else "POST",
        "bundles/",
        params=params,
        content=bundles.upload(body, f"Sending {label}", enabled, session.err),
        headers={"Content-Type": "application/yaml", "Content-Length": str(len(body))},
    )
    if session.mode in ("json", "yaml"):
        session.print(report)
        return
    lines = [f"{r['kind']} '{r['name']}' {r['action']}" for r in report["results"]]
    summary = ", ".join(f"{n} {action}" for action, n in report["counts"].items())
    lines.append(f"{'Dry run, nothing changed: ' if report['dry_run'] else ''}{summary}.")
    print("\n".join(lines), file=session.out)


def cmd_export(session) -> None:
    args = session.args
    params = {"include_secret_values": "true"} if args.include_secret_values else {}
    if session.mode == "json":
        session.print(session.client.json("GET", f"applications/{args.name}/export/", params=params))
        return
    response = session.client.request(
        "GET", f"applications/{args.name}/export/", params=params, headers={"Accept": "application/yaml"}
    )
    session.out.write(response.text)


def cmd_login(session) -> None:
    args, settings = session.args, session.settings
    username = args.username or input("Username: ")
    password = args.password if args.password is not None else getpass.getpass("Password: ")
    client = Client(settings.host)
    try:
        answer = client.json(
            "POST",
            "auth/token",
            json={
                "username": username,
                "password": password,
                "name": f"dispatch CLI on {socket.gethostname()}"[:100],
            },
        )
    finally:
        client.close()
    config = settings.config
    config.update_context(settings.context, host=settings.host, token=answer["token"])
    if args.application:
        config.update_context(settings.context, application=args.application)
    config.data["current-context"] = settings.context
    config.save()
    print(f"Logged in to {settings.host} as {username} (context '{settings.context}').", file=session.out)


def cmd_logout(session) -> None:
    settings = session.settings
    context = settings.config.contexts.get(settings.context)
    if not context or "token" not in context:
        print(f"Not logged in (context '{settings.context}').", file=session.out)
        return
    settings.config.update_context(settings.context, token=None)
    settings.config.save()
    print(
        f"Logged out of {context.get('host', settings.host)} (context '{settings.context}').",
        file=session.out,
    )


def cmd_config(session) -> None:
    args, config = session.args, session.settings.config
    action, target = args.action or "view", args.target
    if action == "view":
        shown = json.loads(json.dumps(config.data))
        for context in shown["contexts"].values():
            if context.get("token"):
                context["token"] = context["token"][:4] + "…"
        mode = session.mode if session.mode in ("json", "yaml") else "yaml"
        print(output.render(shown, mode), file=session.out)
        return
    if action == "get-contexts":
        rows = [
            {"current": "*" if name == config.current else "", "name": name, **ctx}
            for name, ctx in sorted(config.contexts.items())
        ]
        if session.mode in ("json", "yaml"):
            session.print(rows)
        else:
            for row in rows:
                row["logged_in"] = bool(row.pop("token", None))
            print(
                output.table(rows, None, headers=("current", "name", "host", "application", "logged_in")),
                file=session.out,
            )
        return
    if action == "use-context":
        if target not in config.contexts:
            raise CLIError(f"Context '{target}' does not exist; see `dispatch config get-contexts`.")
        config.data["current-context"] = target
        message = f"Switched to context '{target}'."
    elif action == "set-context":
        config.update_context(
            target, host=args.host or None, token=args.token or None, application=args.application or None
        )
        message = f"Context '{target}' set."
    elif action == "delete-context":
        if config.contexts.pop(target, None) is None:
            raise CLIError(f"Context '{target}' does not exist; see `dispatch config get-contexts`.")
        message = f"Deleted context '{target}'."
    else:  # use-application
        name = session.settings.context
        config.update_context(name, application=target or None)
        config.data["current-context"] = name
        message = (
            f"Current application: '{target}' (context '{name}')."
            if target
            else f"No current application: commands see all applications (context '{name}')."
        )
    config.save()
    print(message, file=session.out)


def main(argv: list[str] | None = None, out=None, err=None, stdin=None) -> int:
    """Run one command; the exit status is the return value (the console script exits with it)."""
    out, err = out or sys.stdout, err or sys.stderr
    session = None
    try:
        args = build_parser().parse_args(argv)
        session = Session(args, out, err, stdin)
        args.command_handler(session)
        return 0
    except CLIError as exc:
        print(f"error: {exc}", file=err)
        return exc.exit_code
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("error: interrupted.", file=err)
        return 130
    except BrokenPipeError:  # `dispatch get … | head`: the reader has gone, which is no error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if session is not None:
            session.close()


if __name__ == "__main__":
    sys.exit(main())

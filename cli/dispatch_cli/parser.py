"""The command line of `dispatch`, parsed with argparse (the standard library).

The verbs, nouns and flags follow the original Dispatch CLI (`dispatch get functions -a example-app`,
`dispatch create function NAME PATH --image I --handler H`, `dispatch create -f seed.yaml`). Nouns are
the kinds' names, plurals and aliases (dispatch_cli.nouns). Each command's parser names its handler
(`command_handler`), a `cmd_*` function of dispatch_cli.commands.
"""

import argparse

from .commands import emit
from .commands.apply import SEED_IMAGES, cmd_bundle_or_kind, cmd_export
from .commands.create import FORMS, NAME_AS_FLAG
from .commands.emit import cmd_emit
from .commands.execute import cmd_exec
from .commands.get import cmd_get
from .commands.login import cmd_config, cmd_login, cmd_logout
from .errors import CLIError
from .nouns import APPLICATION_NOUNS, NOUNS, names

DESCRIPTION = "`dispatch`: get, create, update, delete and export Dispatch's resources through its REST API."
OUTPUTS = ("table", "wide", "json", "yaml")


class Parser(argparse.ArgumentParser):
    """argparse that reports a wrong command line in one line (and exit status 2)."""

    def error(self, message):
        if "invalid choice" in message and self.prog.split()[-1] in ("create", "update", "delete"):
            word = message.split("invalid choice: ")[1].split(" ")[0].strip("'")
            message = f"unknown kind '{word}'; use one of: {names()}"
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
    root = Parser(prog="dispatch", description=DESCRIPTION, parents=[common_options(False)])
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
    add_metrics_arguments(get)
    get.set_defaults(command_handler=cmd_get)
    add_exec(commands, common)

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
            (noun.name, noun.words) for noun in NOUNS
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

    add_emit(commands, common)

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


def add_exec(commands, common) -> None:
    command = commands.add_parser("exec", parents=[common], help="Run a function and print the run.")
    command.add_argument("function", metavar="FUNCTION")
    command.add_argument("--wait", action="store_true", help="Wait for the run to finish.")
    command.add_argument("--input", default=None, help='The payload, as JSON: --input \'{"name": "Jon"}\'.')
    command.add_argument(
        "--secret", dest="secrets", action="append", default=[], metavar="SECRET", help="A secret (repeat)."
    )
    command.set_defaults(command_handler=cmd_exec)


def add_emit(commands, common) -> None:
    command = commands.add_parser(
        "emit",
        parents=[common],
        help="Emit an event into an application.",
        description=emit.__doc__.split("\n\n")[0],
    )
    command.add_argument("event_type", metavar="TYPE", help="The event type, e.g. build.failed.")
    command.add_argument("--data", help="The payload: JSON when --content-type is JSON (the default).")
    command.add_argument("--data-from-file", metavar="FILE", help="Read the payload from a file.")
    command.add_argument("--content-type", default="application/json", help="The payload's media type.")
    command.add_argument("--event-id", help="The event's id (default: a new UUID).")
    command.add_argument("--source-id", default="dispatch", help="The event's source (default: dispatch).")
    command.set_defaults(command_handler=cmd_emit)


def add_metrics_arguments(parser) -> None:
    """The options of `get` that only metrics use."""
    group = parser.add_argument_group("metrics")
    group.add_argument(
        "--range", dest="metrics_range", choices=("1h", "24h", "7d"), help="Window (default 1h)."
    )
    group.add_argument(
        "--since", dest="metrics_since", help="Window start, ISO 8601 (e.g. 2026-12-01T03:00Z)."
    )
    group.add_argument("--until", dest="metrics_until", help="Window end, ISO 8601 (default now).")
    group.add_argument("--step", dest="metrics_step", choices=("1m", "1h", "1d"), help="Bucket size.")

"""`dispatch login`, `logout` and `config …`: the tokens and contexts of the config file
(dispatch_cli.config)."""

import getpass
import json
import socket

from .. import output
from ..client import Client
from ..errors import CLIError


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

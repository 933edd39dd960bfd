"""`dispatch get KIND [NAME]`, `get -a APP` and `get --all-applications`: tables read the API's rows,
-o json|yaml print Dispatch's documents (the shape bundles use)."""

from ..errors import CLIError
from ..nouns import NOUNS, kind_for, plural
from . import execute, metrics


def _names_an_unknown_application(exc: CLIError) -> bool:
    """A 400 on the `application` filter: the name is no application the caller may see."""
    return exc.status == 400 and "application" in exc.errors


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
        path, params = f"{plural(kind_name)}/", session.app_params()
    if args.reveal:
        params["reveal"] = "true"
    name = args.name
    if kind_name == "run" and args.kind.strip().lower() == "runs" and name and not execute.is_run_id(name):
        params["function"] = name  # Dispatch's `get runs FUNCTION [RUN]`
        name = args.run
    elif args.run:
        raise CLIError(f"`get {args.kind}` takes one name; see `dispatch get --help`.", exit_code=2)
    try:
        if not name:
            items = session.documents(kind_name, params) if shaped else client.get_all(path, params)
            session.print(items, kind_name)
        elif shaped:
            found = session.documents(kind_name, {**params, "name": name})
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
        items = [doc for noun in NOUNS if noun.name in found for doc in session.documents(noun.name, params)]
    session.print(items)

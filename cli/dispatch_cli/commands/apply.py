"""`dispatch create|update|delete -f FILE|-|URL` (a bundle, applied in one request: all or nothing),
`create seed-images` and `export application NAME`."""

from importlib import resources
from pathlib import Path

from .. import bundles
from ..errors import CLIError
from . import create, delete

SEED_IMAGES = "seed-images"


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
    commands = {"create": create.cmd_create, "update": create.cmd_update, "delete": delete.cmd_delete}
    commands[args.verb](session)


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
    text = resources.files("dispatch_cli").joinpath("images.yaml").read_text()
    send_bundle(session, text, text.count("kind:"), "images.yaml")


def send_bundle(session, text: str, count: int, label: str) -> None:
    args = session.args
    enabled = bundles.show_progress(count, getattr(args, "progress", None), session.err)
    params = session.app_params() if args.verb != "delete" else {}
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

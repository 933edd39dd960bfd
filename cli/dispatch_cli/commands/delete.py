"""`dispatch delete KIND NAME`; an application's delete cascades (or orphans) and can be a dry run."""

from ..nouns import plural


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
    session.client.json("DELETE", f"{plural(kind_name)}/{args.name}/", params=session.app_params())
    session.say(
        f"Deleted {kind_name} '{args.name}'.", {"kind": kind_name, "name": args.name, "deleted": True}
    )

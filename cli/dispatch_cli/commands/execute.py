"""`dispatch exec FUNCTION`: running functions, as Dispatch's CLI did.

`exec` starts a run through POST /api/v1/functions/{name}/runs/ and prints the run as JSON (or -o
yaml): at once, INITIALIZED, without --wait; finished with --wait. A run that ended in ERROR is
printed too, and the exit status is then 1.
"""

import json
import uuid

from .. import output
from ..errors import CLIError

FAILED = (422, 502, 503)  # the run was made and ended in ERROR: its body is the run


def parse_input(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        message = f"--input is not valid JSON ({exc}); quote it, e.g. --input '{{\"a\": 1}}'."
        raise CLIError(message, exit_code=2) from None


def cmd_exec(session) -> None:
    args = session.args
    body = {"input": parse_input(args.input), "blocking": bool(args.wait), "secrets": args.secrets}
    response = session.client.request(
        "POST", f"functions/{args.function}/runs/", json=body, params=session.app_params(), accept=FAILED
    )
    run = response.json()
    mode = session.args.output if session.args.output in ("yaml", "json") else "json"
    print(output.render(run, mode), file=session.out)
    if response.status_code in FAILED:
        error = run.get("error") or {}
        raise CLIError(f"The run ended with {error.get('type', 'an error')}: {error.get('message', '')}")


def is_run_id(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True

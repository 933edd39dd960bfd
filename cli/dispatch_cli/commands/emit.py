"""`dispatch emit TYPE --data JSON -a APP`: emit an event, with Dispatch's flags.

The event goes to POST /api/v1/events/ as a CloudEvents 1.0 structured JSON document; the server
stores it and starts a run for each subscription of `<application>.<TYPE>`.
"""

import json
import uuid
from pathlib import Path

from ..errors import CLIError

JSON_TYPES = ("application/json", "text/json")


def _payload(args):
    if args.data is not None and args.data_from_file:
        raise CLIError("Give the payload with --data or --data-from-file, not both.", exit_code=2)
    text = args.data
    if args.data_from_file:
        try:
            text = Path(args.data_from_file).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise CLIError(
                f"Cannot read {args.data_from_file}: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}."
            ) from None
    if text is None:
        return None
    if args.content_type.split(";")[0].strip().lower() in JSON_TYPES or args.content_type.endswith("+json"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise CLIError(f"The payload is not valid JSON ({exc}); fix it or set --content-type.") from None
    return text


def cmd_emit(session) -> None:
    args = session.args
    event = {
        "specversion": "1.0",
        "type": args.event_type,
        "id": args.event_id or str(uuid.uuid4()),
        "source": args.source_id,
        "datacontenttype": args.content_type,
    }
    data = _payload(args)
    if data is not None:
        event["data"] = data
    stored = session.client.json(
        "POST",
        "events/",
        params=session.app_params(),
        content=json.dumps(event),
        headers={"Content-Type": "application/cloudevents+json"},
    )
    runs = stored.get("runs") or []
    session.say(
        f"Emitted event {stored['id']} to {stored['topic']}; it started {len(runs)} run(s)"
        + (f": {', '.join(run['name'] for run in runs)}." if runs else "."),
        stored,
    )

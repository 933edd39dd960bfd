"""HTTP requests into CloudEvents, with the `cloudevents` package doing the reading.

Three forms are accepted: CloudEvents 1.0 structured JSON (`specversion`, `id`, `source`, `type`, …),
binary mode (`ce-*` headers, the body is the data), and the field names of Dispatch's 0.1 events
(`eventType`, `eventID`, `cloudEventsVersion`, …), which are renamed to 1.0 attributes and then read
by the same package, so that every form is validated by one implementation of the spec.
"""

import json
from typing import Any

from cloudevents.core.bindings.http import HTTPMessage, from_http
from cloudevents.core.exceptions import BaseCloudEventException, CloudEventValidationError
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from django.core.exceptions import ValidationError

# Dispatch 0.1's field names and the 1.0 attributes they became.
DISPATCH_NAMES = {
    "eventType": "type",
    "eventID": "id",
    "eventTime": "time",
    "contentType": "datacontenttype",
    "schemaURL": "dataschema",
    "eventTypeVersion": "eventtypeversion",
}
DISPATCH_ONLY = {"cloudEventsVersion", "namespace", "extensions", *DISPATCH_NAMES}


def _refusal(exc: Exception) -> ValidationError:
    if isinstance(exc, CloudEventValidationError):
        return ValidationError(
            {name: [str(error) for error in errors] for name, errors in exc.errors.items()}
        )
    return ValidationError(f"The event is not a valid CloudEvent: {exc}.")


def from_dispatch(document: dict) -> dict:
    """A Dispatch 0.1 event as CloudEvents 1.0 structured JSON (its extensions become attributes)."""
    event = {DISPATCH_NAMES.get(key, key): value for key, value in document.items() if key in DISPATCH_NAMES}
    for key in ("source", "data", "subject"):
        if key in document:
            event[key] = document[key]
    extensions = document.get("extensions") or {}
    if not isinstance(extensions, dict):
        raise ValidationError({"extensions": ["Give extensions as an object of names to values."]})
    for name, value in extensions.items():
        event.setdefault(str(name).lower(), value)
    event["specversion"] = "1.0"
    return event


def is_dispatch(document) -> bool:
    return (
        isinstance(document, dict) and "specversion" not in document and bool(DISPATCH_ONLY & set(document))
    )


def read(*, headers: dict[str, str], body: bytes) -> CloudEvent:
    """The CloudEvent an HTTP request carries; ValidationError naming what is wrong otherwise."""
    headers = {key.lower(): value for key, value in headers.items()}
    binary = any(key.startswith("ce-") for key in headers)
    if not binary:
        try:
            document = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ValidationError("The body is not valid JSON; send a CloudEvent as a JSON object.") from None
        if not isinstance(document, dict):
            raise ValidationError("Send the event as a JSON object with 'type', 'source' and 'id'.")
        if is_dispatch(document):
            document = from_dispatch(document)
        document.setdefault("specversion", "1.0")
        if "time" in document and not isinstance(document["time"], str):
            raise ValidationError({"time": ["Give the time as an RFC 3339 string."]})
        body = json.dumps(document).encode()
        headers = {"content-type": JSONFormat.CONTENT_TYPE}
    try:
        return from_http(HTTPMessage(headers=headers, body=body or b""), JSONFormat(), CloudEvent)
    except (BaseCloudEventException, ValueError, TypeError, OverflowError) as exc:
        raise _refusal(exc) from None


def make(*, type: str, source: str, data: Any = None, **attributes) -> CloudEvent:
    """A new CloudEvent from the server's own parts (drivers, webhooks); id and time are generated."""
    try:
        return CloudEvent({"type": type, "source": source, **attributes}, data)
    except BaseCloudEventException as exc:
        raise _refusal(exc) from None

"""The HTTP status of every domain error, declared once for the API, the pages, the admin and the gateway.

Each surface answers in its own shape (the API's JSON error body, a page's template, the gateway's JSON),
but with the status found here, so that the same refusal never reads as a 404 on one surface and a 400
on another. Dependencies point one way: this module imports the error classes (`applications.exceptions`,
`dispatch_site.parsing`, Django's) and nothing imports back into it from below.

A run's own error types have their status here too. A `SystemError` (the platform failed to run the
function: no worker, a sandbox that died) is 503 on the API and the gateway alike: the fault is ours and
temporary, so the caller should retry later, which 503 says and 500 does not.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404

from applications.exceptions import NotFound, QuotaExceeded, StaleRevision

from .parsing import ParseError

STATUS_OF_ERROR: dict[type[Exception], int] = {
    ValidationError: 400,
    ParseError: 400,  # a query flag or id that does not parse
    PermissionDenied: 403,
    NotFound: 404,
    Http404: 404,
    StaleRevision: 409,
    QuotaExceeded: 429,
}

# a run's `error_type` -> the status of the answer that carries it
STATUS_OF_RUN_ERROR: dict[str, int] = {"InputError": 422, "FunctionError": 502, "SystemError": 503}

RETRY_AFTER_QUOTA = "60"  # seconds: a quota counts runs per minute


def status_of(exc: BaseException) -> int | None:
    """The status of a domain error (its nearest class in the map), None for any other exception."""
    for cls in type(exc).__mro__:
        if cls in STATUS_OF_ERROR:
            return STATUS_OF_ERROR[cls]
    return None


def add_service_errors(form, exc: ValidationError, *, field_names: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form of a page or of the admin: each message on the field
    it names, the rest above the form, prefixed with the name the service used so that it still says
    which thing is wrong. `field_names` maps a service's field name to the form's (`values` is the
    admin's `new_values`)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        name = (field_names or {}).get(field, field)
        if name in form.fields and name != NON_FIELD_ERRORS:
            form.add_error(name, messages)
        elif field == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            form.add_error(None, [f"{field}: {message}" for message in messages])

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

# What a surface shows its user as a refusal of what they asked (beside their form, in a message), not as a
# failure of the site: the services' refusals and an input that does not parse.
REFUSALS = (ValidationError, ParseError, PermissionDenied, NotFound, StaleRevision)

# a run's `error_type` -> the status of the answer that carries it
STATUS_OF_RUN_ERROR: dict[str, int] = {"InputError": 422, "FunctionError": 502, "SystemError": 503}

RETRY_AFTER_QUOTA = "60"  # seconds: a quota counts runs per minute


def status_of(exc: BaseException) -> int | None:
    """The status of a domain error (its nearest class in the map), None for any other exception."""
    for cls in type(exc).__mro__:
        if cls in STATUS_OF_ERROR:
            return STATUS_OF_ERROR[cls]
    return None


def reason_of(exc: BaseException) -> str:
    """One readable sentence from a domain error, whatever its type."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You are not allowed to do this."


def page_status(exc: BaseException) -> int:
    """The status of a page that shows one of the REFUSALS beside its form. Something the user may not
    see is raised as a 404 instead, as it is everywhere: a refusal must not confirm that it exists."""
    status = status_of(exc)
    if status == 404:
        raise Http404(reason_of(exc)) from None
    assert status is not None, "page_status is for the REFUSALS, which all have a status"
    return status


def refuse_form(form, exc: BaseException, *, field_names: dict[str, str] | None = None) -> int:
    """Put a refusal on a page's form and return the page's status (page_status)."""
    status = page_status(exc)
    add_refusal(form, exc, field_names=field_names)
    return status


def add_refusal(form, exc: BaseException, *, field_names: dict[str, str] | None = None) -> None:
    """A refusal on a form: a ValidationError's messages on their fields, any other above the form."""
    if isinstance(exc, ValidationError):
        add_service_errors(form, exc, field_names=field_names)
    else:
        form.add_error(None, reason_of(exc))


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

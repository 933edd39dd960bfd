"""One JSON error shape for every status under /api/: {"code", "message", "errors"}.

DRF's own exceptions, the domain's (Django's ValidationError and PermissionDenied, NotFound,
StaleRevision) and the 404/500 that Django answers outside DRF all come out the same way, so a
script needs one error parser and the CLI can print `message` as its one-line error.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from applications.exceptions import NotFound, QuotaExceeded, StaleRevision
from dispatch_site import parsing
from dispatch_site.errors import RETRY_AFTER_QUOTA, status_of

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"

DEFAULT_MESSAGES = {
    400: "The request is malformed.",
    401: "Sign in first: send 'Authorization: Token <key>' or use a session.",
    403: "You may not do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    406: "The requested response format is not available; ask for application/json.",
    409: "The resource has changed meanwhile; read it again and repeat your change.",
    413: "The body is too large; send less at a time.",
    412: "The resource has changed since the ETag you sent; read it again and repeat your change.",
    415: "Send the body as JSON (Content-Type: application/json).",
    429: "Too many requests; wait and try again.",
    500: "The server failed to answer; the error has been logged.",
}


class PreconditionFailed(exceptions.APIException):
    """If-Match named an older revision than the stored one (the header form of a stale revision)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = DEFAULT_MESSAGES[412]
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = DEFAULT_MESSAGES[409]
    default_code = "conflict"


def error_body(code: int, message: str, errors: dict | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or {}}


def _flatten(detail, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field": [...], "system_dependencies.1.name": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for sub, messages in _flatten(value, f"{path}.{key}" if path else str(key)).items():
                flat.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            if detail:
                flat.setdefault(path or NON_FIELD, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item in ({}, [], None, ""):
                    continue  # a list of nested objects reports only the ones with errors
                for sub, messages in _flatten(item, f"{path}.{index}" if path else str(index)).items():
                    flat.setdefault(sub, []).extend(messages)
    else:
        flat.setdefault(path or NON_FIELD, []).append(str(detail))
    return flat


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """Django's ValidationError as field errors; errors without a field go under non_field_errors."""
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD: list(exc.messages)}


def validation_message(errors: dict[str, list[str]]) -> str:
    """One sentence that a CLI can print: the first error of each field."""
    parts = [
        messages[0] if field == NON_FIELD else f"{field}: {messages[0]}"
        for field, messages in errors.items()
        if messages
    ]
    if not parts:
        return DEFAULT_MESSAGES[400]
    if len(parts) == 1:
        return parts[0]
    return "Invalid input: " + " ".join(p if p.endswith(".") else p + "." for p in parts)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER. Anything not handled here propagates to Django's handler500."""
    headers = {}
    code = status_of(exc)  # a domain error: its status from the one map, its body from here
    if isinstance(exc, DjangoValidationError):
        found = django_errors(exc)
        return _respond(code, validation_message(found), found)
    if isinstance(exc, parsing.ParseError):
        return _respond(code, str(exc), {exc.field or NON_FIELD: [str(exc)]})
    if isinstance(exc, StaleRevision):
        return _respond(code, str(exc), {"revision": [str(exc)]})
    if isinstance(exc, QuotaExceeded):
        return _respond(code, str(exc), headers={"Retry-After": RETRY_AFTER_QUOTA})
    if isinstance(exc, NotFound | Http404):
        message = str(exc) if isinstance(exc, NotFound) and str(exc) else DEFAULT_MESSAGES[404]
        return _respond(code, message)
    if isinstance(exc, DjangoPermissionDenied):
        return _respond(code, str(exc) or DEFAULT_MESSAGES[403])
    if not isinstance(exc, exceptions.APIException):
        return None

    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return _respond(code, validation_message(errors), errors, headers)
    if isinstance(exc, exceptions.ParseError):
        return _respond(code, _sentence(exc.detail), {NON_FIELD: [_sentence(exc.detail)]}, headers)
    if isinstance(exc, exceptions.NotAuthenticated):
        return _respond(code, DEFAULT_MESSAGES[401], headers=headers)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _respond(code, f"{_sentence(exc.detail)[:-1]}; {DEFAULT_MESSAGES[415]}", headers=headers)
    if isinstance(exc, exceptions.NotFound):
        return _respond(code, _sentence(exc.detail) or DEFAULT_MESSAGES[404], headers=headers)
    detail = exc.detail
    if isinstance(detail, dict | list):
        errors = _flatten(detail)
        return _respond(code, validation_message(errors), errors, headers)
    return _respond(code, _sentence(detail) or DEFAULT_MESSAGES.get(code, "Error."), headers=headers)


def _sentence(text) -> str:
    text = str(text).strip()
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def _respond(code: int, message: str, errors: dict | None = None, headers=None) -> Response:
    set_rollback()
    return Response(error_body(code, message, errors), status=code, headers=headers)


# --- Django's error handlers (handler404, handler500, ... in dispatch_site/urls.py) ----------------
#
# Under /api/ they answer JSON in the same shape; elsewhere they call the HTML view they were given,
# which the pages can replace with their own templates:
#     handler404 = api_or_html_404(my_html_404_view)


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _json_error(code: int, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=code)


def api_or_html_400(html_view=defaults.bad_request):
    def handler400(request, exception):
        if is_api_request(request):
            return _json_error(400, DEFAULT_MESSAGES[400])
        return html_view(request, exception)

    return handler400


def api_or_html_403(html_view=defaults.permission_denied):
    def handler403(request, exception):
        if is_api_request(request):
            return _json_error(403, str(exception) or DEFAULT_MESSAGES[403])
        return html_view(request, exception)

    return handler403


def api_or_html_404(html_view=defaults.page_not_found):
    def handler404(request, exception):
        if is_api_request(request):
            return _json_error(404, f"Nothing is at {request.path}; see /api/docs/ for the endpoints.")
        return html_view(request, exception)

    return handler404


def api_or_html_500(html_view=defaults.server_error):
    def handler500(request):
        if is_api_request(request):
            return _json_error(500, DEFAULT_MESSAGES[500])
        return html_view(request)

    return handler500

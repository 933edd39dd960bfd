"""The API gateway: an enabled API answers at /gateway/<application>/<uri> (and at /<uri> on any of
its `hosts`) by running its function.

- Input: the query parameters for GET, HEAD and DELETE (and any request without a body), else the
  JSON or form body.
- Blocking unless `x-dispatch-blocking: false` (then 202 and the run's name): the answer is the run's
  output as JSON; 422 with the error on an InputError, 502 on a FunctionError, 500 on a SystemError.
- `httpContext` as Dispatch's gateway gave it: method, uri, args, scheme, host, request, headers.
- `authentication: public` answers anyone; otherwise the caller sends `Authorization: Token <key>`
  of someone who may run functions in the application. Without it, the answer is the same 404 as
  for a missing API, a disabled one or one in a hidden application.
- CORS headers (and preflights) when the API has `cors`; calls are limited per application
  (DISPATCH_GATEWAY_RATE).
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from applications import access
from applications.exceptions import NotFound, QuotaExceeded
from applications.tokens import user_for_key
from dispatch_site.errors import REFUSALS, RETRY_AFTER_QUOTA, STATUS_OF_RUN_ERROR, reason_of, status_of
from dispatch_site.parsing import parse_flag

from ..api.exceptions import error_body
from ..events.views import body_data
from . import ratelimit, routing

BODYLESS = {"GET", "HEAD", "DELETE", "OPTIONS"}
HIDDEN_HEADERS = {"authorization", "cookie", "x-csrftoken"}
CORS_HEADERS = "Authorization, Content-Type, X-Dispatch-Blocking"


def _error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({**error_body(status, message), **extra}, status=status)


def _not_found(method: str, uri: str) -> JsonResponse:
    return _error(
        404,
        f"No API answers {method} {routing.normalize(uri)} here; check the path and method, and send "
        "'Authorization: Token <key>' if the API is not public.",
    )


def _caller(request):
    header = request.headers.get("Authorization", "").split()
    if len(header) == 2 and header[0].lower() in ("token", "bearer"):
        return user_for_key(header[1])
    return None


def _args(request) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in request.GET.lists()}


def _input(request):
    """The run's input; ValidationError with a sentence when the body cannot be read."""
    if request.method in BODYLESS:
        return _args(request) or None
    # Forms first: a multipart body read as a form (the NUL check of dispatch_site.middleware reads
    # it) can no longer be read as bytes.
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = {key: values[0] if len(values) == 1 else values for key, values in request.POST.lists()}
        return form or _args(request) or None
    if not request.body:
        return _args(request) or None
    return body_data(request)


def http_context(request, uri: str) -> dict:
    query = request.META.get("QUERY_STRING", "")
    path = request.path + (f"?{query}" if query else "")
    return {
        "method": request.method,
        "uri": routing.normalize(uri),
        "args": query,
        "scheme": request.scheme,
        "host": request.get_host(),
        "request": f"{request.method} {path} {request.META.get('SERVER_PROTOCOL', 'HTTP/1.1')}",
        "headers": {k.lower(): v for k, v in request.headers.items() if k.lower() not in HIDDEN_HEADERS},
        "remoteAddr": request.META.get("REMOTE_ADDR", ""),
    }


def _with_cors(response, api_or_methods, request):
    methods = api_or_methods if isinstance(api_or_methods, list) else api_or_methods.methods
    response["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
    response["Access-Control-Allow-Methods"] = ", ".join(sorted({m.upper() for m in methods or []}))
    response["Access-Control-Allow-Headers"] = CORS_HEADERS
    response["Vary"] = "Origin"
    return response


def _preflight(request, application, uri):
    """An OPTIONS request that asks which methods a CORS-enabled API answers."""
    api, _ = routing.api_in_application(
        application.name, uri, request.headers.get("Access-Control-Request-Method", "GET").upper()
    )
    if api is None or not api.cors:
        return _not_found("OPTIONS", uri)
    return _with_cors(HttpResponse(status=204), routing.allowed_methods(application, uri), request)


def _answer(request, api, application, uri):
    from entities.runs.services import start_run

    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        return _preflight(request, application, uri)
    user = None
    if api.authentication != "public":
        user = _caller(request)
        if user is None or application is None or not access.may_run_in(user, application):
            return _not_found(request.method, uri)
    if application is not None and not ratelimit.allow(application):
        response = _error(429, f"Application '{application.name}' has had too many gateway calls; wait.")
        response["Retry-After"] = str(ratelimit.retry_after())
        return response
    try:
        run_input = _input(request)
        header = request.headers.get("X-Dispatch-Blocking")
        blocking = parse_flag(header, name="x-dispatch-blocking", default=True)
        run = start_run(
            user=user,
            function=api.function,
            input=run_input,
            blocking=blocking,
            http_context=http_context(request, uri),
        )
    except (PermissionDenied, NotFound):  # a refusal looks like a missing API, as everywhere here
        return _not_found(request.method, uri)
    except (*REFUSALS, QuotaExceeded) as exc:  # JSON like every gateway answer, not the pages' 400 or 429
        response = _error(status_of(exc), reason_of(exc))
        if isinstance(exc, QuotaExceeded):
            response["Retry-After"] = RETRY_AFTER_QUOTA
        return response
    if not blocking:
        response = JsonResponse(
            {"name": run.name, "status": run.status, "function": api.function.name}, status=202
        )
        response["Location"] = f"/api/v1/runs/{run.name}/"
    elif run.error:
        status = STATUS_OF_RUN_ERROR.get(run.error.get("type"), 500)
        response = _error(
            status, run.error.get("message") or "The function failed.", error=run.error, run=run.name
        )
    else:
        response = JsonResponse(run.output, status=200, safe=False)
    response["X-Dispatch-Run"] = run.name
    return _with_cors(response, api, request) if api.cors else response


def _dispatch(request, api, application, uri):
    if api is None:
        if request.method == "OPTIONS" and application is not None:
            return _preflight(request, application, uri)
        return _not_found(request.method, uri)
    return _answer(request, api, application, uri)


@csrf_exempt
def by_application(request, application: str, uri: str = ""):
    api, found = routing.api_in_application(application, uri, request.method)
    return _dispatch(request, api, found, uri)


@csrf_exempt
def by_host(request, uri: str):
    api, application = routing.api_for_host(request.get_host().split(":")[0].lower(), uri, request.method)
    return _dispatch(request, api, application, uri)

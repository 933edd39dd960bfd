"""Middleware of the site as a whole."""

import re

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed
from django.db import connections
from django.http import JsonResponse
from django.shortcuts import render

from applications.exceptions import QuotaExceeded
from dispatch_site.errors import RETRY_AFTER_QUOTA, reason_of, status_of


class QueryCountHeaderMiddleware:
    """Adds `X-DB-Queries: N` to every response, so the benchmark can read SQL queries per request
    from a production server. Off unless DISPATCH_QUERY_COUNT_HEADER is set: it costs a wrapper call
    per query."""

    def __init__(self, get_response):
        if not settings.DISPATCH_QUERY_COUNT_HEADER:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-DB-Queries"] = str(count)
        return response


class NulRefusedMiddleware:
    """A URL or a posted form that holds the NUL character is a 400 (JSON under /api/), on every surface.

    Names never hold it, but PostgreSQL cannot even compare text with it: looking one up would be a
    DataError, a 500 — and a view may read a form value without a form field that refuses it (the
    application switcher did). JSON bodies are checked where they are decoded: the API's serializers,
    bundles, the JSON fields of the forms."""

    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET):
            raise BadRequest("The URL holds the NUL character (U+0000).")
        if request.method == "POST" and request.content_type in self.FORMS and _holds_nul(request.POST):
            raise BadRequest("The form holds the NUL character (U+0000).")
        return self.get_response(request)


def _holds_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


# What any session engine's key can be made of (Django's are 32 lowercase letters and digits; signed
# cookies add '-', '_', ':' and '.'). Anything else is not a session this site gave out.
SESSION_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,1024}")


class SessionCookieMiddleware:
    """A session cookie that no session engine could have made (a NUL, spaces, 5,000 characters…) is
    dropped before the session is looked up, so the request is simply signed out. Looking it up
    would reach the database or the cache, where a NUL is a DataError (a 500 on every URL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if value is not None and not SESSION_KEY.fullmatch(value):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)


class DomainErrorMiddleware:
    """A domain error that a view left to the site answers with its status from the one map
    (dispatch_site.errors) and its one-sentence reason: a query flag or id that does not parse or a
    service's refusal that no form shows (400), a run over its application's quota (429, with
    Retry-After). JSON under /api/ (DRF's own views answer theirs in entities/api/exceptions.py), the
    status's page elsewhere. A 403 or 404 is left to Django's handlers, which already answer both."""

    PAGES = {400: "400.html", 429: "429.html"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        status = status_of(exception)
        if status not in self.PAGES:
            return None
        if request.path.startswith("/api/"):
            errors = {getattr(exception, "field", None) or "non_field_errors": [reason_of(exception)]}
            response = JsonResponse(
                {"code": status, "message": reason_of(exception), "errors": errors}, status=status
            )
        else:
            response = render(request, self.PAGES[status], {"exception": reason_of(exception)}, status=status)
        if isinstance(exception, QuotaExceeded):
            response["Retry-After"] = RETRY_AFTER_QUOTA
        return response


# The inline <style> blocks of templates we serve but do not own (Django's admin, drf-spectacular's Swagger
# UI); the policy allows exactly these by hash, read from the installed templates.
INLINE_STYLE_TEMPLATES = ["admin/change_list.html", "drf_spectacular/swagger_ui.html"]


def inline_style_hashes(template_names) -> list[str]:
    import base64
    import hashlib
    import re

    from django.template.loader import get_template

    hashes = []
    for name in template_names:
        source = get_template(name).template.source
        for style in re.findall(r"<style>(.*?)</style>", source, flags=re.S):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return hashes


class ContentSecurityPolicyMiddleware:
    """Sends a Content-Security-Policy: the pages load only this site's own scripts, styles and
    images (WhiteNoise), with no inline script at all. Off under DEBUG, whose error pages are inline."""

    def __init__(self, get_response):
        if settings.DEBUG or not settings.DISPATCH_CONTENT_SECURITY_POLICY:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.policy = settings.DISPATCH_CONTENT_SECURITY_POLICY.replace(
            "{inline_styles}", " ".join(inline_style_hashes(INLINE_STYLE_TEMPLATES))
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response

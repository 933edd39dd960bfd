"""Middleware of the site as a whole."""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections


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

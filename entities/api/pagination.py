"""Pagination of every API list: limit/offset, and by cursor for deep pages of entities.

limit/offset: {"count", "next", "previous", "results"}, 50 by default, at most 1000. A list read by one
application's items is counted from them when nothing else narrows it, and a large one's page is planned
for its own values (dispatch_site.plans).

`?cursor=` (empty: from the start) pages the lists of entities by name (entities/: by kind, then
name) from where the last page ended: `name > the last one`, one index range, however deep, where an
offset makes the database read and drop every row before it. The answer has the same keys; `count`
is null (not counted: that is the point) and `previous` is null (cursors go forward); `next` carries
the next cursor, or is null on the last page. A cursor holds only the kind and name of the last row
of a page; it narrows a list the access gate already made, so whatever it names, it shows nothing
more than the list without it.
"""

import base64
import binascii
import json
from functools import partial

from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from dispatch_site.plans import planned_for

from ..selectors import ForeignCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
CURSOR = "cursor"


def encode_cursor(kind: str, name: str) -> str:
    text = json.dumps({"kind": kind, "name": name}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[str, str] | None:
    """(kind, name) after which the page starts; None for the start; 400 for anything else."""
    if value == "":
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        kind, name = data["kind"], data["name"]
    except (binascii.Error, ValueError, UnicodeDecodeError, TypeError, KeyError):
        kind = name = None
    if not isinstance(kind, str) or not isinstance(name, str):
        raise bad_cursor("is not one this API gave; start again with cursor= (empty)")
    return kind, name


def bad_cursor(why: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({CURSOR: [f"The cursor {why}."]})


class Pagination(LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        self.after = None
        if CURSOR not in request.query_params:
            if getattr(view, "narrowed_to", None) is not None and isinstance(queryset, QuerySet):
                return self._page_of_one_application(queryset, request, view)
            return super().paginate_queryset(queryset, request, view)
        if "offset" in request.query_params or request.query_params.get("ordering"):
            raise bad_cursor("pages by name; leave out offset and ordering")
        # a list of several kinds pages itself (KindBlocks); a list of one kind is paged by its view
        keyset = getattr(queryset, "keyset_page", None)
        if keyset is None and getattr(view, "keyset_page", None) is not None:
            keyset = partial(view.keyset_page, queryset)
        if keyset is None:
            raise bad_cursor("pages only the lists of entities listed by name; use offset here")
        self.request = request
        self.limit = self.get_limit(request)
        self.after = decode_cursor(request.query_params[CURSOR]) or ()
        try:
            rows = keyset(self.after, self.limit + 1)
        except ForeignCursor as exc:
            raise bad_cursor(str(exc)) from None
        self.next_cursor = None
        if len(rows) > self.limit:
            last = rows[self.limit - 1]
            self.next_cursor = encode_cursor(last.kind.name, last.name)
        return rows[: self.limit]

    def _page_of_one_application(self, queryset, request, view) -> list:
        """A page of a list read by one application's items (`listed_entities`), as DRF's but counted
        from the application's items alone when nothing else narrows the list (`view.items_count`),
        and read with a plan of its own when the list is large: counting it in the page's query
        (COUNT(*) OVER ()) read every row of the application, 0.93 s for one of 200,000 runs."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        counted = view.items_count()
        self.count = counted if counted is not None else self.get_count(queryset)
        if self.count == 0 or self.offset > self.count:
            return []
        with planned_for(self.count):
            return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data):
        if self.after is None:
            return super().get_paginated_response(data)
        return Response({"count": None, "next": self.get_next_link(), "previous": None, "results": data})

    def get_next_link(self):
        if self.after is None:
            return super().get_next_link()
        if self.next_cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.offset_query_param)
        return replace_query_param(url, CURSOR, self.next_cursor)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["nullable"] = True
        response["properties"]["count"]["description"] = "null when paged by cursor (not counted)."
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        if getattr(view, "keyset_page", None) is not None:
            parameters.append(
                {
                    "name": CURSOR,
                    "required": False,
                    "in": "query",
                    "description": "Page by name from this cursor (a `next` link's); empty: from the start. "
                    "Not with offset or ordering.",
                    "schema": {"type": "string"},
                }
            )
        return parameters

"""Request bodies of the API, read within bounds (dispatch_site/parsing.py).

Every body is read up to DISPATCH_MAX_BODY_BYTES (a 413 beyond). JSON is measured for nesting before
it is decoded (DRF's own parser recurses into a RecursionError, a 500, near 1,000 levels) and may not
hold NaN or Infinity, which PostgreSQL cannot store.
"""

from django.conf import settings
from rest_framework import exceptions, parsers, renderers, status

from dispatch_site import parsing


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def read_body(stream) -> bytes:
    """The whole body, or a 413 as soon as it is longer than allowed."""
    limit = settings.DISPATCH_MAX_BODY_BYTES
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise PayloadTooLarge(f"The body is larger than {limit:,} bytes; send less at a time.")
    return data


class JSONParser(parsers.BaseParser):
    """Not a subclass of DRF's: DRF reads the body of its own JSON parser through Django's
    `request.body`, whose 2.5 MB cap (DATA_UPLOAD_MAX_MEMORY_SIZE) answers a bare 400; this one is
    given the stream, so a body over DISPATCH_MAX_BODY_BYTES is a 413 that says so."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        data = read_body(stream)
        try:
            text = data.decode("utf-8")
            return parsing.load_json(
                text, limit=settings.DISPATCH_MAX_NESTING, max_values=settings.DISPATCH_MAX_VALUES
            )
        except UnicodeDecodeError:
            raise exceptions.ParseError("The body is not UTF-8 text; send JSON in UTF-8.") from None
        except parsing.ParseError as exc:
            raise exceptions.ParseError(str(exc)) from None


def query_flag(request, name: str, default: bool = False) -> bool:
    """A boolean query parameter (`?dry_run=true`), strictly: `?dry_run=ture` is a 400 naming it."""
    return parsing.parse_flag(request.query_params.get(name), name=name, default=default)

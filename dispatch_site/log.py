"""Log filters for the console."""

import logging


class NoTracebackBelow500(logging.Filter):
    """A 403 or 404 is an answer to the user, not a fault of the server: log its one line, without the
    traceback Django attaches to a PermissionDenied or Http404 raised by a view."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True

"""Reading the event log: the events a user may see, with what listing them needs."""

from django.db.models import Prefetch

from applications import access

from ..models import FunctionRun


def events_for(user):
    """Visible events, newest first, with their application, emitter, driver and runs: three queries
    for a page of any size (the events joined to those three, then one for all their runs)."""
    runs = FunctionRun.objects.only("id", "name", "function_name", "status", "source_event_id", "created")
    return (
        access.visible_events(user)
        .select_related("application", "emitted_by", "driver")
        .prefetch_related(Prefetch("runs", queryset=runs.order_by("created")))
        .order_by("-received", "-uid")
    )

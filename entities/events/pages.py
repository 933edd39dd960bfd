"""The event log page of an application: its recent events, newest first, with the runs they caused."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from applications.pages.views import get_application

from .filtersets import EventFilterSet
from .selectors import events_for

PER_PAGE = 50


@login_required
def application_events(request, name):
    application = get_application(request, name)
    events = events_for(request.user).filter(application=application)
    filters = EventFilterSet(
        {k: v for k, v in request.GET.items() if k in ("type", "since")}, queryset=events, request=request
    )
    rows = filters.qs if filters.is_valid() else events.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/application_events.html",
        {"application": application, "filters": filters, "page": page},
        status=200 if filters.is_valid() else 400,
    )

"""The dashboard of an application (or of one of its functions): its runs over a time range as SVG
charts, each followed by its figures as a table, and the use of each quota. The figures are those of
the metrics API (`applications.metrics`); this module only lays them out."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.http import urlencode

from applications import metrics

from . import charts
from .views import get_application

LABEL_FORMAT = {"1m": "%H:%M", "1h": "%m-%d %H:%M", "1d": "%Y-%m-%d"}


def _label(moment: str, step: str) -> str:
    return datetime.fromisoformat(moment).strftime(LABEL_FORMAT[step])


def _charts(figures: dict) -> dict:
    series, step = figures["series"], figures["step"]
    labels = [_label(point["time"], step) for point in series]
    error_types = [e["type"] for e in figures["errors_by_type"]]
    runs = charts.stacked_bars(
        f"Runs per {'minute' if step == '1m' else 'hour' if step == '1h' else 'day'}",
        labels,
        [("succeeded or unfinished", "bar-ok", [p["runs"] - p["failed"] for p in series])]
        + [
            (f"failed ({t})", f"bar-{t.lower()}", [p["errors_by_type"].get(t, 0) for p in series])
            for t in error_types
        ],
    )
    durations = charts.lines(
        "Duration percentiles (ms)",
        labels,
        [(name, f"line-{name}", [p["duration_ms"][name] for p in series]) for name in ("p50", "p95", "p99")],
        unit=" ms",
    )
    error_rate = charts.lines(
        "Error rate (%)",
        labels,
        [("error rate", "line-errors", [p["error_rate"] * 100 if p["runs"] else None for p in series])],
        " %",
    )
    events = charts.lines(
        "Events in and runs caused by events",
        labels,
        [
            ("events in", "line-events-in", [p["events_in"] for p in series]),
            ("runs caused by events", "line-caused", [p["caused_by_events"] for p in series]),
        ],
    )
    return {
        "runs": runs,
        "durations": durations,
        "error_rate": error_rate,
        "events": events,
        "labels": labels,
    }


@login_required
def application_dashboard(request, name):
    application = get_application(request, name)
    function = (request.GET.get("function") or "").strip() or None
    try:
        window = metrics.parse_window(request.GET)
    except ValidationError as error:
        return render(
            request,
            "pages/dashboard.html",
            {"application": application, "function": function, "errors": error.messages},
            status=400,
        )
    figures = metrics.application_metrics(application=application, window=window, function=function)
    range_name = request.GET.get("range") or "1h"
    query = {"function": function} if function else {}
    drawn = _charts(figures)
    context = {
        "application": application,
        "function": function,
        "figures": figures,
        "charts": drawn,
        "series_rows": charts.series_rows(drawn["labels"], figures["series"]),
        "ranges": [
            {"name": r, "url": "?" + urlencode({**query, "range": r}), "current": r == range_name}
            for r in metrics.RANGES
        ],
        "quotas": [{**q, "meter": charts.meter(q["used"], q["limit"])} for q in figures["quotas"]],
        "window_label": f"{_label(figures['since'], '1d')} {_label(figures['since'], '1m')} – "
        f"{_label(figures['until'], '1d')} {_label(figures['until'], '1m')} UTC",
    }
    return render(request, "pages/dashboard.html", context)

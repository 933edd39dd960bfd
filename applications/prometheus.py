"""/metrics for Prometheus: runs per application, function and outcome, and their durations.

A custom collector computes the figures from the database at each scrape (two grouped queries), so
they are the same whichever gunicorn worker answers and include the runs that task workers finished:
no per-process counters to add up. The text is kept DISPATCH_METRICS_CACHE_SECONDS seconds in the cache
shared by the workers, so that a scrape every few seconds does not repeat the grouping.

`dispatch_runs_total` counts finished runs (status READY or ERROR), so each series only grows (until runs
are deleted, which Prometheus reads as a counter reset); unfinished runs are the gauge
`dispatch_runs_unfinished`.
"""

import hmac

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from .models import Status
from .quotas import UNFINISHED

BUCKETS_MS = (10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000)
CACHE_KEY = "dispatch:prometheus"


class RunCollector:
    """Collects from the database; registered on a fresh registry per scrape."""

    def collect(self):
        from entities.models import FunctionRun

        runs = CounterMetricFamily(
            "dispatch_runs", "Finished runs by application, function and status.", labels=LABELS + ["status"]
        )
        durations = HistogramMetricFamily(
            "dispatch_run_duration_seconds", "Durations of finished runs.", labels=LABELS
        )
        unfinished = GaugeMetricFamily(
            "dispatch_runs_unfinished", "Runs not finished yet, by application.", labels=["application"]
        )
        finished = (
            FunctionRun.objects.filter(status__in=[Status.READY, Status.ERROR])
            .values("applications__name", "function_name", "status")
            .annotate(
                n=Count("pk"),
                timed=Count("duration_ms"),
                total_ms=Sum("duration_ms"),
                **{f"le_{b}": Count("pk", filter=Q(duration_ms__lte=b)) for b in BUCKETS_MS},
            )
            .order_by("applications__name", "function_name", "status")
        )
        timings: dict[tuple, list] = {}
        for row in finished:
            labels = [row["applications__name"] or "", row["function_name"] or ""]
            runs.add_metric([*labels, row["status"]], row["n"])
            timing = timings.setdefault(tuple(labels), [0, 0, [0] * len(BUCKETS_MS)])
            timing[0] += row["timed"]
            timing[1] += row["total_ms"] or 0
            timing[2] = [a + row[f"le_{b}"] for a, b in zip(timing[2], BUCKETS_MS, strict=True)]
        for labels, (count, total_ms, cumulative) in timings.items():
            buckets = [(str(b / 1000), n) for b, n in zip(BUCKETS_MS, cumulative, strict=True)]
            durations.add_metric(list(labels), buckets + [("+Inf", count)], sum_value=total_ms / 1000)
        for row in (
            FunctionRun.objects.filter(status__in=UNFINISHED)
            .values("applications__name")
            .annotate(n=Count("pk"))
            .order_by("applications__name")
        ):
            unfinished.add_metric([row["applications__name"] or ""], row["n"])
        yield from (runs, durations, unfinished)


LABELS = ["application", "function"]  # a run in no application has application=""


def exposition() -> bytes:
    text = cache.get(CACHE_KEY)
    if text is None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(RunCollector())
        text = generate_latest(registry)
        cache.set(CACHE_KEY, text, settings.DISPATCH_METRICS_CACHE_SECONDS)
    return text


@require_GET
def metrics_view(request):
    """Off (404) without DISPATCH_METRICS_TOKEN; otherwise only for `Authorization: Bearer <token>`."""
    token = settings.DISPATCH_METRICS_TOKEN
    if not token:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = HttpResponse(
            "Send the metrics token: Authorization: Bearer <DISPATCH_METRICS_TOKEN>.\n",
            status=401,
            content_type="text/plain",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)

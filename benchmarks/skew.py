"""Benchmark the lists of a large application beside a small one, through HTTP against gunicorn.

    .venv/bin/python benchmarks/skew.py --database-url postgres://postgres@127.0.0.1:5432/dispatch_bench_skew

It takes a database that `run.py --generate --runs 1000000` made (give it a copy: it adds rows) and
makes bench-0001 large: 50,000 more functions and 200,000 more runs join it (their through-table rows
only), once. Then, for each list, requests alternate between bench-0000 (100 functions, 1,000 runs)
and bench-0001 on the same connections, so that the large one is read where the statements the small
one prepared are in use, as on a server with many small applications and a few large ones. It prints
p50/p95 of each side and writes JSON (benchmarks/results/skew-latest.json by default).
"""

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from common import ROOT, gunicorn, percentile
from run import _commit, served_parser, start, write_report

SMALL, LARGE = "bench-0000", "bench-0001"
MORE_FUNCTIONS, MORE_RUNS = 50_000, 200_000


def make_large() -> None:
    """Add functions and runs of other applications to bench-0001's items, unless done before."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from applications.models import Application, ApplicationItem
    from entities.models import Function, FunctionRun

    large = Application.objects.get(name=LARGE)
    with connection.cursor() as cursor:
        for model, more in ((Function, MORE_FUNCTIONS), (FunctionRun, MORE_RUNS)):
            content_type = ContentType.objects.get_for_model(model).pk
            if ApplicationItem.objects.filter(tag=large, content_type_id=content_type).count() >= more:
                continue
            cursor.execute(
                f"INSERT INTO {ApplicationItem._meta.db_table} (object_id, content_type_id, tag_id) "
                f"SELECT e.id, %s, %s FROM {model._meta.db_table} e WHERE NOT EXISTS (SELECT 1 FROM "
                f"{ApplicationItem._meta.db_table} i WHERE i.object_id = e.id AND i.tag_id = %s) LIMIT %s",
                [content_type, large.pk, large.pk, more],
            )
        cursor.execute("VACUUM ANALYZE")


def lists(dev_key, session_key):
    dev = {"Authorization": f"Token {dev_key}"}
    page = {"Cookie": f"sessionid={session_key}"}
    return [
        ("one kind in an application", "/api/v1/functions/?application={}", dev),
        ("entities of an application", "/api/v1/applications/{}/entities/", dev),
        ("function list page (HTML)", "/functions/?application={}", page),
        ("runs of an application", "/api/v1/runs/?application={}", dev),
        ("run list page (HTML)", "/runs/?application={}", page),
    ]


def measure(client, template, requests) -> dict:
    timings: dict[str, list[float]] = {SMALL: [], LARGE: []}
    for name in (SMALL, LARGE) * 8:  # warm every worker (and let the small one's statements be prepared)
        client.get(template.format(name))
    for _ in range(requests):
        for name in (SMALL, SMALL, SMALL, LARGE):  # mostly small applications, as on a real server
            started = time.perf_counter()
            response = client.get(template.format(name))
            timings[name].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{template.format(name)} answered {response.status_code}")
    return {
        name: {"p50": percentile(values, 0.50), "p95": percentile(values, 0.95)}
        for name, values in timings.items()
    }


def main(argv=None):
    parser = served_parser(__doc__, requests=50, per="of the large one a list", out="skew-latest.json")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="The checkout to serve (another commit's: git archive)."
    )
    args = parser.parse_args(argv)
    dev_key, _, session_key = start(parser, args, generate=False)
    make_large()
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit() if args.root == ROOT else str(args.root),
        "load_average_before": os.getloadavg(),
        "small": SMALL,
        "large": f"{LARGE} (+{MORE_FUNCTIONS:,} functions, +{MORE_RUNS:,} runs)",
        "lists": [],
    }
    print(f"{'list':30} {'small p50':>10} {'p95':>7} {'large p50':>10} {'p95':>7}")
    with gunicorn(args.database_url, args.workers, root=args.root.resolve()) as base:
        for name, template, headers in lists(dev_key, session_key):
            with httpx.Client(
                base_url=base, headers={"X-Forwarded-Proto": "https", **headers}, timeout=120
            ) as client:
                result = measure(client, template, args.requests)
            small, large = result[SMALL], result[LARGE]
            figures = f"{small['p50']:10.1f} {small['p95']:7.1f} {large['p50']:10.1f} {large['p95']:7.1f}"
            print(f"{name:30} {figures}")
            report["lists"].append({"list": name, "path": template, **result})
    write_report(report, args.out)


if __name__ == "__main__":
    main()

"""Benchmark the monitoring surfaces at 1,000,000 runs in 1,000 applications, on PostgreSQL.

    .venv/bin/python benchmarks/metrics.py --database-url postgres://postgres@127.0.0.1:5432/dispatch_bench_metrics

It loads the data set once (its own bulk loader: applications, one image and five functions each through
the ORM, then the runs and their application items with INSERT … SELECT generate_series, spread over the
last seven days), serves the project with gunicorn (production settings, 2 workers) and measures, for a
viewer of one application, the dashboard page and the metrics API for each range (1 h, 24 h, 7 d): p50,
p95, p99 and SQL queries per request. It also times an uncached Prometheus scrape of every application.
It prints a table and writes JSON (benchmarks/results/metrics.json by default).
"""

import argparse
import json
import os
import secrets
import statistics
import time
from pathlib import Path

import httpx
from common import HTTPS, ROOT, gunicorn, percentile, session_key_for, setup_django

FUNCTIONS_PER_APP = 5
PREFIX = "bm-"


def load(applications: int, runs: int) -> None:
    """The data set, unless it is there already."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from applications.models import Application, ApplicationItem
    from entities.models import BaseImage, Function, FunctionRun, Image

    if Application.objects.filter(name__startswith=PREFIX).exists():
        return
    started = time.perf_counter()
    with transaction.atomic():
        apps = Application.objects.bulk_create(
            [Application(name=f"{PREFIX}{i:04d}", slug=f"{PREFIX}{i:04d}") for i in range(applications)]
        )
        base = BaseImage.objects.create(name=f"{PREFIX}base", docker_url="python3-base", language="python3")
        images = Image.objects.bulk_create(
            [Image(name=f"{PREFIX}{a.name}-img", base_image=base, language="python3") for a in apps]
        )
        functions = Function.objects.bulk_create(
            [
                Function(name=f"{a.name}-fn-{j}", image=image, handler="h.handle")
                for a, image in zip(apps, images, strict=True)
                for j in range(FUNCTIONS_PER_APP)
            ]
        )
        image_ct = ContentType.objects.get_for_model(Image)
        function_ct = ContentType.objects.get_for_model(Function)
        run_ct = ContentType.objects.get_for_model(FunctionRun)
        ApplicationItem.objects.bulk_create(
            [
                ApplicationItem(tag=a, content_type=image_ct, object_id=i.pk)
                for a, i in zip(apps, images, strict=True)
            ]
            + [
                ApplicationItem(tag=apps[n // FUNCTIONS_PER_APP], content_type=function_ct, object_id=f.pk)
                for n, f in enumerate(functions)
            ]
        )
        Image.objects.filter(pk__in=[i.pk for i in images]).update(unassigned=False)
        Function.objects.filter(pk__in=[f.pk for f in functions]).update(unassigned=False)
        with connection.cursor() as cursor:
            # Run g belongs to function g mod F, so every application gets runs / applications of them;
            # one in 20 fails (the three error types in turn), one in 4 was caused by an event.
            cursor.execute(
                f"""
                WITH fns AS (
                    SELECT id, name, row_number() OVER (ORDER BY name) - 1 AS i FROM entities_function
                    WHERE name LIKE %s
                ), made AS (
                    SELECT gen_random_uuid() AS id, g, now() - random() * interval '7 days' AS at,
                           (5 + 2000 * power(random(), 3))::int AS ms
                    FROM generate_series(0, %s - 1) g
                )
                INSERT INTO entities_functionrun (
                    id, name, status, reason, unassigned, created, modified, revision, function_id,
                    function_name, input, output, logs, error, error_type, secrets, event, http_context,
                    blocking, executed_time, finished_time, duration_ms
                )
                SELECT made.id, made.id::text,
                       CASE WHEN mod(g, 20) = 0 THEN 'ERROR' ELSE 'READY' END, '[]', false, at, at, 1, fns.id,
                       fns.name, '{{}}', '{{}}', '{{}}',
                       CASE WHEN mod(g, 20) = 0 THEN jsonb_build_object('type', (ARRAY['FunctionError',
                            'InputError', 'SystemError'])[mod(g / 20, 3) + 1], 'message', 'failed') END,
                       CASE WHEN mod(g, 20) = 0 THEN (ARRAY['FunctionError', 'InputError', 'SystemError'])
                            [mod(g / 20, 3) + 1] ELSE '' END,
                       '[]', CASE WHEN mod(g, 4) = 1 THEN '{{"type": "tick"}}'::jsonb END, NULL,
                       true, at, at + ms * interval '1 millisecond', ms
                FROM made JOIN fns ON fns.i = mod(made.g, {applications * FUNCTIONS_PER_APP})
                """,
                [f"{PREFIX}%", runs],
            )
            cursor.execute(
                """
                INSERT INTO applications_applicationitem (object_id, content_type_id, tag_id)
                SELECT r.id, %s, fi.tag_id FROM entities_functionrun r
                JOIN applications_applicationitem fi
                  ON fi.object_id = r.function_id AND fi.content_type_id = %s
                WHERE r.function_name LIKE %s
                """,
                [run_ct.pk, function_ct.pk, f"{PREFIX}%"],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Loaded {applications} applications and {runs} runs in {time.perf_counter() - started:.0f} s")


def prepare() -> tuple[str, str]:
    """A viewer of one application: an API token and a page session."""
    from django.contrib.auth.models import User

    from applications.models import Application, Membership, Role
    from applications.tokens import token_create

    viewer, _ = User.objects.get_or_create(username="bm-viewer")
    Membership.objects.get_or_create(
        application=Application.objects.get(name=f"{PREFIX}0042"), user=viewer, defaults={"role": Role.VIEWER}
    )
    _, key = token_create(user=viewer, name="benchmark")
    return key, session_key_for(viewer)


def measure(base: str, path: str, headers: dict, requests: int) -> dict:
    with httpx.Client(base_url=base, headers={**HTTPS, **headers}, timeout=120) as client:
        client.get(path)  # warm up
        timings, counts, statuses = [], [], set()
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
            counts.append(int(response.headers.get("X-DB-Queries", -1)))
    return {
        "p50": percentile(timings, 0.50),
        "p95": percentile(timings, 0.95),
        "p99": percentile(timings, 0.99),
        "queries": statistics.mode(counts),
        "statuses": sorted(statuses),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="Requests per operation.")
    parser.add_argument("--scrapes", type=int, default=5, help="Uncached Prometheus scrapes.")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "metrics.json"))
    args = parser.parse_args(argv)
    if not (args.database_url or "").startswith("postgres"):
        parser.error("give --database-url postgres://… (the benchmark runs on PostgreSQL)")
    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load(args.applications, args.runs)
    key, session_key = prepare()
    token = secrets.token_urlsafe(20)
    env = {
        "DISPATCH_QUERY_COUNT_HEADER": "1",
        "DISPATCH_METRICS_TOKEN": token,
        "DISPATCH_METRICS_CACHE_SECONDS": "0",
    }
    report = {"data_set": f"{args.applications} applications, {args.runs} runs", "operations": []}
    app = f"{PREFIX}0042"
    print(f"{'operation':34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'SQL':>4} status")
    with gunicorn(args.database_url, 2, env) as base:
        operations = []
        for range_name in ("1h", "24h", "7d"):
            operations += [
                (f"dashboard page, {range_name}", f"/applications/{app}/dashboard/?range={range_name}",
                 {"Cookie": f"sessionid={session_key}"}, args.requests),
                (f"metrics API, {range_name}", f"/api/v1/applications/{app}/metrics/?range={range_name}",
                 {"Authorization": f"Token {key}"}, args.requests),
            ]  # fmt: skip
        operations.append(
            ("Prometheus scrape (uncached)", "/metrics", {"Authorization": f"Bearer {token}"}, args.scrapes)
        )
        for name, path, headers, requests in operations:
            result = measure(base, path, headers, requests)
            print(
                f"{name:34} {result['p50']:8.1f} {result['p95']:8.1f} {result['p99']:8.1f} "
                f"{result['queries']:>4} {result['statuses']}"
            )
            report["operations"].append({"operation": name, "path": path, "requests": requests, **result})
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()

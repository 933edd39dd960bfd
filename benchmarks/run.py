"""Benchmark the seed's application operations through HTTP against gunicorn and PostgreSQL.

    .venv/bin/python benchmarks/run.py --generate \
        --database-url postgres://postgres@127.0.0.1:5432/dispatch_bench

It serves the project with gunicorn (production settings, 2 workers), signs in a developer of five
applications and a superuser, and for each operation measures p50/p95/p99 latency at concurrency 1 and 8,
requests per second and SQL queries per request (from the X-DB-Queries header). As a floor it fetches the
same rows with one raw SQL query and json.dumps, in this process, and prints our p50 as a multiple of it.
It prints a table and writes JSON (benchmarks/results/latest.json by default).
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
from common import ROOT, gunicorn, percentile, session_key_for, setup_django


def prepare(generate: bool, applications: int, functions: int, runs: int = 0):
    """Migrate, generate data when asked, and make the benchmark's users, token and session."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from applications.models import Application, Membership, Role
    from applications.tokens import token_create

    call_command("migrate", verbosity=0)
    if generate and not Application.objects.filter(name__startswith="bench-").exists():
        call_command("generate_data", applications=applications, functions=functions, runs=runs)
        from django.db import connection

        # As autovacuum leaves tables in service (this machine's PostgreSQL runs with it off): without
        # a visibility map a COUNT reads every heap page, 8.3 ms for 100,000 functions against 3.4.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    developer, _ = User.objects.get_or_create(username="bench-dev")
    for app in Application.objects.filter(name__startswith="bench-").order_by("name")[:5]:
        Membership.objects.get_or_create(application=app, user=developer, defaults={"role": Role.DEVELOPER})
    root, _ = User.objects.get_or_create(
        username="bench-root", defaults={"is_staff": True, "is_superuser": True}
    )
    _, dev_key = token_create(user=developer, name="benchmark")
    _, root_key = token_create(user=root, name="benchmark")
    return dev_key, root_key, session_key_for(developer)


def floors():
    """One raw SQL query per operation, returning the same rows as the endpoint's first page."""
    from django.contrib.contenttypes.models import ContentType

    from entities.models import Function

    ct = ContentType.objects.get_for_model(Function).pk
    app = "bench-0000"
    fn_cols = "f.id::text, f.name, f.status, f.handler, f.created::text, f.modified::text, f.revision"
    entities_union = " UNION ALL ".join(
        f"SELECT '{model._meta.model_name}' AS kind, e.name, e.status, e.created::text AS created "
        f"FROM {model._meta.db_table} e"
        for model in _entity_models()
    )
    return {
        "list applications": (
            "SELECT a.id, a.name, a.description, a.status, a.created::text FROM applications_application a "
            "JOIN applications_membership m ON m.application_id = a.id JOIN auth_user u ON u.id = m.user_id "
            "WHERE u.username = 'bench-dev' ORDER BY a.name LIMIT 50"
        ),
        "entities of an application": (
            "SELECT i.content_type_id, i.object_id::text FROM applications_applicationitem i "
            f"JOIN applications_application a ON a.id = i.tag_id WHERE a.name = '{app}' "
            "ORDER BY i.content_type_id, i.object_id LIMIT 50"
        ),
        "one kind in an application": (
            f"SELECT {fn_cols} FROM entities_function f JOIN applications_applicationitem i "
            f"ON i.object_id = f.id AND i.content_type_id = {ct} JOIN applications_application a "
            f"ON a.id = i.tag_id WHERE a.name = '{app}' ORDER BY f.name LIMIT 50"
        ),
        "get by name and application": (
            f"SELECT {fn_cols} FROM entities_function f JOIN applications_applicationitem i "
            f"ON i.object_id = f.id AND i.content_type_id = {ct} JOIN applications_application a "
            f"ON a.id = i.tag_id WHERE a.name = '{app}' AND f.name = '{app}-fn-0'"
        ),
        "all entities, first page": f"SELECT * FROM ({entities_union}) x ORDER BY kind, name LIMIT 50",
        "all entities, deep page": (
            f"SELECT * FROM ({entities_union}) x ORDER BY kind, name LIMIT 50 OFFSET 100000"
        ),
        "function list page (HTML)": (
            f"SELECT {fn_cols} FROM entities_function f JOIN applications_applicationitem i "
            f"ON i.object_id = f.id AND i.content_type_id = {ct} JOIN applications_application a "
            f"ON a.id = i.tag_id WHERE a.name = '{app}' ORDER BY f.name LIMIT 50"
        ),
        **run_floors(app, sample_run(app)),
    }


def run_floors(app: str, run: str | None) -> dict[str, str]:
    """The floors of the run reads: an application's runs newest first, one function's, one run."""
    if run is None:
        return {}
    from django.contrib.contenttypes.models import ContentType

    from entities.models import FunctionRun

    ct = ContentType.objects.get_for_model(FunctionRun).pk
    cols = (
        "r.id::text, r.name, r.status, r.function_name, r.input, r.output, r.error_type, "
        "r.created::text, r.finished_time::text, r.duration_ms"
    )
    in_app = (
        f"FROM entities_functionrun r JOIN applications_applicationitem i ON i.object_id = r.id "
        f"AND i.content_type_id = {ct} JOIN applications_application a ON a.id = i.tag_id "
        f"WHERE a.name = '{app}'"
    )
    return {
        "runs of an application": f"SELECT {cols} {in_app} ORDER BY r.created DESC LIMIT 50",
        "runs of a function": (
            f"SELECT {cols} {in_app} AND r.function_name = '{app}-fn-0' ORDER BY r.created DESC LIMIT 50"
        ),
        "get a run": f"SELECT {cols} {in_app} AND r.name = '{run}'",
        "run list page (HTML)": f"SELECT {cols} {in_app} ORDER BY r.created DESC LIMIT 50",
    }


def sample_run(app: str) -> str | None:
    """A run of the application's first function, or None when the data set has no runs."""
    from entities.models import FunctionRun

    return FunctionRun.objects.filter(function_name=f"{app}-fn-0").values_list("name", flat=True).first()


def _entity_models():
    from entities.kinds import KINDS

    return [kind.model for kind in KINDS]


def measure_floor(sql: str, repeat: int) -> float:
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql)
            columns = [c.name for c in cursor.description]
            json.dumps([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def operations(dev_key, root_key, session_key):
    dev = {"Authorization": f"Token {dev_key}"}
    root = {"Authorization": f"Token {root_key}"}
    page = {"Cookie": f"sessionid={session_key}", "X-Forwarded-Proto": "https"}
    app = "bench-0000"
    return [
        ("list applications", "/api/v1/applications/", dev),
        ("entities of an application", f"/api/v1/applications/{app}/entities/", dev),
        ("one kind in an application", f"/api/v1/functions/?application={app}", dev),
        ("get by name and application", f"/api/v1/functions/{app}-fn-0/?application={app}", dev),
        ("all entities, first page", "/api/v1/entities/", root),
        ("all entities, deep page", "/api/v1/entities/?offset=100000", root),
        ("all entities, deep page by cursor", "/api/v1/entities/?cursor={deep_cursor}", root),
        ("function list page (HTML)", f"/functions/?application={app}", page),
    ] + run_operations(app, dev, page)


def run_operations(app, dev, page):
    """The reads of runs (issue 17: at 1,000,000 runs, within the same targets), when there are runs."""
    run = sample_run(app)
    if run is None:
        return []
    return [
        ("runs of an application", f"/api/v1/runs/?application={app}", dev),
        ("runs of a function", f"/api/v1/functions/{app}-fn-0/runs/?application={app}", dev),
        ("get a run", f"/api/v1/runs/{run}/?application={app}", dev),
        ("run list page (HTML)", f"/runs/?application={app}", page),
    ]


def deep_cursor(base, root_key) -> tuple[str | None, str | None]:
    """The cursor that starts where `offset=100000` starts (after the row just before it), and its
    floor: the same rows by one raw keyset query on that kind's table."""
    try:
        from entities.api.pagination import encode_cursor
    except ImportError:  # a checkout from before cursors: the row is left out
        return None, None
    response = httpx.get(
        f"{base}/api/v1/entities/?offset=99999&limit=1",
        headers={"Authorization": f"Token {root_key}", "X-Forwarded-Proto": "https"},
    )
    [row] = response.json()["results"]
    from entities.kinds import get_kind

    table = get_kind(row["kind"]).model._meta.db_table
    floor = (
        f"SELECT e.id::text, e.name, e.status, e.created::text FROM {table} e "
        f"WHERE e.name > '{row['name']}' ORDER BY e.name LIMIT 50"
    )
    return encode_cursor(row["kind"], row["name"]), floor


def run_operation(base, path, headers, requests, concurrency, workers=2):
    client = httpx.Client(base_url=base, headers={"X-Forwarded-Proto": "https", **headers}, timeout=60)
    # Warm up every worker's caches (gunicorn's sync workers take turns, without keep-alive): a worker's
    # first request of a path is not the steady state the percentiles describe.
    for _ in range(4 * workers):
        client.get(path)

    def one(_):
        started = time.perf_counter()
        response = client.get(path)
        return (
            (time.perf_counter() - started) * 1000,
            response.status_code,
            response.headers.get("X-DB-Queries"),
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    client.close()
    latencies = [r[0] for r in results]
    statuses = sorted({r[1] for r in results})
    # The usual count per request; the most, once, is a worker's first request filling its caches
    # (content types, the token's last use).
    counts = [int(r[2]) for r in results if r[2] is not None]
    return {
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "rps": requests / wall,
        "statuses": statuses,
        "queries": statistics.mode(counts) if counts else None,
        "queries_max": max(counts) if counts else None,
    }


def served_parser(doc: str, *, requests: int, per: str, out: str) -> argparse.ArgumentParser:
    """The options of a benchmark that serves a data set generated before (compare.py, skew.py,
    throughput.py); start() reads them."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=requests, help=f"Requests {per}.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--applications", type=int, default=1000, help="As the data set was generated.")
    parser.add_argument("--functions", type=int, default=100_000, help="As the data set was generated.")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / out))
    return parser


def start(parser, args, generate: bool):
    """Django in this process on the benchmark's PostgreSQL database, and prepare()'s users' keys."""
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("give --database-url postgres://… (the benchmark runs on PostgreSQL)")
    # One key for this process and the servers: the session made here must verify there.
    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
    setup_django(args.database_url)
    return prepare(generate, args.applications, args.functions, getattr(args, "runs", 0))


def write_report(report: dict, out: str) -> None:
    """Write the JSON, with the load average at the end beside the one at the start: other work on
    the machine moves every figure."""
    report["load_average_after"] = os.getloadavg()
    print(f"load average before {report['load_average_before']}, after {report['load_average_after']}")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(report, indent=2))
    print(f"Wrote {out}")


def _commit() -> str | None:
    """The measured checkout's commit (with "+" when it has uncommitted changes), or None."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+" if dirty.stdout.strip() else "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--generate", action="store_true", help="Generate the data set if it is missing.")
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--functions", type=int, default=100_000)
    parser.add_argument(
        "--runs", type=int, default=0, help="Function runs to generate with --generate (e.g. 1000000)."
    )
    parser.add_argument("--requests", type=int, default=200, help="Requests per operation and concurrency.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only", action="append", help="Measure only operations whose name contains this; repeatable."
    )
    parser.add_argument(
        "--concurrency", type=int, action="append", help="Measure at this concurrency (default: 1 and 8)."
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "latest.json"))
    args = parser.parse_args(argv)
    dev_key, root_key, session_key = start(parser, args, args.generate)
    with gunicorn(args.database_url, args.workers, {"DISPATCH_QUERY_COUNT_HEADER": "1"}) as base:
        floor_sql = floors()
        report = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _commit(),
            "load_average_before": os.getloadavg(),
            "data_set": f"{args.applications} applications, {args.functions} functions",
            "workers": args.workers,
            "requests": args.requests,
            "operations": [],
        }
        print(
            f"{'operation':34} {'c':>2} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} "
            f"{'SQL':>4} {'floor ms':>8} {'x floor':>7} status"
        )
        cursor, floor_sql["all entities, deep page by cursor"] = deep_cursor(base, root_key)
        for name, path, headers in operations(dev_key, root_key, session_key):
            if args.only and not any(part in name for part in args.only):
                continue
            if "{deep_cursor}" in path and cursor is None:
                continue
            path = path.replace("{deep_cursor}", cursor or "")
            floor = measure_floor(floor_sql[name], 50)
            for concurrency in args.concurrency or (1, 8):
                result = run_operation(base, path, headers, args.requests, concurrency, args.workers)
                ratio = result["p50"] / floor if floor else None
                print(
                    f"{name:34} {concurrency:>2} {result['p50']:8.1f} {result['p95']:8.1f} "
                    f"{result['p99']:8.1f} "
                    f"{result['rps']:7.1f} {str(result['queries']):>4} {floor:8.2f} {ratio:7.1f} "
                    f"{result['statuses']}"
                )
                report["operations"].append(
                    {
                        "operation": name,
                        "path": path,
                        "concurrency": concurrency,
                        "floor_p50_ms": floor,
                        "ratio_to_floor": ratio,
                        **result,
                    }
                )
        write_report(report, args.out)


if __name__ == "__main__":
    main()

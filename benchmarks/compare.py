"""Compare two checkouts under the same load: both served at once, their requests interleaved.

    git archive <base commit> | tar -x -C /tmp/base
    .venv/bin/python benchmarks/compare.py --base /tmp/base \
        --database-url postgres://postgres@127.0.0.1:5432/dispatch_bench

On a machine that other work loads, two runs of run.py one after the other see different loads and
their difference is mostly noise. Here each operation's requests alternate between the base checkout's
server and this one's (A B, B A, …, at concurrency 1), so both see the same moments of the machine.
It prints p50/p95/p99 and the SQL count of each side, and writes JSON with the load averages.
"""

import os
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
from common import gunicorn, percentile
from run import _commit, operations, served_parser, start, write_report


class Refused(Exception):
    """A side answered other than 200 (an older base may not take this checkout's session, say)."""


def measure(clients, path, requests, workers) -> dict:
    """{side: {p50, p95, p99, queries}}, the sides' requests interleaved, the first of each pair
    alternating."""
    timings = {side: [] for side in clients}
    queries = {side: None for side in clients}
    # Warm up every worker's caches, as run.py does: with one request a side, the first operation's
    # p99 was the other worker's first request (42 ms against a p95 of 8).
    for client in clients.values():
        for _ in range(4 * workers):
            client.get(path)
    order = list(clients)
    for index in range(requests * 2):
        side = order[(index + index // 2) % 2]
        started = time.perf_counter()
        response = clients[side].get(path)
        timings[side].append((time.perf_counter() - started) * 1000)
        queries[side] = response.headers.get("X-DB-Queries")
        if response.status_code != 200:
            raise Refused(f"{side} answered {response.status_code} to {path}")
    return {
        side: {
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "queries": int(queries[side]) if queries[side] else None,
        }
        for side, values in timings.items()
    }


def main(argv=None):
    parser = served_parser(__doc__, requests=100, per="per operation and side", out="compare-latest.json")
    parser.add_argument("--base", required=True, type=Path, help="A checkout of the commit to compare with.")
    parser.add_argument("--only", action="append", help="Operations whose name contains this; repeatable.")
    args = parser.parse_args(argv)
    dev_key, root_key, session_key = start(parser, args, generate=False)
    env = {"DISPATCH_QUERY_COUNT_HEADER": "1"}
    with ExitStack() as stack:
        bases = {
            "base": stack.enter_context(
                gunicorn(args.database_url, args.workers, env, root=args.base.resolve())
            ),
            "this": stack.enter_context(gunicorn(args.database_url, args.workers, env)),
        }
        report = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _commit(),
            "base": str(args.base),
            "load_average_before": os.getloadavg(),
            "requests": args.requests,
            "operations": [],
        }
        print(f"{'operation':34} {'side':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'SQL':>4}")
        for name, path, headers in operations(dev_key, root_key, session_key):
            if args.only and not any(part in name for part in args.only):
                continue
            if "{deep_cursor}" in path:
                continue  # the base may not page by cursor; run.py measures it
            with ExitStack() as clients_stack:
                clients = {
                    side: clients_stack.enter_context(
                        httpx.Client(
                            base_url=url, headers={"X-Forwarded-Proto": "https", **headers}, timeout=60
                        )
                    )
                    for side, url in bases.items()
                }
                try:
                    result = measure(clients, path, args.requests, args.workers)
                except Refused as refusal:
                    print(f"{name:34} skipped: {refusal}")
                    report["operations"].append({"operation": name, "path": path, "skipped": str(refusal)})
                    continue
            for side, figures in result.items():
                print(
                    f"{name:34} {side:>4} {figures['p50']:8.1f} {figures['p95']:8.1f} {figures['p99']:8.1f} "
                    f"{str(figures['queries']):>4}"
                )
            report["operations"].append({"operation": name, "path": path, **result})
        write_report(report, args.out)


if __name__ == "__main__":
    main()

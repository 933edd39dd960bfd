"""Benchmark events and the API gateway through the whole stack (gunicorn with 2 workers).

    .venv/bin/python benchmarks/events.py                      # SQLite file, database task backend
    .venv/bin/python benchmarks/events.py --database-url postgres://postgres@127.0.0.1:5432/dispatch_events

It prints, in milliseconds (p50 / p95) or per second:
- event → run started: events emitted through POST /api/v1/events/, one subscription each, its runs
  executed by 2 `manage.py runs_worker` processes; the time from the event's arrival (`received`) to its
  run's start (`executed_time`), and events per second from the first emit to the last run finished;
- gateway vs direct: the same blocking run of Dispatch's `hello` through POST /gateway/<app>/hello and
  through POST /api/v1/functions/hello/runs/, alternated, and the gateway's overhead (difference).
"""

import argparse
import os
import time

import httpx
import runs
from common import HTTPS, gunicorn, runs_workers, setup_runs_django
from runs import PAYLOAD, figures

APP = "bench-runs"  # runs.py's application, function `hello` and developer


def prepare() -> str:
    """runs.py's scene, plus a subscription of `bench.tick` and a public API `/hello` for `hello`."""
    from entities import models as m

    key = runs.prepare()
    if not m.Subscription.objects.filter(name="bench-sub").exists():
        function = m.Function.objects.get(name="hello")
        subscription = m.Subscription.objects.create(
            name="bench-sub", event_type="bench.tick", function=function
        )
        subscription.applications.set(function.applications.all())
        api = m.API.objects.create(name="bench-hello", function=function, methods=["POST"], uris=["/hello"])
        api.applications.set(function.applications.all())
    return key


def event_to_run(base: str, key: str, count: int, env: dict) -> tuple[list[float], float]:
    from entities import models as m

    headers = {**HTTPS, "Authorization": f"Token {key}", "Content-Type": "application/cloudevents+json"}
    with runs_workers(env, 2):
        started = time.perf_counter()
        uids = []
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for n in range(count):
                body = {"specversion": "1.0", "type": "bench.tick", "source": "/bench", "id": f"b-{n}",
                        "data": PAYLOAD}  # fmt: skip
                response = client.post(f"/api/v1/events/?application={APP}", json=body)
                assert response.status_code == 202, response.text[:300]
                assert len(response.json()["runs"]) == 1
                uids.append(response.json()["uid"])
        delivered = m.FunctionRun.objects.filter(source_event__in=uids)
        while delivered.filter(status__in=["INITIALIZED", "CREATING"]).exists():
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        assert not delivered.exclude(status="READY").exists(), "a delivered run failed"
        latencies = [
            (run.executed_time - run.source_event.received).total_seconds() * 1000
            for run in delivered.select_related("source_event")
        ]
        return latencies, count / elapsed


def gateway_vs_direct(base: str, key: str, repeat: int) -> tuple[list[float], list[float]]:
    headers = {**HTTPS, "Authorization": f"Token {key}"}
    gateway, direct = [], []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for n in range(repeat + 1):
            started = time.perf_counter()
            response = client.post(f"/gateway/{APP}/hello", json=PAYLOAD)
            took = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.text[:300]
            started = time.perf_counter()
            response = client.post("/api/v1/functions/hello/runs/", json={"input": PAYLOAD})
            took_direct = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.text[:300]
            if n:  # the first of each warms its worker
                gateway.append(took)
                direct.append(took_direct)
    return gateway, direct


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="Default: a new SQLite file.")
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    database_url = setup_runs_django(args.database_url, "events")
    key = prepare()
    env = {**os.environ, "DATABASE_URL": database_url}
    print(f"database: {database_url.split('@')[-1]}   events: {args.events}   repeat: {args.repeat}")
    print(f"{'what':48} {'p50 ms':>8} / {'p95 ms':>8}")
    with gunicorn(database_url, workers=2) as base:
        gateway, direct = gateway_vs_direct(base, key, args.repeat)
        print(f"{'blocking hello via the gateway':48} {figures(gateway)}")
        print(f"{'blocking hello via POST functions/hello/runs/':48} {figures(direct)}")
        overhead = [g - d for g, d in zip(gateway, direct, strict=True)]
        print(f"{'gateway minus direct, per pair':48} {figures(overhead)}")
        latencies, rate = event_to_run(base, key, args.events, env)
        print(f"{'event received → its run started (2 workers)':48} {figures(latencies)}")
        print(f"{'events emitted → runs finished':48} {rate:8.1f} events/s")


if __name__ == "__main__":
    main()

"""Load test: concurrent clients doing mixed API reads and writes across 20 applications, against gunicorn
and PostgreSQL on loopback, then a check that no acknowledged write was lost.

    .venv/bin/python benchmarks/load.py                  # 32 clients for 60 s
    .venv/bin/python benchmarks/load.py --seconds 20     # what CI runs

It creates a fresh database (dispatch_load, dropped first if it exists) with 20 applications, each with a
developer and their token, an image, 10 functions and 2 secrets, serves the project with gunicorn
(production settings, dispatch_site/gunicorn.conf.py) and runs the clients until the time or the request
budget is spent. Each request goes to a random application, as its developer: lists with ?application=,
get by name, the application's entities/ and everyone's entities/; creates of functions and secrets;
PATCH of a function with its revision (a 409 when another client got there first is expected); deletes
of what the load created. Afterwards it reads every application back through the API: every acknowledged
create must be there unless its delete was acknowledged, every acknowledged delete must be gone, and
every function's revision must be at least the last one acknowledged to a PATCH.

It prints throughput, p50/p95/p99 per operation and the counts by status, writes JSON
(benchmarks/results/load.json by default) and exits 1 on any 5xx, transport error, unexpected status or
lost write.
"""

import argparse
import json
import os
import random
import secrets
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from common import HTTPS, ROOT, gunicorn, percentile, setup_django

APPLICATIONS = 20
FUNCTIONS_PER_APPLICATION = 10
SECRETS_PER_APPLICATION = 2
# Operation: relative weight. Reads are about two thirds of the requests.
MIX = {
    "list functions": 18,
    "list secrets": 6,
    "get function": 20,
    "application entities": 8,
    "all entities": 6,
    "create function": 14,
    "create secret": 8,
    "update function": 14,
    "delete function": 4,
    "delete secret": 2,
}
SOURCE = "def handle(context, payload):\n    return payload\n"


@dataclass
class App:
    """What the clients know of one application: what they were told exists, with its revision."""

    name: str
    token: str
    image: str
    functions: dict[str, int] = field(default_factory=dict)  # live function: last revision seen
    secrets: set[str] = field(default_factory=set)  # live secrets
    created: set[tuple[str, str]] = field(default_factory=set)  # (kind, name) acknowledged 201
    deleted: set[tuple[str, str]] = field(default_factory=set)  # (kind, name) acknowledged 204
    deletable: dict[str, set[str]] = field(default_factory=lambda: {"functions": set(), "secrets": set()})
    patched: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (revision, timeout) acked


class Ledger:
    """Every client's view of the applications, behind one lock, and the latencies and statuses."""

    def __init__(self, apps: list[App]):
        self.apps = apps
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.problems: list[str] = []

    def record(self, operation, started, status):
        with self.lock:
            self.latencies[operation].append((time.perf_counter() - started) * 1000)
            self.statuses[operation][status] += 1

    def problem(self, message):
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(message)


def create_database(database_url: str):
    """Drop and create the database the URL names, connecting to the server's `postgres` database."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(database_url)["dbname"]
    with psycopg.connect(make_conninfo(database_url, dbname="postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare() -> list[App]:
    """Migrate, and make the applications, their developers, tokens and first entities (through the
    services, as a person would)."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from applications.services import application_create, membership_set
    from applications.tokens import token_create
    from entities.services import entity_create

    call_command("migrate", verbosity=0)
    root = User.objects.create_superuser("load-root", password=None)
    base = entity_create(
        kind="base-image",
        user=root,
        fields={
            "name": "python3-base",
            "docker_url": "dispatchframework/python3-base:0.0.13",
            "language": "python3",
        },
    )
    apps = []
    for i in range(APPLICATIONS):
        application = application_create(user=root, name=f"load-{i:02d}")
        developer = User.objects.create_user(f"load-dev-{i:02d}")
        membership_set(application=application, user=root, role="developer", member_user=developer)
        _, key = token_create(user=developer, name="load")
        image = entity_create(
            kind="image",
            user=developer,
            fields={"name": f"{application.name}-image", "base_image": base},
            applications=[application],
        )
        app = App(name=application.name, token=key, image=image.name)
        for j in range(FUNCTIONS_PER_APPLICATION):
            function = entity_create(
                kind="function",
                user=developer,
                fields={"name": f"{application.name}-fn-{j}", "image": image, "handler": "main.handle"},
                applications=[application],
            )
            app.functions[function.name] = function.revision
        for j in range(SECRETS_PER_APPLICATION):
            secret = entity_create(
                kind="secret",
                user=developer,
                fields={
                    "name": f"{application.name}-secret-{j}",
                    "values": {"password": secrets.token_hex(8)},
                },
                applications=[application],
            )
            app.secrets.add(secret.name)
        apps.append(app)
    return apps


class Client:
    """One simulated script: a thread with its own connection, choosing operations at random."""

    def __init__(self, number, base, ledger, seed):
        self.number = number
        self.ledger = ledger
        self.random = random.Random(seed * 1000 + number)
        self.http = httpx.Client(base_url=base, headers=HTTPS, timeout=30)
        self.made = 0
        self.operations, self.weights = zip(*MIX.items(), strict=True)

    def run(self, deadline, budget):
        try:
            while time.monotonic() < deadline and budget():
                app = self.random.choice(self.ledger.apps)
                operation = self.random.choices(self.operations, self.weights)[0]
                try:
                    self.do(operation, app)
                except httpx.HTTPError as error:
                    self.ledger.record(operation, time.perf_counter(), type(error).__name__)
                    self.ledger.problem(f"{operation} in {app.name}: {type(error).__name__}: {error}")
        finally:
            self.http.close()

    def call(self, operation, app, method, url, **kwargs):
        started = time.perf_counter()
        response = self.http.request(method, url, headers={"Authorization": f"Token {app.token}"}, **kwargs)
        self.ledger.record(operation, started, response.status_code)
        return response

    def unexpected(self, operation, app, response):
        self.ledger.problem(
            f"{operation} in {app.name}: unexpected {response.status_code} {response.text[:300]}"
        )

    def pick(self, app, kind):
        with self.ledger.lock:
            names = sorted(app.functions) if kind == "functions" else sorted(app.secrets)
        return self.random.choice(names) if names else None

    def still_live(self, app, name):
        with self.ledger.lock:
            return name in app.functions

    def do(self, operation, app):
        ledger = self.ledger
        if operation in ("list functions", "list secrets"):
            kind = operation.split()[1]
            response = self.call(operation, app, "GET", f"/api/v1/{kind}/", params={"application": app.name})
            if response.status_code != 200:
                self.unexpected(operation, app, response)
        elif operation == "application entities":
            response = self.call(operation, app, "GET", f"/api/v1/applications/{app.name}/entities/")
            if response.status_code != 200:
                self.unexpected(operation, app, response)
        elif operation == "all entities":
            response = self.call(operation, app, "GET", "/api/v1/entities/")
            if response.status_code != 200:
                self.unexpected(operation, app, response)
        elif operation == "get function":
            name = self.pick(app, "functions")
            response = self.call(
                operation, app, "GET", f"/api/v1/functions/{name}/", params={"application": app.name}
            )
            if response.status_code == 200:
                with ledger.lock:
                    if name in app.functions:
                        app.functions[name] = max(app.functions[name], response.json()["revision"])
            elif response.status_code != 404 or self.still_live(app, name):
                self.unexpected(operation, app, response)
        elif operation in ("create function", "create secret"):
            self.made += 1
            kind = operation.split()[1] + "s"
            name = f"{app.name}-c{self.number}-{self.made}"
            body = {"name": name, "applications": [app.name]}
            if kind == "functions":
                body |= {"image": app.image, "handler": "main.handle", "source": SOURCE}
            else:
                body |= {"values": {"password": secrets.token_hex(8)}}
            response = self.call(operation, app, "POST", f"/api/v1/{kind}/", json=body)
            if response.status_code == 201:
                with ledger.lock:
                    app.created.add((kind, name))
                    app.deletable[kind].add(name)
                    if kind == "functions":
                        app.functions[name] = response.json()["revision"]
                    else:
                        app.secrets.add(name)
            else:
                self.unexpected(operation, app, response)
        elif operation == "update function":
            with ledger.lock:
                name = self.random.choice(sorted(app.functions))
                revision = app.functions[name]
            timeout = self.random.randint(1, 900)
            response = self.call(
                operation,
                app,
                "PATCH",
                f"/api/v1/functions/{name}/",
                json={"timeout": timeout, "revision": revision},
            )
            if response.status_code == 200:
                new = response.json()["revision"]
                with ledger.lock:
                    if name in app.functions:
                        app.functions[name] = max(app.functions[name], new)
                    if new > app.patched.get(name, (0, 0))[0]:
                        app.patched[name] = (new, timeout)
            elif response.status_code == 409:
                pass  # another client changed it first: exactly what the revision is for
            elif response.status_code != 404 or self.still_live(app, name):
                self.unexpected(operation, app, response)
        elif operation in ("delete function", "delete secret"):
            kind = operation.split()[1] + "s"
            with ledger.lock:
                names = sorted(app.deletable[kind])
                if not names:
                    return
                name = self.random.choice(names)
                app.deletable[kind].discard(name)  # no one else reads, changes or deletes it from now on
                app.functions.pop(name, None) if kind == "functions" else app.secrets.discard(name)
            response = self.call(operation, app, "DELETE", f"/api/v1/{kind}/{name}/")
            if response.status_code == 204:
                with ledger.lock:
                    app.deleted.add((kind, name))
            else:
                self.unexpected(operation, app, response)


def read_back(base, app) -> dict[str, dict[str, dict]]:
    """Every function and secret of the application, by name, through the API."""
    found = {}
    with httpx.Client(base_url=base, headers={**HTTPS, "Authorization": f"Token {app.token}"}) as http:
        for kind in ("functions", "secrets"):
            found[kind] = {}
            url, params = f"/api/v1/{kind}/", {"application": app.name, "limit": 1000}
            while url:
                page = http.get(url, params=params)
                page.raise_for_status()
                data = page.json()
                found[kind].update({item["name"]: item for item in data["results"]})
                url, params = data["next"], None
    return found


def lost_writes(base, apps) -> list[str]:
    """Each acknowledged write that the database does not show, in words."""
    lost = []
    for app in apps:
        found = read_back(base, app)
        for kind, name in sorted(app.created - app.deleted):
            if name not in found[kind]:
                lost.append(f"{kind} {name} in {app.name}: created (201) but missing")
        for kind, name in sorted(app.deleted):
            if name in found[kind]:
                lost.append(f"{kind} {name} in {app.name}: deleted (204) but still there")
        for name, (revision, timeout) in sorted(app.patched.items()):
            stored = found["functions"].get(name)
            if stored is None:
                if ("functions", name) not in app.deleted:
                    lost.append(f"function {name} in {app.name}: changed (200) but missing")
            elif stored["revision"] < revision or (
                stored["revision"] == revision and stored["timeout"] != timeout
            ):
                lost.append(
                    f"function {name} in {app.name}: PATCH acknowledged revision {revision} timeout "
                    f"{timeout}, stored revision {stored['revision']} timeout {stored['timeout']}"
                )
    return lost


def summarise(ledger, wall, args) -> dict:
    total = sum(len(values) for values in ledger.latencies.values())
    by_status = Counter()
    operations = {}
    for operation in MIX:
        values = ledger.latencies.get(operation, [])
        by_status.update({str(k): v for k, v in ledger.statuses[operation].items()})
        operations[operation] = {
            "requests": len(values),
            "rps": len(values) / wall,
            "p50_ms": percentile(values, 0.50) if values else None,
            "p95_ms": percentile(values, 0.95) if values else None,
            "p99_ms": percentile(values, 0.99) if values else None,
            "statuses": {str(k): v for k, v in sorted(ledger.statuses[operation].items(), key=str)},
        }
    everything = [value for values in ledger.latencies.values() for value in values]
    return {
        "clients": args.clients,
        "seconds": wall,
        "workers": args.workers,
        "applications": APPLICATIONS,
        "cpus": os.cpu_count(),
        "load_average_after": os.getloadavg(),
        "requests": total,
        "throughput_rps": total / wall,
        "p50_ms": percentile(everything, 0.50) if everything else None,
        "p95_ms": percentile(everything, 0.95) if everything else None,
        "p99_ms": percentile(everything, 0.99) if everything else None,
        "by_status": dict(sorted(by_status.items())),
        "operations": operations,
    }


def print_report(report):
    print(
        f"{'operation':22} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  statuses"
    )
    for name, row in report["operations"].items():
        if row["requests"]:
            print(
                f"{name:22} {row['requests']:8} {row['rps']:7.1f} {row['p50_ms']:7.1f} {row['p95_ms']:7.1f} "
                f"{row['p99_ms']:7.1f}  {row['statuses']}"
            )
    print(
        f"{'all':22} {report['requests']:8} {report['throughput_rps']:7.1f} {report['p50_ms']:7.1f} "
        f"{report['p95_ms']:7.1f} {report['p99_ms']:7.1f}  {report['by_status']}"
    )
    print(
        f"{report['clients']} clients, {report['seconds']:.1f} s, {report['workers']} gunicorn workers, "
        f"{report['cpus']} CPUs; lost writes: {len(report['lost_writes'])}, "
        f"problems: {len(report['problems'])}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/dispatch_load",
        help="A PostgreSQL database to drop, create and fill (default: %(default)s).",
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--max-requests", type=int, default=200_000, help="A bound on requests in all.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "load.json"))
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        parser.error("give --database-url postgres://… (the load test runs on PostgreSQL)")

    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
    create_database(args.database_url)
    setup_django(args.database_url)
    apps = prepare()
    from django.db import connections

    connections.close_all()  # the server's workers need the connections, not this process
    ledger = Ledger(apps)
    sent = iter(range(args.max_requests))
    budget_lock = threading.Lock()

    def budget():
        with budget_lock:
            return next(sent, None) is not None

    log_path = Path(args.out).with_suffix(".server.log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log, gunicorn(args.database_url, args.workers, log=log) as base:
        clients = [Client(n, base, ledger, args.seed) for n in range(args.clients)]
        started = time.perf_counter()
        deadline = time.monotonic() + args.seconds
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for future in [pool.submit(client.run, deadline, budget) for client in clients]:
                future.result()
        wall = time.perf_counter() - started
        lost = lost_writes(base, apps)
    report = summarise(ledger, wall, args)
    report["lost_writes"] = lost
    report["problems"] = ledger.problems
    report["acknowledged"] = {
        "creates": sum(len(app.created) for app in apps),
        "deletes": sum(len(app.deleted) for app in apps),
        "patches": sum(len(app.patched) for app in apps),
    }
    Path(args.out).write_text(json.dumps(report, indent=2))
    print_report(report)
    print(f"Wrote {args.out} (server log: {log_path})")
    server_errors = sum(v for k, v in report["by_status"].items() if k.startswith("5"))
    for line in lost + ledger.problems:
        print("FAIL:", line, file=sys.stderr)
    if server_errors or lost or ledger.problems:
        raise SystemExit(
            f"{server_errors} server errors, {len(lost)} lost writes, {len(ledger.problems)} problems"
        )


if __name__ == "__main__":
    main()

"""Benchmark function runs: the sandbox's cost beside what is unavoidable, through the whole stack.

    .venv/bin/python benchmarks/runs.py                      # SQLite file, database task backend
    .venv/bin/python benchmarks/runs.py --database-url postgres://postgres@127.0.0.1:5432/dispatch_runs

It prints, in milliseconds (p50 / p95) or runs per second:
- floor: Dispatch's `hello.py` handler called in this process (no sandbox, no HTTP, no database);
- bare bwrap: `bwrap … /usr/bin/python3 -c pass` with the sandbox's own options and limits;
- runner: one run of `hello` through entities/runs/runner.py, in process: in a fresh sandbox (shim,
  JSON), then in a warm one (the sandbox of the previous call of the same function revision);
- blocking via API: POST /api/v1/functions/hello/runs/ against gunicorn (2 workers): the first run
  after the server started (cold: a fresh server process and a fresh sandbox), then the next ones
  (each gunicorn worker keeps its warm sandbox of `hello`);
- async throughput: runs queued through the API (4 clients at once), executed by 2 `manage.py
  runs_worker` processes: runs finished per second, counted from the database: the runs over the time
  from the first one's `created` to the last one's `finished_time`, every one READY.

Beside the API rows, the CPU time the processes this benchmark started (gunicorn, the workers, their
sandboxes; not PostgreSQL) spent per run: on a machine others load, wall-clock figures move with the
load, CPU per run much less.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from common import HTTPS, ROOT, gunicorn, percentile, runs_workers, setup_runs_django

HELLO = (ROOT / "docs" / "examples" / "hello.py").read_text()
PAYLOAD = {"name": "Jon", "place": "Winterfell"}


def figures(timings_ms) -> str:
    return f"{statistics.median(timings_ms):8.3f} / {percentile(timings_ms, 0.95):8.3f}"


def prepare():
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from applications.models import Application, Membership, Role
    from applications.tokens import token_create
    from entities import models as m

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-runs")
    app, _ = Application.objects.get_or_create(name="bench-runs", defaults={"slug": "bench-runs"})
    Membership.objects.get_or_create(application=app, user=user, defaults={"role": Role.DEVELOPER})
    base, _ = m.BaseImage.objects.get_or_create(name="bench-python3", defaults={"language": "python3"})
    image, _ = m.Image.objects.get_or_create(name="bench-python3", defaults={"base_image": base})
    function, created = m.Function.objects.get_or_create(
        name="hello", defaults={"image": image, "handler": "hello.handle", "source": HELLO}
    )
    if created:
        image.applications.set([app])
        function.applications.set([app])
    _, key = token_create(user=user, name=f"bench-{secrets.token_hex(4)}")
    return key


def floor(repeat: int) -> list[float]:
    namespace: dict = {}
    exec(compile(HELLO, "hello.py", "exec"), namespace)  # noqa: S102 - the benchmark's own example
    handle, timings = namespace["handle"], []
    with open(os.devnull, "w") as sink:
        stdout, sys.stdout = sys.stdout, sink
        try:
            for _ in range(repeat):
                started = time.perf_counter()
                handle({}, dict(PAYLOAD))
                timings.append((time.perf_counter() - started) * 1000)
        finally:
            sys.stdout = stdout
    return timings


def bare_bwrap(repeat: int) -> list[float]:
    from entities.runs import sandbox

    command = sandbox.command("python3", sandbox.limits()["memory_mb"])
    command = command[: command.index("/usr/bin/python3")] + ["/usr/bin/python3", "-c", "pass"]
    timings = []
    for _ in range(repeat):
        confine = sandbox.confiner(cpu_seconds=5, memory_mb=sandbox.address_space_mb("python3"))
        started = time.perf_counter()
        subprocess.run(command, preexec_fn=confine, check=True)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def runner_only(repeat: int, *, warm: bool) -> list[float]:
    """Fresh: no function id, so no warm sandbox. Warm: one call first, not timed, starts it."""
    from entities.runs import runner

    timings = []
    for _ in range(repeat + warm):
        started = time.perf_counter()
        outcome = runner.execute(
            language="python3",
            source=HELLO,
            handler="hello.handle",
            context={},
            payload=PAYLOAD,
            timeout_ms=0,
            function_id="bench-hello" if warm else None,
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert outcome.error is None, outcome.error
    return timings[warm:]


def cpu_ms(database: str) -> tuple[float, float]:
    """CPU time so far (Linux /proc) of the live processes this one started and their descendants,
    with what their finished children used (the server, the workers and their sandboxes), and of the
    PostgreSQL backends connected to `database` (their process title names it)."""
    parents, spent, backends = {}, {}, set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            title = (stat.parent / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        spent[pid] = sum(int(ticks) for ticks in fields[11:15])  # utime stime cutime cstime
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            backends.add(pid)
    mine, joining = {os.getpid()}, True
    while joining:  # each pass adds a generation
        joining = {pid for pid, parent in parents.items() if parent in mine and pid not in mine}
        mine |= joining
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    started = sum(spent[pid] for pid in mine - {os.getpid()})
    return started * tick_ms, sum(spent[pid] for pid in backends) * tick_ms


class CPU:
    """CPU per run over a block: of the processes the benchmark started, and of PostgreSQL."""

    def __init__(self, database_url: str):
        self.database = database_url.rsplit("/", 1)[-1] if database_url.startswith("postgres") else None

    def __enter__(self):
        self.started = cpu_ms(self.database or "-")
        return self

    def __exit__(self, *exc):
        ended = cpu_ms(self.database or "-")
        self.processes, self.postgres = (end - start for start, end in zip(self.started, ended, strict=True))

    def per_run(self, runs: int) -> str:
        postgres = f" + PostgreSQL {self.postgres / runs:.1f}" if self.database else ""
        return f"CPU ms/run: server and workers {self.processes / runs:.1f}{postgres}"


def blocking(base: str, key: str, repeat: int, cpu: CPU) -> tuple[float, list[float]]:
    """The first run's time (cold) and the next runs' times (their CPU into `cpu`)."""
    headers = {**HTTPS, "Authorization": f"Token {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:

        def run() -> float:
            started = time.perf_counter()
            response = client.post("/api/v1/functions/hello/runs/", json={"input": PAYLOAD})
            assert response.status_code == 200, response.text[:300]
            return (time.perf_counter() - started) * 1000

        cold = run()
        with cpu:
            return cold, [run() for _ in range(repeat)]


def async_throughput(base: str, key: str, count: int, env: dict, cpu: CPU) -> float:
    """Runs finished per second, counted from the database (their CPU into `cpu`)."""
    from django.db.models import Max, Min

    from entities import models as m

    headers = {**HTTPS, "Authorization": f"Token {key}"}
    with runs_workers(env, 2), cpu:
        client = httpx.Client(base_url=base, headers=headers, timeout=60)
        with client, ThreadPoolExecutor(4) as pool:

            def enqueue(_):
                response = client.post("/api/v1/runs/", json={"function": "hello", "blocking": False})
                assert response.status_code == 202, response.text[:300]
                return response.json()["name"]

            names = list(pool.map(enqueue, range(count)))
        runs = m.FunctionRun.objects.filter(name__in=names)
        while runs.filter(status__in=["INITIALIZED", "CREATING"]).exists():
            time.sleep(0.05)
    assert not runs.exclude(status="READY").exists()
    span = runs.aggregate(first=Min("created"), last=Max("finished_time"))
    return count / (span["last"] - span["first"]).total_seconds()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="Default: a new SQLite file.")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--async-runs", type=int, default=100)
    args = parser.parse_args()
    database_url = setup_runs_django(args.database_url, "runs")
    key = prepare()
    print(f"database: {database_url.split('@')[-1]}   repeat: {args.repeat}")
    print(f"{'what':44} {'p50 ms':>8} / {'p95 ms':>8}")
    print(f"{'floor: handler called in process':44} {figures(floor(1000))}")
    print(f"{'bare bwrap … python3 -c pass':44} {figures(bare_bwrap(args.repeat))}")
    print(f"{'runner: fresh sandbox, in process':44} {figures(runner_only(args.repeat, warm=False))}")
    print(f"{'runner: warm sandbox, in process':44} {figures(runner_only(args.repeat, warm=True))}")
    env = {**os.environ, "DATABASE_URL": database_url}
    with gunicorn(database_url, workers=2) as base:
        blocking_cpu, async_cpu = CPU(database_url), CPU(database_url)
        cold, warm = blocking(base, key, args.repeat, blocking_cpu)
        print(f"{'blocking via API, first after start (cold)':44} {cold:8.2f}")
        print(f"{'blocking via API, server warm':44} {figures(warm)}   {blocking_cpu.per_run(args.repeat)}")
        rate = async_throughput(base, key, args.async_runs, env, async_cpu)
        async_row = f"{'async via API, 2 runs_worker processes':44} {rate:8.1f} runs/s"
        print(f"{async_row}   {async_cpu.per_run(args.async_runs)}")


if __name__ == "__main__":
    main()

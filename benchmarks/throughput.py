"""Requests per second at concurrency 1 and 8, sent by ApacheBench instead of run.py's Python threads.

    apt-get install -y apache2-utils   # ab
    .venv/bin/python benchmarks/throughput.py --database-url postgres://postgres@127.0.0.1:5432/dispatch_bench

run.py's own client spends about 1 ms of CPU a request (Python, httpx): for a read that takes 4 ms,
a quarter of the 2 cores the server also needs once 8 requests are in flight. ab, written in C, spends
a few microseconds, so its ratio of c=8 to c=1 shows how far the server scales by itself. It serves
the project as run.py does (gunicorn, 2 workers, production settings), sends each operation's
requests (2,000 by default) at c=1, c=8, c=1, c=8, and prints requests per second and the ratios.
"""

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime

from common import gunicorn
from run import _commit, operations, served_parser, start, write_report


def rate(base: str, path: str, headers: dict, requests: int, concurrency: int) -> float:
    command = ["ab", "-q", "-n", str(requests), "-c", str(concurrency)]
    for name, value in {"X-Forwarded-Proto": "https", **headers}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, base + path], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx responses:\s+[1-9]", output) or re.search(r"Failed requests:\s+[1-9]", output):
        raise SystemExit(f"{path} answered with errors:\n{output}")
    found = re.search(r"Requests per second:\s+([\d.]+)", output)
    if found is None:
        raise SystemExit(f"ab printed no rate for {path}:\n{output}")
    return float(found.group(1))


def main(argv=None):
    parser = served_parser(__doc__, requests=2000, per="an operation a round", out="throughput-latest.json")
    parser.add_argument("--only", action="append", help="Operations whose name contains this; repeatable.")
    args = parser.parse_args(argv)
    if shutil.which("ab") is None:
        parser.error("ApacheBench is missing: apt-get install -y apache2-utils")
    dev_key, root_key, session_key = start(parser, args, generate=False)
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "client": "ab",
        "load_average_before": os.getloadavg(),
        "operations": [],
    }
    print(f"{'operation':34} {'c=1 req/s':>10} {'c=8 req/s':>10} {'c=8 / c=1':>10}")
    with gunicorn(args.database_url, args.workers) as base:
        for name, path, headers in operations(dev_key, root_key, session_key):
            if (args.only and not any(part in name for part in args.only)) or "{deep_cursor}" in path:
                continue
            rounds = {1: [], 8: []}
            for concurrency in (1, 8, 1, 8):
                rounds[concurrency].append(rate(base, path, headers, args.requests, concurrency))
            ratios = [eight / one for one, eight in zip(rounds[1], rounds[8], strict=True)]
            one, eight = max(rounds[1]), max(rounds[8])
            print(f"{name:34} {one:10.1f} {eight:10.1f} {' / '.join(f'{r:.2f}' for r in ratios):>10}")
            report["operations"].append({"operation": name, "path": path, "rps": rounds, "ratios": ratios})
    write_report(report, args.out)


if __name__ == "__main__":
    main()

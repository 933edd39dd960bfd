"""`dispatch get metrics [FUNCTION] -a APP [--range 1h|24h|7d] [--since T] [--until T] [--step 1m|1h|1d]`:
an application's run metrics from GET /api/v1/applications/{name}/metrics/, as a few compact tables
(steps without runs or events are left out), or the API's JSON/YAML with -o json|yaml."""

from .. import output
from ..errors import CLIError

NOUNS = ("metrics", "metric")


def cmd_get_metrics(session) -> None:
    args = session.args
    application = session.settings.application
    if not application:
        raise CLIError("Name the application: `dispatch get metrics -a APPLICATION`.", exit_code=2)
    params = {
        key: value
        for key, value in {
            "range": getattr(args, "metrics_range", None),
            "since": getattr(args, "metrics_since", None),
            "until": getattr(args, "metrics_until", None),
            "step": getattr(args, "metrics_step", None),
            "function": args.name,
        }.items()
        if value
    }
    try:
        figures = session.client.json("GET", f"applications/{application}/metrics/", params=params)
    except CLIError as exc:
        if exc.status == 404:
            exc.message = f"Application '{application}' does not exist."
        raise
    if session.mode in ("json", "yaml"):
        session.print(figures)
    else:
        print(render(figures), file=session.out)


def _ms(value) -> str:
    return "-" if value is None else str(value)


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def render(figures: dict) -> str:
    totals = figures["totals"]
    durations = totals["duration_ms"]
    who = figures["application"] + (f", function {figures['function']}" if figures["function"] else "")
    lines = [
        f"{who}: {output.cell(figures['since'])} to {output.cell(figures['until'])} UTC, "
        f"by {figures['step']}",
        f"runs {totals['runs']}  failed {totals['failed']} ({_percent(totals['error_rate'])})  "
        f"unfinished {totals['unfinished']}  events in {totals['events_in']}  "
        f"caused by events {totals['caused_by_events']}  "
        f"p50/p95/p99 {_ms(durations['p50'])}/{_ms(durations['p95'])}/{_ms(durations['p99'])} ms",
    ]
    busy = [p for p in figures["series"] if p["runs"] or p["events_in"]]
    if busy:
        rows = [
            {
                "time": p["time"],
                "runs": p["runs"],
                "failed": p["failed"],
                "error_rate": _percent(p["error_rate"]),
                "events_in": p["events_in"],  # runs caused per step too would not fit 80 columns
                "p50_ms": _ms(p["duration_ms"]["p50"]),
                "p95_ms": _ms(p["duration_ms"]["p95"]),
                "p99_ms": _ms(p["duration_ms"]["p99"]),
            }
            for p in busy
        ]
        lines += ["", output.table(rows, None, headers=list(rows[0]))]
    if figures["errors_by_type"]:
        rows = [
            {"error_type": e["type"], "runs": e["count"], "share": _percent(e["rate"])}
            for e in figures["errors_by_type"]
        ]
        lines += ["", output.table(rows, None, headers=list(rows[0]))]
    if figures["slowest_functions"]:
        rows = [
            {"slowest_function": f["function"], "runs": f["runs"], "p95_ms": f["duration_ms"]["p95"]}
            for f in figures["slowest_functions"]
        ]
        lines += ["", output.table(rows, None, headers=list(rows[0]))]
    if figures["most_failing_functions"]:
        rows = [
            {
                "most_failing_function": f["function"],
                "failed": f["failed"],
                "error_rate": _percent(f["error_rate"]),
            }
            for f in figures["most_failing_functions"]
        ]
        lines += ["", output.table(rows, None, headers=list(rows[0]))]
    rows = [
        {"quota": q["label"], "used": q["used"], "limit": "none" if q["limit"] is None else q["limit"]}
        for q in figures["quotas"]
    ]
    lines += ["", output.table(rows, None, headers=list(rows[0]))]
    return "\n".join(lines)

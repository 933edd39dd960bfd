"""Execute one function call in a sandbox and say what came of it.

The runner knows nothing of runs, users or the database: it is given the code, the handler, the
context (secrets decrypted by the caller, only to be handed to the sandbox) and the payload, and
returns an Outcome. Time is bounded by the function's timeout (a kill), CPU and memory by rlimits,
and what the function writes by caps: 1 MiB of stdout and of stderr each, 1 MiB of result.
"""

import base64
import math
import posixpath
import signal
import time
from dataclasses import dataclass, field

from entities.models import handler_file

from . import sandbox, warm
from .process import SandboxProcess

INPUT_ERROR = "InputError"
FUNCTION_ERROR = "FunctionError"
SYSTEM_ERROR = "SystemError"
MASK = "[secret]"


@dataclass
class Outcome:
    output: object = None
    error: dict | None = None
    logs: dict = field(default_factory=lambda: {"stdout": [], "stderr": []})
    duration_ms: int = 0


def failure(kind: str, message: str, stacktrace=()) -> dict:
    return {"type": kind, "message": message, "stacktrace": list(stacktrace)}


def _lines(stream, masked) -> list[str]:
    text = masked(stream.text())
    lines = text.splitlines()
    if stream.over:
        lines.append(f"[truncated: more than {stream.cap} bytes]")
    return lines


def _masker(secret_values):
    values = sorted({v for v in secret_values if isinstance(v, str) and len(v) >= 3}, key=len, reverse=True)

    def masked(text: str) -> str:
        for value in values:
            text = text.replace(value, MASK)
        return text

    return masked


def normalize_handler(language: str, handler: str, files=None) -> str:
    """Python's `module.function` (Dispatch's default `<file>.handle`); for a source folder, node's
    handler is the path of the file to load, and python's module is that file's, dotted."""
    handler = (handler or "").strip()
    if files:
        entry = handler_file(handler, files)
        if language != "python3":
            return entry
        named_by_path = posixpath.normpath(handler) in files
        function = "handle" if named_by_path else handler.rsplit(".", 1)[-1]
        module = entry.rsplit(".", 1)[0].removesuffix("/__init__").replace("/", ".")
        return f"{module}.{function}"
    if language != "python3":
        return handler
    if "." not in handler:
        return f"function.{handler or 'handle'}"
    return handler


def execute(
    *,
    language: str,
    source: str,
    handler: str,
    context: dict,
    payload,
    timeout_ms: int,
    secret_values=(),
    files=None,
    function_id=None,
) -> Outcome:
    """Run the handler once; never raises for what the function does. `files` is a source folder
    (relative path → bytes, checked by the domain), written into the sandbox's /tmp. With a
    `function_id` the call goes to a warm sandbox of this function revision when this process keeps
    one, and the sandbox is kept for the next call when it ended cleanly (entities/runs/warm.py)."""
    limit = sandbox.limits()
    timeout_ms = timeout_ms or limit["timeout_ms"]
    masked = _masker(secret_values)
    if language not in sandbox.RUNTIMES:
        return Outcome(error=failure(SYSTEM_ERROR, f"Functions in {language} cannot run here yet."))
    if sandbox.bwrap() is None:
        return Outcome(error=failure(SYSTEM_ERROR, "The sandbox (bubblewrap) is not installed here."))
    function = {
        "source": source,
        "files": {path: base64.b64encode(data).decode() for path, data in (files or {}).items()},
        "handler": normalize_handler(language, handler, files),
    }
    pooled = function_id is not None and limit["warm_sandboxes"] > 0
    revision = warm.key(function_id, language, function, timeout_ms, limit) if pooled else None
    per_call = math.ceil(timeout_ms / 1000) + 1  # CPU seconds one call may use
    cpu_budget = per_call * (limit["warm_runs"] if pooled else 1)  # a sandbox's, over all its calls
    started = time.monotonic()
    box = warm.POOL.take(revision, idle_seconds=limit["warm_idle_seconds"]) if pooled else None
    if box is None:
        try:
            box = SandboxProcess.start(
                command=sandbox.command(language, limit["memory_mb"]),
                preexec_fn=sandbox.confiner(
                    cpu_seconds=cpu_budget, memory_mb=sandbox.address_space_mb(language)
                ),
                function=function,
                caps=limit,
                spawn=warm.POOL.spawn,
            )
        except OSError as exc:
            return Outcome(error=failure(SYSTEM_ERROR, f"The sandbox could not start: {exc}."))
    reply = box.call({"context": context, "payload": payload}, started + timeout_ms / 1000)
    if pooled and box.alive and box.calls < limit["warm_runs"] and box.cpu_seconds + per_call <= cpu_budget:
        warm.POOL.give(revision, box, capacity=limit["warm_sandboxes"])
    else:
        box.close()
    return _outcome(reply, limit, timeout_ms, masked, int((time.monotonic() - started) * 1000))


def _outcome(reply, limit: dict, timeout_ms: int, masked, duration_ms: int) -> Outcome:
    logs = {"stdout": _lines(reply.stdout, masked), "stderr": _lines(reply.stderr, masked)}
    outcome = Outcome(logs=logs, duration_ms=duration_ms)
    if reply.reason == "timeout":
        outcome.error = failure(FUNCTION_ERROR, f"The function exceeded the timeout of {timeout_ms} ms.")
    elif reply.reason == "logs":
        outcome.error = failure(
            FUNCTION_ERROR, f"The function wrote over {limit['log_bytes']} bytes of logs and was stopped."
        )
    elif reply.reason == "output":
        outcome.error = failure(
            FUNCTION_ERROR, f"The function's result is larger than {limit['output_bytes']} bytes."
        )
    elif reply.answered:
        outcome.output, outcome.error = _decode(reply.result, masked)
    else:
        outcome.error = _died(reply.returncode, logs)
    if outcome.error is not None:
        outcome.output = None
    return outcome


def _decode(result, masked):
    if not isinstance(result, dict) or ("output" not in result and "error" not in result):
        return None, failure(FUNCTION_ERROR, "The function's result is not JSON.")
    error = result.get("error")
    if error is not None:
        kind = error.get("type") if error.get("type") in (INPUT_ERROR, FUNCTION_ERROR) else FUNCTION_ERROR
        stacktrace = [masked(str(line)) for line in error.get("stacktrace") or []][:200]
        return None, failure(kind, masked(str(error.get("message", "")))[:4096], stacktrace)
    return result["output"], None


def _died(returncode: int, logs: dict) -> dict:
    """Why a sandbox ended without a result: a limit, a crash, or the sandbox itself."""
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU, 128 + signal.SIGKILL):
        return failure(FUNCTION_ERROR, "The function used up its CPU time and was stopped.")
    if any(line.startswith("bwrap:") for line in logs["stderr"][:3]):
        return failure(SYSTEM_ERROR, f"The sandbox could not start: {logs['stderr'][0]}")
    return failure(
        FUNCTION_ERROR, f"The function ended without a result (exit status {returncode}); see its logs."
    )

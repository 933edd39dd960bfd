"""Execute one function call in the sandbox and say what came of it.

The runner knows nothing of runs, users or the database: it is given the code, the handler, the
context (secrets decrypted by the caller, only to be handed to the sandbox) and the payload, and
returns an Outcome. Time is bounded by the function's timeout (a kill), CPU and memory by rlimits,
and what the function writes by caps: 1 MiB of stdout and of stderr each, 1 MiB of result.
"""

import base64
import json
import math
import os
import posixpath
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field

from entities.models import handler_file

from . import sandbox

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


class Stream:
    """Bytes read from one pipe, kept up to a cap."""

    def __init__(self, cap: int):
        self.cap = cap
        self.chunks: list[bytes] = []
        self.size = 0
        self.over = False

    def add(self, data: bytes) -> None:
        room = self.cap - self.size
        if len(data) > room:
            self.over = True
            data = data[: max(room, 0)]
        self.chunks.append(data)
        self.size += len(data)

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def _lines(stream: Stream, masked) -> list[str]:
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
) -> Outcome:
    """Run the handler once in a fresh sandbox; never raises for what the function does. `files` is
    a source folder (relative path → bytes, checked by the domain), written into the sandbox's /tmp."""
    limit = sandbox.limits()
    timeout_ms = timeout_ms or limit["timeout_ms"]
    masked = _masker(secret_values)
    if language not in sandbox.RUNTIMES:
        return Outcome(error=failure(SYSTEM_ERROR, f"Functions in {language} cannot run here yet."))
    if sandbox.bwrap() is None:
        return Outcome(error=failure(SYSTEM_ERROR, "The sandbox (bubblewrap) is not installed here."))
    memory_mb = sandbox.address_space_mb(language)
    result_read, result_write = os.pipe()
    request = json.dumps(
        {
            "source": source,
            "files": {path: base64.b64encode(data).decode() for path, data in (files or {}).items()},
            "handler": normalize_handler(language, handler, files),
            "context": context,
            "payload": payload,
            "result_fd": result_write,  # bwrap passes inherited descriptors on unchanged
        }
    ).encode()
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            sandbox.command(language, limit["memory_mb"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(result_write,),
            preexec_fn=sandbox.confiner(cpu_seconds=math.ceil(timeout_ms / 1000) + 1, memory_mb=memory_mb),
            close_fds=True,
        )
    except OSError as exc:
        os.close(result_read)
        os.close(result_write)
        return Outcome(error=failure(SYSTEM_ERROR, f"The sandbox could not start: {exc}."))
    os.close(result_write)
    streams = {
        process.stdout: Stream(limit["log_bytes"]),
        process.stderr: Stream(limit["log_bytes"]),
    }
    result = Stream(limit["output_bytes"])
    reason = _pump(process, request, streams, result, result_read, started + timeout_ms / 1000)
    returncode = process.wait()
    duration_ms = int((time.monotonic() - started) * 1000)
    logs = {
        "stdout": _lines(streams[process.stdout], masked),
        "stderr": _lines(streams[process.stderr], masked),
    }
    outcome = Outcome(logs=logs, duration_ms=duration_ms)
    if reason == "timeout":
        outcome.error = failure(FUNCTION_ERROR, f"The function exceeded the timeout of {timeout_ms} ms.")
    elif reason == "logs":
        outcome.error = failure(
            FUNCTION_ERROR, f"The function wrote over {limit['log_bytes']} bytes of logs and was stopped."
        )
    elif reason == "output":
        outcome.error = failure(
            FUNCTION_ERROR, f"The function's result is larger than {limit['output_bytes']} bytes."
        )
    elif result.size:
        outcome.output, outcome.error = _decode(result.text(), masked)
    else:
        outcome.error = _died(returncode, logs)
    if outcome.error is not None:
        outcome.output = None
    return outcome


def _pump(process, request: bytes, streams: dict, result: Stream, result_read: int, deadline: float):
    """Feed the request and read the pipes until the process ends; stop it on a broken limit."""
    selector = selectors.DefaultSelector()
    for pipe in streams:
        selector.register(pipe, selectors.EVENT_READ)
    selector.register(result_read, selectors.EVENT_READ)
    selector.register(process.stdin, selectors.EVENT_WRITE)
    pending = memoryview(request)
    reason = None
    try:
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                reason = "timeout"
                break
            for key, _ in selector.select(timeout=min(remaining, 1.0)):
                if key.fileobj is process.stdin:
                    try:
                        written = os.write(process.stdin.fileno(), pending[:65536])
                    except (BrokenPipeError, OSError):
                        written = len(pending)
                    pending = pending[written:]
                    if not pending:
                        selector.unregister(process.stdin)
                        process.stdin.close()
                    continue
                fd = key.fileobj if isinstance(key.fileobj, int) else key.fileobj.fileno()
                data = os.read(fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                if key.fileobj == result_read:
                    result.add(data)
                    if result.over:
                        reason = "output"
                else:
                    stream = streams[key.fileobj]
                    stream.add(data)
                    if stream.over:
                        reason = "logs"
            if reason:
                break
    finally:
        selector.close()
        if reason:
            _kill(process)
        for pipe in (process.stdin, *streams):
            if not pipe.closed:
                pipe.close()
        os.close(result_read)
    return reason


def _kill(process) -> None:
    """Kill bwrap; its sandbox (a pid namespace whose init dies with it) goes with it."""
    try:
        process.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass


def _decode(text: str, masked):
    try:
        result = json.loads(text)
    except ValueError:
        return None, failure(FUNCTION_ERROR, "The function's result is not JSON.")
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

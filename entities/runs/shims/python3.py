"""Dispatch's python3 handler, served inside the sandbox.

The first line on stdin is the function, as JSON {"source", "files", "handler", "result_fd",
"marker"}: the shim imports the handler (`module.function`: the module is the source, or a file of the
source folder `files`). Each next line is one call {"context", "payload"}: the shim calls
`handle(context, payload)`, writes the result as one JSON line to a descriptor of its own
(`result_fd`), so what the function prints stays its logs, then ends the call's stdout and stderr
with the marker. A warm sandbox serves many calls of one function revision; the result says whether
this one may serve another (nothing it started is still running) and the CPU time used so far.
ValueError and TypeError are the caller's fault (InputError), as in Dispatch; any other exception is a
FunctionError.
"""

import base64
import importlib
import json
import os
import sys
import threading
import time
import traceback


def error(kind, exc):
    lines = traceback.format_exception(exc)
    stacktrace = [line.rstrip("\n") for chunk in lines[1:] for line in chunk.splitlines()]
    return {"error": {"type": kind, "message": f"{type(exc).__name__}: {exc}", "stacktrace": stacktrace}}


def write_files(files):
    for path, data in files.items():
        target = os.path.join("/tmp/function", path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as file:
            file.write(base64.b64decode(data))


def load(function):
    module_name, _, function_name = function["handler"].rpartition(".")
    os.makedirs("/tmp/function", exist_ok=True)
    if function["files"]:  # a source folder: its files as they were packed
        write_files(function["files"])
    else:
        with open(f"/tmp/function/{module_name}.py", "w", encoding="utf-8") as source:
            source.write(function["source"])
    sys.path.insert(0, "/tmp/function")
    return getattr(importlib.import_module(module_name), function_name)


def call(handle, request):
    try:
        return {"output": handle(request["context"], request["payload"])}
    except (ValueError, TypeError) as exc:
        return error("InputError", exc)
    except BaseException as exc:  # noqa: BLE001 - whatever the handler raised, including SystemExit
        return error("FunctionError", exc)


def encode(result, **about):
    try:
        return json.dumps({**result, **about}, allow_nan=False).encode() + b"\n"
    except (TypeError, ValueError) as exc:
        return encode(error("FunctionError", ValueError(f"The result is not JSON: {exc}")), **about)


def processes():
    """Processes in the sandbox (its own pid namespace): more than at the start means the function
    left one running, and the sandbox must not serve another call."""
    return sum(name.isdigit() for name in os.listdir("/proc"))


def main():
    function = json.loads(sys.stdin.buffer.readline())
    result_fd, marker = function["result_fd"], function["marker"].encode()
    baseline = processes()
    try:
        handle = load(function)
        failed = None
    except BaseException as exc:  # noqa: BLE001 - a module that cannot load is the function's fault
        handle, failed = None, error("FunctionError", exc)
    channel = os.fdopen(result_fd, "wb")
    for line in sys.stdin.buffer:
        result = failed or call(handle, json.loads(line))
        reusable = failed is None and processes() <= baseline and threading.active_count() == 1
        sys.stdout.flush()
        sys.stderr.flush()
        channel.write(encode(result, reusable=reusable, cpu=time.process_time()))
        channel.flush()
        os.write(1, marker)
        os.write(2, marker)
        if not reusable:
            break


main()

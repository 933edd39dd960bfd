"""Dispatch's python3 handler, called inside the sandbox.

Reads {"source", "files", "handler", "context", "payload"} as JSON on stdin, imports the handler
(`module.function`: the module is the source, or a file of the source folder `files`) and calls
`handle(context, payload)`. The result goes as JSON to a descriptor of its own (`result_fd`), so what
the function prints stays its logs.
ValueError and TypeError are the caller's fault (InputError), as in Dispatch; any other exception is a
FunctionError.
"""

import base64
import importlib
import json
import os
import sys
import traceback

RESULT_FD = []


def report(result):
    data = json.dumps(result, allow_nan=False).encode()
    with os.fdopen(RESULT_FD[0], "wb") as channel:
        channel.write(data)


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


def main():
    request = json.loads(sys.stdin.buffer.read())
    RESULT_FD.append(request["result_fd"])
    module_name, _, function_name = request["handler"].rpartition(".")
    os.makedirs("/tmp/function", exist_ok=True)
    if request["files"]:  # a source folder: its files as they were packed
        write_files(request["files"])
    else:
        with open(f"/tmp/function/{module_name}.py", "w", encoding="utf-8") as source:
            source.write(request["source"])
    sys.path.insert(0, "/tmp/function")
    try:
        module = importlib.import_module(module_name)
        handle = getattr(module, function_name)
    except BaseException as exc:  # noqa: BLE001 - a module that cannot load is the function's fault
        return report(error("FunctionError", exc))
    try:
        output = handle(request["context"], request["payload"])
    except (ValueError, TypeError) as exc:
        return report(error("InputError", exc))
    except BaseException as exc:  # noqa: BLE001 - whatever the handler raised, including SystemExit
        return report(error("FunctionError", exc))
    sys.stdout.flush()
    try:
        report({"output": output})
    except (TypeError, ValueError) as exc:
        report(error("FunctionError", ValueError(f"The result is not JSON: {exc}")))


main()

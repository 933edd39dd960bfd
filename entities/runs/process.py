"""One sandboxed interpreter serving calls of one function revision: the runner's side of the shims'
protocol (entities/runs/shims/).

The function goes to the shim once, as the first line on its stdin; each call is one more line. A
call's result comes back as one JSON line on a pipe of its own, and its stdout and stderr end with a
marker the shim writes after the call, so the logs of each call are its own even when one process
serves many. The caps hold per call, and breaking one (or the deadline) kills the process.
"""

import json
import os
import secrets
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass


class Channel:
    """What one pipe carried during a call: bytes up to the call's end marker, kept up to a cap."""

    def __init__(self, cap: int, end: bytes):
        self.cap = cap
        self.end = end
        self.data = bytearray()
        self.done = False
        self.over = False

    def add(self, data: bytes) -> None:
        self.data += data
        at = self.data.find(self.end)
        if at >= 0:
            del self.data[at:]  # what follows the marker was written after the call: no call's
            self.done = True
        if len(self.data) > self.cap + (0 if self.done else len(self.end)):
            self.over = True
            del self.data[self.cap :]

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class Reply:
    """What a call came to: whether the shim answered and its answer (None when not JSON), the call's
    logs, why it was stopped ("timeout", "logs", "output") and, when the process ended, its exit
    status."""

    stdout: Channel
    stderr: Channel
    reason: str | None = None
    answered: bool = False
    result: object = None
    returncode: int | None = None


class SandboxProcess:
    def __init__(self, popen: subprocess.Popen, result_read: int, function: dict, caps: dict):
        self.popen = popen
        self.result_read = result_read
        self.caps = caps
        self.marker = f"\0dispatch-call-end-{secrets.token_hex(16)}\0"
        self.pending = encode_line({**function, "marker": self.marker})
        self.calls = 0
        self.cpu_seconds = 0.0
        self.alive = True

    @classmethod
    def start(cls, *, command, preexec_fn, function: dict, caps: dict, spawn) -> "SandboxProcess":
        """Start the sandbox through `spawn` (a callable running Popen where the process should
        belong); raises OSError when it cannot start."""
        result_read, result_write = os.pipe()
        try:
            popen = spawn(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(result_write,),
                preexec_fn=preexec_fn,
                close_fds=True,
            )
        except OSError:
            os.close(result_read)
            raise
        finally:
            os.close(result_write)
        return cls(popen, result_read, {**function, "result_fd": result_write}, caps)

    def call(self, request: dict, deadline: float) -> Reply:
        """Send one call and read until its result and both end markers are in, the process ends,
        a cap is broken or the deadline passes (then the process is killed)."""
        self.calls += 1
        self.pending += encode_line(request)
        marker = self.marker.encode()
        stdout, stderr = Channel(self.caps["log_bytes"], marker), Channel(self.caps["log_bytes"], marker)
        result = Channel(self.caps["output_bytes"], b"\n")
        channels = {self.popen.stdout.fileno(): stdout, self.popen.stderr.fileno(): stderr}
        channels[self.result_read] = result
        reply = Reply(stdout, stderr, reason=self._pump(channels, deadline), answered=result.done)
        if reply.answered and not reply.reason:
            try:
                reply.result = json.loads(result.data)
            except ValueError:
                reply.result = None
        about = reply.result if isinstance(reply.result, dict) else {}
        self.cpu_seconds = float(about.get("cpu") or 0)
        if reply.reason or not (
            result.done and stdout.done and stderr.done and about.get("reusable") is True
        ):
            # killed when stopped or done with; a process that ended by itself says how it ended
            reply.returncode = self.close(kill=bool(reply.reason) or result.done)
        return reply

    def _pump(self, channels: dict, deadline: float) -> str | None:
        stdin = self.popen.stdin.fileno()
        selector = selectors.DefaultSelector()
        try:
            for fd in channels:
                selector.register(fd, selectors.EVENT_READ)
            if self.pending:
                selector.register(stdin, selectors.EVENT_WRITE)
            while any(key.fd in channels for key in selector.get_map().values()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return "timeout"
                for key, _ in selector.select(timeout=min(remaining, 1.0)):
                    if key.fd == stdin:
                        self._write(selector, stdin)
                        continue
                    channel = channels[key.fd]
                    data = os.read(key.fd, 65536)
                    if data:
                        channel.add(data)
                    if channel.over:
                        return "output" if key.fd == self.result_read else "logs"
                    if not data or channel.done:
                        selector.unregister(key.fd)
            return None
        finally:
            selector.close()

    def _write(self, selector, stdin: int) -> None:
        try:
            written = os.write(stdin, self.pending[:65536])
        except OSError:  # the shim is gone; reading its pipes says why
            written = len(self.pending)
        self.pending = self.pending[written:]
        if not self.pending:
            selector.unregister(stdin)

    def close(self, *, kill: bool = True) -> int | None:
        """End the process (closing its stdin ends an idle shim; a kill ends anything, and bwrap's
        pid namespace takes every process of the sandbox with it). Returns its exit status."""
        if not self.alive:
            return self.popen.returncode
        self.alive = False
        if kill:
            try:
                self.popen.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pipe in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            try:
                pipe.close()
            except OSError:
                pass
        os.close(self.result_read)
        try:
            return self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait()

    def usable(self) -> bool:
        return self.alive and self.popen.poll() is None


def encode_line(message: dict) -> bytes:
    return json.dumps(message).encode() + b"\n"

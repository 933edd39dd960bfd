"""Warm sandboxes: the idle sandbox processes this process keeps, each for one function revision.

Starting a sandbox and an interpreter is most of a short run's time, so, as Dispatch's function
servers did, a sandbox that ended a call cleanly serves the next call of the same function revision
and of nothing else: its key is the function's id with a digest of all that makes the revision
(language, handler, source, files, timeout) and of the limits in force. The runner puts a sandbox
back only after a call that left nothing running in it; the pool keeps at most `warm_sandboxes` idle
ones (the longest unused goes first) and retires one unused for `warm_idle_seconds`.
"""

import hashlib
import json
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .process import SandboxProcess


def key(function_id, *revision) -> tuple:
    digest = hashlib.sha256(json.dumps(revision, sort_keys=True).encode()).hexdigest()
    return (str(function_id), digest)


class WarmPool:
    def __init__(self):
        self._lock = threading.Lock()
        self._idle: list[tuple[tuple, float, SandboxProcess]] = []  # least recently used first
        self._pid = os.getpid()
        self._spawner: ThreadPoolExecutor | None = None

    def take(self, wanted: tuple, *, idle_seconds: float) -> SandboxProcess | None:
        with self._lock:
            self._own()
            self._retire(lambda entry: entry[1] < time.monotonic() - idle_seconds)
            for at in range(len(self._idle) - 1, -1, -1):
                found, _, box = self._idle[at]
                if found == wanted:
                    del self._idle[at]
                    if box.usable():
                        return box
                    box.close()
            return None

    def give(self, wanted: tuple, box: SandboxProcess, *, capacity: int) -> None:
        with self._lock:
            self._own()
            self._idle.append((wanted, time.monotonic(), box))
            while len(self._idle) > capacity:
                self._idle.pop(0)[2].close()

    def clear(self) -> None:
        with self._lock:
            self._retire(lambda entry: True)

    def spawn(self, *args, **kwargs) -> subprocess.Popen:
        """Popen from one long-lived thread: bwrap's --die-with-parent ties a sandbox to the thread
        that started it, and a warm one must outlive the request thread (runserver's) that first
        used it; it still dies with this process."""
        with self._lock:
            self._own()
            if self._spawner is None:
                self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")
            spawner = self._spawner
        return spawner.submit(subprocess.Popen, *args, **kwargs).result()

    def _retire(self, old) -> None:
        kept = []
        for entry in self._idle:
            if old(entry):
                entry[2].close()
            else:
                kept.append(entry)
        self._idle = kept

    def _own(self) -> None:
        """After a fork the sandboxes and the spawner belong to the parent: start afresh."""
        if os.getpid() != self._pid:
            self._pid, self._idle, self._spawner = os.getpid(), [], None


POOL = WarmPool()

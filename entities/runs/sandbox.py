"""The bubblewrap sandbox a function runs in, and the limits put on it.

Inside: read-only /usr (with the /bin, /lib, /lib64 links), a private /proc, /dev and a small
writable /tmp, the language shim, and nothing else: no /etc, no home, no project, no database, no
settings, no other function. Every namespace is new (no network, no view of other processes), the
process has a session of its own, an empty environment, and dies with the worker that started it.

Limits are rlimits set before bwrap starts, so they hold for everything inside: CPU seconds, address
space, processes, open files and file size. Processes are counted per user: when the worker runs as
root (which the limit does not bind), each sandbox runs as a user id of its own, so one function's
fork bomb cannot use up the processes of another, nor of the server.
"""

import os
import random
import resource
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SHIMS = Path(__file__).resolve().parent / "shims"
# User ids given to sandboxes when the worker is root: far above any real account.
SANDBOX_UIDS = range(200_000, 265_536)


@dataclass(frozen=True)
class Runtime:
    """How one language runs: its interpreter command and shim; `extra_memory_mb` is address space
    the runtime reserves without using (V8 reserves about a gigabyte for its code)."""

    command: tuple[str, ...]
    shim: str
    extra_memory_mb: int = 0


RUNTIMES = {
    "python3": Runtime(("/usr/bin/python3", "-I", "-u", "-X", "utf8"), "python3.py"),
    "nodejs": Runtime(("/usr/bin/node",), "nodejs.js", extra_memory_mb=1536),
}


def limits() -> dict:
    """The limits in force: DISPATCH_RUN_LIMITS in settings over these defaults."""
    return {
        "timeout_ms": 30_000,  # a function's `timeout` of 0 means this
        "memory_mb": 512,
        "processes": 64,
        "open_files": 64,
        "file_size_mb": 16,
        "tmp_size_mb": 64,
        "log_bytes": 1 << 20,  # stdout and stderr, each
        "output_bytes": 1 << 20,
        "reaper_grace_seconds": 30,
        "warm_sandboxes": 4,  # idle sandboxes kept per process for the next call (0: a fresh one each)
        "warm_idle_seconds": 300,  # an idle sandbox unused this long is stopped
        "warm_runs": 100,  # calls one sandbox serves before it is replaced
        **getattr(settings, "DISPATCH_RUN_LIMITS", {}),
    }


def bwrap() -> str | None:
    return shutil.which("bwrap")


def command(language: str, memory_mb: int) -> list[str]:
    """The bwrap command line that runs the language's shim."""
    runtime = RUNTIMES[language]
    shim = f"/dispatch/{runtime.shim}"
    args = [
        bwrap() or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--uid", "1000",
        "--gid", "1000",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "HOME", "/tmp",
        "--setenv", "LANG", "C.UTF-8",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin",
        "--symlink", "usr/lib", "/lib",
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(limits()["tmp_size_mb"] << 20),
        "--tmpfs", "/tmp",
        "--ro-bind", str(SHIMS / runtime.shim), shim,
        "--chdir", "/tmp",
    ]  # fmt: skip
    if Path("/usr/lib64").exists():
        args += ["--symlink", "usr/lib64", "/lib64"]
    if language == "nodejs":
        return [*args, *runtime.command, f"--max-old-space-size={memory_mb}", shim]
    return [*args, *runtime.command, shim]


def confiner(*, cpu_seconds: int, memory_mb: int):
    """What the child runs between fork and exec: set the limits, then leave root behind. Everything
    is computed here, in the parent, so the child only makes system calls."""
    limit = limits()
    rlimits = [
        (resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1)),
        (resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20)),
        (resource.RLIMIT_NPROC, (limit["processes"], limit["processes"])),
        (resource.RLIMIT_NOFILE, (limit["open_files"], limit["open_files"])),
        (resource.RLIMIT_FSIZE, (limit["file_size_mb"] << 20, limit["file_size_mb"] << 20)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    uid = random.choice(SANDBOX_UIDS) if os.geteuid() == 0 else None  # noqa: S311 - separation only

    def confine() -> None:
        for which, values in rlimits:
            resource.setrlimit(which, values)
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)

    return confine


def address_space_mb(language: str) -> int:
    return limits()["memory_mb"] + RUNTIMES[language].extra_memory_mb

"""What the benchmark (run.py) and the load test (load.py) share: percentiles, Django set-up in this
process, and gunicorn serving the project with production settings on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Production settings behind a TLS proxy: every request says it arrived over HTTPS.
HTTPS = {"X-Forwarded-Proto": "https"}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The data sets' secrets must decrypt on every server the benchmarks start, whatever SECRET_KEY each
# run picks: one fixed Fernet key for benchmark databases (never for real data).
BENCHMARK_SECRETS_KEY = "7CLl7oyGE3g3bs1KTlULhB41gMYIeWF7X2iyNQQBkgU="


def setup_django(database_url: str):
    os.environ.setdefault("DISPATCH_SECRETS_KEYS", BENCHMARK_SECRETS_KEY)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_site.settings")
    import django

    django.setup()


def setup_runs_django(database_url: str | None, name: str) -> str:
    """Django set up for the runs benchmarks: the given database or a new SQLite file, and the embedded
    database task backend (no REDIS_URL) that the servers and workers they start will share."""
    import secrets
    import tempfile

    database_url = database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / f'{name}.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.pop("REDIS_URL", None)
    setup_django(database_url)
    return database_url


@contextmanager
def gunicorn(database_url: str, workers: int, extra_env: dict | None = None, log=None, root: Path = ROOT):
    """Serve the project with gunicorn (production settings, dispatch_site/gunicorn.conf.py) until the
    block ends; yields the base URL once /health/ answers. SECRET_KEY must be set in os.environ, so that
    tokens and sessions made in this process verify on the server. The server's stderr goes to `log`
    (an open file; never an unread pipe, which would block the server once full). `root` is the
    checkout served (another commit's, for benchmarks/compare.py)."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        # the checkout's own CLI package (the kinds' records), not the one installed in the venv
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root / "cli"), os.environ.get("PYTHONPATH")])),
        **(extra_env or {}),
    }
    # Production serves static files from the manifest that collectstatic writes (pages 500 without it).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root, env=env, check=True
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dispatch_site.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "-c",
            str(root / "dispatch_site" / "gunicorn.conf.py"),
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health/", headers=HTTPS).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /health/ within 20 s")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def session_key_for(user) -> str:
    """A signed-in session for the user, made in the database the server reads (its cookie's value)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@contextmanager
def runs_workers(env: dict, count: int):
    """`count` processes of `manage.py runs_worker` until the block ends, given time to start polling."""
    command = [sys.executable, "manage.py", "runs_worker", "--reap-every", "60"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        time.sleep(3)
        yield
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(timeout=30)

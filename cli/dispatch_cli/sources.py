"""Local files the CLI sends to the server: a function's source (one file as text, a folder as a
gzipped tar), files a bundle names, and bundles from standard input or a URL.

Every path a bundle names is read relative to the bundle's folder (or `--work-dir`) and may not leave
it, so a bundle from someone else cannot upload `/etc/hostname` or `../../.ssh/id_rsa`.
"""

import base64
import gzip
import io
import os
import tarfile
import time
from pathlib import Path

import httpx

from .errors import CLIError

# The server's limits (entities.models): checked here too, to fail before sending megabytes.
MAX_ARCHIVE_BYTES = 5 * 1024 * 1024
MAX_FILES = 1000
MAX_BUNDLE_BYTES = 20 * 1024 * 1024  # a bundle read from a URL or standard input
URL_TIMEOUT = 30.0  # seconds for the whole download of a bundle from a URL
SKIPPED = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv"}


def inside(folder: Path, relative, what: str) -> Path:
    """`relative` resolved in `folder` (symbolic links followed); an error when it leaves the folder."""
    if not isinstance(relative, str) or not relative.strip():
        raise CLIError(f"{what} must be a path relative to the bundle's folder.")
    base = folder.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base):
        raise CLIError(
            f"{what} names '{relative}', which is outside {base}; keep the files in the bundle's folder "
            "or give --work-dir."
        )
    return path


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise CLIError(f"Cannot read {path} named by {what}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise CLIError(f"{path} named by {what} is not UTF-8 text; save it as UTF-8.") from None


def pack(folder: Path) -> bytes:
    """The folder as a gzipped tar of its plain files (paths relative to it, sorted, no owners or
    times, so the same folder packs to the same bytes). Links are refused: they could point anywhere."""
    buffer = io.BytesIO()
    count = 0
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w") as archive,
    ):
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
            for name in sorted(files):
                path = Path(root, name)
                relative = path.relative_to(folder).as_posix()
                if path.is_symlink() or not path.is_file():
                    raise CLIError(f"{path} is not a plain file; a function's folder holds plain files only.")
                count += 1
                if count > MAX_FILES:
                    raise CLIError(
                        f"{folder} holds more than {MAX_FILES} files; leave out what the function "
                        "does not need."
                    )
                info = tarfile.TarInfo(relative)
                info.size = path.stat().st_size
                info.mode = 0o644
                with path.open("rb") as handle:
                    archive.addfile(info, handle)
                if buffer.tell() > MAX_ARCHIVE_BYTES:
                    raise _too_big(folder)
    if count == 0:
        raise CLIError(f"{folder} holds no file; give the folder of the function's source.")
    data = buffer.getvalue()
    if len(data) > MAX_ARCHIVE_BYTES:
        raise _too_big(folder)
    return data


def _too_big(folder: Path) -> CLIError:
    return CLIError(
        f"{folder} packs to more than {_size(MAX_ARCHIVE_BYTES)}; leave out what the function does not need."
    )


def function_source(path: Path, what: str) -> dict:
    """The API fields for a function's source: a file's text, or a folder packed as base64."""
    if path.is_dir():
        return {"source": "", "source_archive": base64.b64encode(pack(path)).decode("ascii")}
    return {"source": read_text(path, what), "source_archive": ""}


def fetch(location: str, stdin) -> str:
    """The text of a bundle given as `-` (standard input) or an http(s) URL, at most MAX_BUNDLE_BYTES;
    a URL must have answered in full within URL_TIMEOUT seconds."""
    if location == "-":
        where = "standard input"
        data = getattr(stdin, "buffer", stdin).read(MAX_BUNDLE_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > MAX_BUNDLE_BYTES:
            raise _too_long(where)
    else:
        where = location
        data = _download(location)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CLIError(f"The bundle from {where} is not UTF-8 text; save it as UTF-8.") from None


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def _too_long(where: str) -> CLIError:
    return CLIError(f"The bundle from {where} is larger than {_size(MAX_BUNDLE_BYTES)}; split it.")


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 else f"{count:,} bytes"


def _download(url: str) -> bytes:
    deadline = time.monotonic() + URL_TIMEOUT
    late = CLIError(f"Cannot fetch {url}: it did not answer in full within {URL_TIMEOUT:g} seconds.")
    try:
        with httpx.stream("GET", url, timeout=URL_TIMEOUT, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise CLIError(f"Cannot fetch {url}: the server answered HTTP {response.status_code}.")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BUNDLE_BYTES:
                raise _too_long(url)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BUNDLE_BYTES:
                    raise _too_long(url)
                if time.monotonic() > deadline:  # a server that trickles bytes forever
                    raise late
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise late from None
    except httpx.HTTPError as exc:
        raise CLIError(f"Cannot fetch {url}: {exc or type(exc).__name__}.") from None

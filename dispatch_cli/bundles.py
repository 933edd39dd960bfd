"""Bundle files on the client side: read the YAML, put each `sourcePath` file's text into the
document as `source` (the server cannot read the user's files), and send it with a progress bar
when the bundle is long."""

import sys
from pathlib import Path

import yaml

from dispatch_site import parsing

from .errors import CLIError

LONG = 10  # documents: from here on a bundle gets a progress bar (on a terminal)
CHUNK = 16 * 1024


class Progress:
    """A one-line bar on stderr: `label [#####.....] 3/10`. Silent when not enabled."""

    def __init__(self, label: str, total: int, enabled: bool, stream=None):
        self.label, self.total, self.enabled = label, max(total, 1), enabled
        self.stream = stream or sys.stderr
        self.done = 0

    def advance(self, step: int = 1) -> None:
        self.done = min(self.total, self.done + step)
        if self.enabled:
            filled = int(30 * self.done / self.total)
            self.stream.write(
                f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
            )
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()


def show_progress(count: int, wanted: bool | None, stream) -> bool:
    """--progress / --no-progress decide; otherwise long bundles get a bar on a terminal."""
    return (stream.isatty() and count >= LONG) if wanted is None else wanted


def read(path: str, progress: bool | None = None, stream=None) -> tuple[str, int]:
    """The bundle's text, ready to send, and its number of documents.

    Documents keep their positions (empty ones included), so the server's errors name the same
    document number as the file has.
    """
    file = Path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise CLIError(f"Cannot read {path}: {exc.strerror}; check the path.") from None
    except UnicodeDecodeError:
        raise CLIError(f"{path} is not UTF-8 text; save it as UTF-8.") from None
    try:  # bounded like the server's: an alias bomb is refused here too, before anything walks it
        documents = parsing.load_yaml_documents(text)
    except parsing.YAMLLimitError as exc:
        raise CLIError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CLIError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}.") from None
    count = sum(d is not None for d in documents)
    stream = stream or sys.stderr
    bar = Progress(f"Reading {file.name}", len(documents), show_progress(count, progress, stream), stream)
    inlined = False
    for position, document in enumerate(documents, start=1):
        if isinstance(document, dict) and document.get("kind") == "Function" and "sourcePath" in document:
            document["source"] = _source(file.parent, document, position)
            del document["sourcePath"]
            inlined = True
        bar.advance()
    if inlined:
        text = yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)
    return text, count


def _source(folder: Path, document: dict, position: int) -> str:
    relative = document["sourcePath"]
    where = f"document {position} (Function '{document.get('name')}')"
    if not isinstance(relative, str) or not relative:
        raise CLIError(f"The sourcePath of {where} must be a path relative to the bundle.")
    try:
        return (folder / relative).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise CLIError(f"Cannot read {folder / relative} named by {where}: {reason}.") from None


def upload(data: bytes, label: str, enabled: bool, stream=None):
    """The body as chunks, advancing a bar as httpx sends them."""
    bar = Progress(label, (len(data) + CHUNK - 1) // CHUNK, enabled, stream)
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]
        bar.advance()

"""Bundle files on the client side: read the YAML (from a file, standard input or a URL), put the
local files it names into the documents (the server cannot read the user's files), and send it with
a progress bar (rich's) when the bundle is long."""

import sys
from contextlib import contextmanager
from pathlib import Path

import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from . import bounded_yaml, sources
from .errors import CLIError

LONG = 10  # documents: from here on a bundle gets a progress bar (on a terminal)
CHUNK = 16 * 1024


@contextmanager
def progress_bar(label: str, total: int, enabled: bool, stream=None):
    """A one-line bar on stderr, `label [━━━━━━      ] 3/10`, advanced by calling what it yields.
    Silent when not enabled; off a terminal, the bar is printed once, when it ends."""
    bar = Progress(
        TextColumn("{task.description} ["),
        BarColumn(bar_width=30),
        TextColumn("]"),
        MofNCompleteColumn(),
        console=Console(file=stream or sys.stderr),
        disable=not enabled,
    )
    with bar:
        task = bar.add_task(label, total=max(total, 1))
        yield lambda: bar.advance(task)


def show_progress(count: int, wanted: bool | None, stream) -> bool:
    """--progress / --no-progress decide; otherwise long bundles get a bar on a terminal."""
    return (stream.isatty() and count >= LONG) if wanted is None else wanted


def read(
    location: str, progress: bool | None = None, stream=None, work_dir: str | None = None, stdin=None
) -> tuple[str, int]:
    """The bundle's text, ready to send, and its number of documents.

    `location` is a file, `-` (standard input) or an http(s) URL. The files its documents name
    (`sourcePath`, `'@file'` values) are read relative to `work_dir`, else to the bundle file's folder
    (the current folder for standard input and URLs), and may not leave it. Documents keep their
    positions (empty ones included), so the server's errors name the same document number as the file.
    """
    if location == "-" or sources.is_url(location):
        text = sources.fetch(location, stdin or sys.stdin)
        label, folder = ("standard input" if location == "-" else location), Path.cwd()
    else:
        file = Path(location)
        try:
            text = file.read_text()
        except OSError as exc:
            raise CLIError(f"Cannot read {location}: {exc.strerror}; check the path.") from None
        except UnicodeDecodeError:
            raise CLIError(f"{location} is not UTF-8 text; save it as UTF-8.") from None
        label, folder = file.name, file.parent
    if work_dir is not None:
        folder = Path(work_dir)
        if not folder.is_dir():
            raise CLIError(f"--work-dir {work_dir} is not a folder.")
    try:
        documents = bounded_yaml.load_yaml_documents(text)
    except bounded_yaml.YAMLLimitError as exc:
        raise CLIError(f"{'standard input' if location == '-' else location}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        source = "standard input" if location == "-" else location
        raise CLIError(f"{source} is not valid YAML{where}: {getattr(exc, 'problem', exc)}.") from None
    if len(documents) == 1 and isinstance(documents[0], list):  # a JSON list, as `get -o json` prints
        documents, text = documents[0], yaml.safe_dump_all(documents[0], sort_keys=False, allow_unicode=True)
    count = sum(d is not None for d in documents)
    stream = stream or sys.stderr
    inlined = False
    enabled = show_progress(count, progress, stream)
    with progress_bar(f"Reading {label}", len(documents), enabled, stream) as advance:
        for position, document in enumerate(documents, start=1):
            if isinstance(document, dict):
                inlined = _inline_files(folder, document, position) or inlined
            advance()
    if inlined:
        text = yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)
    return text, count


def _inline_files(folder: Path, document: dict, position: int) -> bool:
    """Put the local files a document names into it, as the server cannot read them: a Function's
    `sourcePath` (a file as `source`, a folder as `sourceArchive`), `source`/`code: '@file'` and an
    Image's `runtimeDependencies.manifest: '@file'`. True when the document changed."""
    kind = str(document.get("kind", "")).replace("-", "").lower()
    where = f"document {position} ({document.get('kind')} '{document.get('name')}')"
    changed = False
    if kind == "function":
        if "sourcePath" in document:
            path = sources.inside(folder, document.pop("sourcePath"), f"The sourcePath of {where}")
            fields = sources.function_source(path, where)
            document["source"], document["sourceArchive"] = fields["source"], fields["source_archive"]
            changed = True
        for key in ("source", "code"):
            changed = _inline_at_file(folder, document, key, where) or changed
    elif kind == "image" and isinstance(document.get("runtimeDependencies"), dict):
        changed = _inline_at_file(folder, document["runtimeDependencies"], "manifest", where)
    return changed


def _inline_at_file(folder: Path, holder: dict, key: str, where: str) -> bool:
    value = holder.get(key)
    if not (isinstance(value, str) and value.startswith("@") and len(value.split()) == 1):  # not code
        return False
    holder[key] = sources.read_text(sources.inside(folder, value[1:], f"'{key}' of {where}"), where)
    return True


def upload(data: bytes, label: str, enabled: bool, stream=None):
    """The body as chunks, advancing a bar as httpx sends them."""
    with progress_bar(label, (len(data) + CHUNK - 1) // CHUNK, enabled, stream) as advance:
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
            advance()

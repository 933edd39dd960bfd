"""Where the CLI's settings come from: flags, then DISPATCH_* variables, then ~/.dispatch/config.json.

The file holds named contexts (host, token and a current application), like kubectl's kubeconfig, so
one person can switch between servers and applications. `DISPATCH_CONFIG` points at another file
(tests use it; so can scripts).
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import CLIError

DEFAULT_HOST = "http://127.0.0.1:8000"
DEFAULT_CONTEXT = "default"


def config_path() -> Path:
    override = os.environ.get("DISPATCH_CONFIG")
    return Path(override) if override else Path.home() / ".dispatch" / "config.json"


class ConfigFile:
    """The contexts file: {"current-context": name, "contexts": {name: {host, token, application}}}."""

    def __init__(self, path: Path | None = None):
        self.path = path or config_path()
        self.data = {"current-context": DEFAULT_CONTEXT, "contexts": {}}
        if self.path.exists():
            try:
                loaded = json.loads(self.path.read_text() or "{}")
            except (OSError, ValueError) as exc:
                raise CLIError(
                    f"The config file {self.path} cannot be read ({exc}); fix or delete it."
                ) from None
            if not isinstance(loaded, dict) or not isinstance(loaded.get("contexts", {}), dict):
                raise CLIError(f"The config file {self.path} is not a contexts file; fix or delete it.")
            self.data.update(loaded)

    @property
    def contexts(self) -> dict:
        return self.data["contexts"]

    @property
    def current(self) -> str:
        return self.data.get("current-context") or DEFAULT_CONTEXT

    def context(self, name: str | None = None) -> dict:
        return self.contexts.get(name or self.current, {})

    def update_context(self, name: str, **values) -> dict:
        context = self.contexts.setdefault(name, {})
        for key, value in values.items():
            if value is None:
                context.pop(key, None)
            else:
                context[key] = value
        return context

    def save(self) -> None:
        """Write the file readable by its owner only: it holds tokens."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(self.data, handle, indent=2, sort_keys=True)
            handle.write("\n")


@dataclass
class Settings:
    host: str
    token: str | None
    application: str | None
    context: str
    config: ConfigFile


def resolve(args) -> Settings:
    """Flags win over DISPATCH_HOST / DISPATCH_TOKEN / DISPATCH_APPLICATION, which win over the file."""
    config = ConfigFile()
    name = getattr(args, "context", None) or os.environ.get("DISPATCH_CONTEXT") or config.current
    if getattr(args, "context", None) and name not in config.contexts:
        raise CLIError(f"Context '{name}' does not exist; see `dispatch config get-contexts`.")
    context = config.context(name)

    def pick(flag, variable, key):
        return getattr(args, flag, None) or os.environ.get(variable) or context.get(key) or None

    application = pick("application", "DISPATCH_APPLICATION", "application")
    if getattr(args, "all_applications", False):
        application = None
    host = pick("host", "DISPATCH_HOST", "host") or DEFAULT_HOST
    return Settings(
        host=host.rstrip("/"),
        token=pick("token", "DISPATCH_TOKEN", "token"),
        application=application,
        context=name,
        config=config,
    )

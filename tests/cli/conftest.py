"""The CLI against a live test server: `main(argv)` runs in-process, talking HTTP to live_server.

HOME and DISPATCH_CONFIG point into a temporary folder, so no test reads or writes the real
~/.dispatch/config.json, and DISPATCH_* variables of the shell running the tests do not leak in.
"""

import io
import json
from dataclasses import dataclass

import pytest
import yaml

from applications.tokens import token_create
from dispatch_cli.main import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    def json(self):
        assert self.code == 0, self.err
        return json.loads(self.out)

    def yaml(self):
        assert self.code == 0, self.err
        return yaml.safe_load(self.out)


class CLI:
    def __init__(self, monkeypatch, url):
        self.monkeypatch = monkeypatch
        self.url = url

    def __call__(self, *argv, stdin: str = "") -> Outcome:
        """Run `dispatch ARGV…`; `stdin` is what a pipe would give it (`… | dispatch update -f -`)."""
        out, err = io.StringIO(), io.StringIO()
        code = main([str(a) for a in argv], out=out, err=err, stdin=io.StringIO(stdin))
        return Outcome(code, out.getvalue(), err.getvalue())

    def as_user(self, user) -> "CLI":
        """Send this user's token (a fresh one) with the following commands, as DISPATCH_TOKEN."""
        _, key = token_create(user=user, name="cli tests")
        self.monkeypatch.setenv("DISPATCH_TOKEN", key)
        return self


@pytest.fixture
def cli(live_server, transactional_db, monkeypatch, tmp_path) -> CLI:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DISPATCH_CONFIG", str(home / ".dispatch" / "config.json"))
    for variable in ("DISPATCH_TOKEN", "DISPATCH_APPLICATION", "DISPATCH_CONTEXT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DISPATCH_HOST", live_server.url)
    return CLI(monkeypatch, live_server.url)

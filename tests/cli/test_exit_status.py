"""Exit status 1 for every refused command, 2 only for a malformed command line (issue 15, item 8);
either way one line on stderr and nothing on stdout."""

import pytest

from tests import factories as f
from tests.bundles.examples import DATA

REFUSED = {
    "the server finds the value wrong (400)": (
        "staff",
        "create",
        "base-image",
        "mystery",
        "example/runtime:1",
    ),
    "the role may not (403)": ("viewer_a", "create", "secret", "db", DATA / "secret.json", "-a", "app-a"),
    "nothing has the name (404)": ("developer_a", "get", "function", "nope"),
    "nothing to delete (404)": ("developer_a", "delete", "function", "nope"),
    "nothing to update (404)": ("developer_a", "update", "function", "nope", "--handler", "x.y"),
    "a secret's values the role may not read (403)": ("viewer_a", "get", "secret", "db", "--reveal"),
    "a local file that is not there": ("developer_a", "create", "secret", "db", "missing.json"),
    "a bundle that is not there": ("developer_a", "create", "-f", "missing.yaml"),
    "a context that is not there": ("developer_a", "get", "functions", "--context", "nope"),
    "not logged in": (None, "get", "functions"),
    "a host that is no URL": ("developer_a", "get", "functions", "--host", "http://[::1"),
    "a host where nothing listens": ("developer_a", "get", "functions", "--host", "http://127.0.0.1:9"),
}

MALFORMED = {
    "an unknown kind": ("get", "gadgets"),
    "an unknown flag": ("get", "functions", "--colour"),
    "a missing argument": ("create", "function", "hello"),
    "an output that does not exist": ("get", "functions", "-o", "xml"),
    "a setting that is not KEY=VALUE": ("create", "eventdriver", "ticker", "--set", "seconds"),
    "two names where one is taken": ("get", "functions", "a", "b"),
    "a kind and a bundle at once": ("create", "function", "x", "x.py", "--image", "i", "-f", "b.yaml"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_command_exits_1(cli, people, tmp_path, monkeypatch, case):
    user, *argv = REFUSED[case]
    monkeypatch.chdir(tmp_path)
    f.SecretFactory(name="db", applications=[people.app_a])
    if user:
        cli.as_user(getattr(people, user))

    result = cli(*argv)

    assert (result.code, result.out) == (1, ""), result.err
    assert result.err.startswith("error: ") and len(result.err.splitlines()) == 1


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_command_line_exits_2(cli, people, case):
    result = cli.as_user(people.developer_a)(*MALFORMED[case])

    assert (result.code, result.out) == (2, ""), result.err
    assert result.err.startswith("error: ") and len(result.err.splitlines()) == 1

"""`dispatch` without a server: malformed command lines exit 2, refusals 1, each with one line on stderr."""

import io

import pytest

from dispatch_cli.main import main


@pytest.fixture(autouse=True)
def nowhere(monkeypatch, tmp_path):
    """No config file, no token, and a host where nothing listens."""
    monkeypatch.setenv("DISPATCH_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("DISPATCH_HOST", "http://127.0.0.1:9")
    for variable in ("DISPATCH_TOKEN", "DISPATCH_APPLICATION", "DISPATCH_CONTEXT"):
        monkeypatch.delenv(variable, raising=False)


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("get", "functions", "--colour"), "unrecognized arguments: --colour"),
        (("create", "gadget", "x"), "unknown kind 'gadget'; use one of: application, base-image,"),
        (("get", "functions", "-o", "xml"), "invalid choice: 'xml'"),
    ],
)
def test_it_exits_2_for_a_malformed_command_line(argv, message):
    code, out, err = run(*argv)

    assert (code, out) == (2, "")
    assert err.startswith("error: dispatch") and message in err and err.count("\n") == 1


def test_it_exits_1_and_sends_nothing_when_not_logged_in():
    assert run("get", "functions") == (
        1,
        "",
        "error: You are not logged in; run `dispatch login` or set DISPATCH_TOKEN.\n",
    )


def test_it_names_the_host_it_cannot_reach(monkeypatch):
    monkeypatch.setenv("DISPATCH_TOKEN", "t")

    code, _, err = run("get", "functions")

    assert code == 1 and err.startswith("error: Cannot reach the Dispatch server at http://127.0.0.1:9 (")

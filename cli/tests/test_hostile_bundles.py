"""The CLI reads bundle files with the bounded loader the server shares (issue 11, item 1): an alias
bomb or a recursive alias handed to `dispatch create -f` is refused on the user's machine, before
anything walks it or a request is sent."""

import pytest

from dispatch_cli import bundles
from dispatch_cli.errors import CLIError
from dispatch_cli.main import main


def bomb() -> str:
    lines = ["l0: &l0 [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (bomb(), "The bundle has more than 50,000 YAML values"),
        ("kind: Secret\nname: s\nsecrets: &a {a: *a}\n", "repeats the node that holds it"),
        ("kind: Function\nname: f\nschema: " + "{a: " * 200 + "1" + "}" * 200 + "\n", "nested more than 100"),
    ],
)
def test_a_hostile_bundle_file_is_refused_before_it_is_sent(tmp_path, text, message):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    with pytest.raises(CLIError) as caught:
        bundles.read(str(path))
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


def test_the_command_exits_1_with_one_line_and_sends_nothing(tmp_path, monkeypatch, capsys):
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb())
    monkeypatch.setenv("DISPATCH_HOST", "http://127.0.0.1:9")  # nothing listens: a request would fail
    monkeypatch.setenv("DISPATCH_TOKEN", "t")
    monkeypatch.setenv("DISPATCH_CONFIG", str(tmp_path / "config.json"))
    code = main(["create", "-f", str(path), "--dry-run"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "more than 50,000 YAML values" in err and "HTTP" not in err

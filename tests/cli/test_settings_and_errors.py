"""Where settings come from (flags > DISPATCH_* > config file), login, contexts, and failures:
each a one-line message on stderr and a non-zero exit status."""

import json
import os
import subprocess
import sys
from pathlib import Path

from applications.models import APIToken
from applications.tokens import token_create
from dispatch_cli.config import config_path


def test_login_stores_a_token_that_later_commands_use_and_logout_forgets_it(cli, people, monkeypatch):
    monkeypatch.delenv("DISPATCH_HOST")

    result = cli("login", "--host", cli.url, "-u", "developer_a", "-p", "correct horse battery staple")

    assert result.code == 0, result.err
    stored = json.loads(config_path().read_text())
    assert stored["contexts"]["default"]["host"] == cli.url
    assert APIToken.objects.get(user=people.developer_a).name.startswith("dispatch CLI on ")
    assert oct(config_path().stat().st_mode & 0o777) == "0o600"  # it holds a token
    assert [a["name"] for a in cli("get", "apps", "--json").json()] == ["app-a"]

    assert cli("logout").out == f"Logged out of {cli.url} (context 'default').\n"
    result = cli("get", "apps")
    assert (result.code, result.err) == (
        1,
        "error: You are not logged in; run `dispatch login` or set DISPATCH_TOKEN.\n",
    )


def test_a_wrong_password_is_a_one_line_error(cli, people):
    result = cli("login", "-u", "developer_a", "-p", "wrong")

    assert result.code == 1
    assert result.err == "error: Wrong username or password. (HTTP 401)\n"
    assert not config_path().exists()


def test_the_config_file_lives_under_home_when_no_variable_names_another(cli, monkeypatch):
    monkeypatch.delenv("DISPATCH_CONFIG")

    assert config_path() == Path(os.environ["HOME"]) / ".dispatch" / "config.json"


def test_flags_win_over_variables_which_win_over_the_config_file(cli, people, monkeypatch):
    _, key = token_create(user=people.developer_a, name="file")
    assert cli("config", "set-context", "work", "--host", cli.url, "--token", key, "-a", "app-b").code == 0
    assert cli("config", "use-context", "work").code == 0
    monkeypatch.delenv("DISPATCH_HOST")
    # the file's application app-b is not the developer's: a 404 shows the file was read
    assert "(HTTP 404)" in cli("get", "--json").err

    monkeypatch.setenv("DISPATCH_APPLICATION", "app-a")  # the variable beats the file
    assert cli("get", "--json").code == 0

    # the flag beats the variable
    assert "(HTTP 404)" in cli("get", "-a", "app-b").err
    monkeypatch.setenv("DISPATCH_HOST", "http://127.0.0.1:9")  # the variable beats the file's host
    assert "Cannot reach the Dispatch server at http://127.0.0.1:9" in cli("get", "apps").err
    assert cli("get", "apps", "--host", cli.url).code == 0  # the flag beats the variable


def test_use_application_sets_and_clears_the_current_application(cli, people):
    cli.as_user(people.developer_a)

    assert (
        cli("config", "use-application", "app-a").out == "Current application: 'app-a' (context 'default').\n"
    )
    assert json.loads(config_path().read_text())["contexts"]["default"]["application"] == "app-a"
    assert cli("get", "--json").code == 0  # every kind in app-a

    cli("config", "use-application")
    assert "application" not in json.loads(config_path().read_text())["contexts"]["default"]


def test_config_view_hides_tokens_and_get_contexts_lists_them(cli):
    cli("config", "set-context", "prod", "--host", "https://dispatch.example.com", "--token", "dsp_secret123")
    cli("config", "set-context", "dev", "--host", "http://127.0.0.1:8000")
    cli("config", "use-context", "dev")

    view = cli("config", "view", "-o", "json").json()
    contexts = cli("config", "get-contexts").out.splitlines()

    assert view["contexts"]["prod"]["token"] == "dsp_…"
    assert view["current-context"] == "dev"
    assert contexts[0].split() == ["CURRENT", "NAME", "HOST", "APPLICATION", "LOGGED", "IN"]
    assert contexts[1].split() == ["*", "dev", "http://127.0.0.1:8000", "no"]
    assert contexts[2].split() == ["prod", "https://dispatch.example.com", "yes"]
    result = cli("config", "use-context", "nope")
    assert (result.code, result.err) == (
        1,
        "error: Context 'nope' does not exist; see `dispatch config get-contexts`.\n",
    )


def test_no_server_reachable_is_a_clear_error(cli, people, monkeypatch):
    monkeypatch.setenv("DISPATCH_HOST", "http://127.0.0.1:9")
    cli.as_user(people.developer_a)

    result = cli("get", "functions")

    assert result.code == 1 and result.out == ""
    assert result.err.startswith("error: Cannot reach the Dispatch server at http://127.0.0.1:9 (")
    assert result.err.endswith("check --host or DISPATCH_HOST and that the server runs.\n")
    assert len(result.err.splitlines()) == 1


def test_a_bad_token_is_a_401(cli, people, monkeypatch):
    monkeypatch.setenv("DISPATCH_TOKEN", "dsp_not-a-token")

    result = cli("get", "functions")

    assert (result.code, result.err) == (
        1,
        "error: The token is unknown or revoked; make a new one. (HTTP 401)\n",
    )


def test_an_unknown_kind_is_a_usage_error(cli, people):
    cli.as_user(people.developer_a)

    got = cli("get", "lambdas")
    created = cli("create", "lambda", "x")

    assert got.code == created.code == 2
    assert got.err.startswith("error: Unknown kind 'lambdas'; use one of: application, base-image, image,")
    assert created.err.startswith("error: dispatch create: unknown kind 'lambda'; use one of: application,")
    assert len(got.err.splitlines()) == len(created.err.splitlines()) == 1


def test_an_unknown_flag_is_a_usage_error(cli, people):
    result = cli("get", "functions", "--bogus")

    assert result.code == 2
    assert result.err == "error: dispatch: unrecognized arguments: --bogus; see 'dispatch --help'.\n"


def test_get_without_a_kind_or_an_application_says_what_to_give(cli, people):
    result = cli.as_user(people.developer_a)("get")

    assert result.code == 2
    assert "use -a APPLICATION or --all-applications" in result.err


def test_the_installed_console_script_runs_and_exits_with_the_status(cli, people):
    script = Path(sys.executable).parent / "dispatch"
    _, key = token_create(user=people.developer_a, name="script")
    env = {**os.environ, "DISPATCH_TOKEN": key}

    listed = subprocess.run([script, "get", "apps", "--json"], env=env, capture_output=True, text=True)
    missing = subprocess.run([script, "get", "fn", "nope"], env=env, capture_output=True, text=True)

    assert listed.returncode == 0, listed.stderr
    assert [a["name"] for a in json.loads(listed.stdout)] == ["app-a"]
    assert (missing.returncode, missing.stderr) == (1, "error: Function 'nope' does not exist. (HTTP 404)\n")


def test_a_broken_config_file_is_named_in_the_error(cli):
    config_path().parent.mkdir(parents=True)
    config_path().write_text("{not json")

    result = cli("get", "apps")

    assert result.code == 1
    assert result.err.startswith(f"error: The config file {config_path()} cannot be read (")
    assert result.err.endswith("); fix or delete it.\n")


def test_a_missing_or_invalid_bundle_file_is_named_in_the_error(cli, people, tmp_path):
    cli.as_user(people.developer_a)
    (tmp_path / "broken.yaml").write_text("kind: Secret\nname: [oops\n")

    missing = cli("create", "-f", tmp_path / "nope.yaml")
    broken = cli("create", "-f", tmp_path / "broken.yaml")

    assert (
        missing.err
        == f"error: Cannot read {tmp_path / 'nope.yaml'}: No such file or directory; check the path.\n"
    )
    assert broken.err.startswith(f"error: {tmp_path / 'broken.yaml'} is not valid YAML at line 3: ")
    assert missing.code == broken.code == 1

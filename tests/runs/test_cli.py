"""`dispatch exec` and `dispatch get runs FUNCTION` against a live server, as Dispatch's CLI printed them."""

import json

from entities import models as m

from .conftest import HELLO_INPUT, HELLO_OUTPUT


def test_exec_wait_prints_the_finished_run_as_json(cli, functions):
    result = cli.as_user(functions.people.developer_a)(
        "exec", "--wait", "--input", json.dumps(HELLO_INPUT), "hello-py", "-a", "app-a"
    )
    assert result.code == 0, result.err
    run = json.loads(result.out)
    assert (run["status"], run["output"], run["function_name"]) == ("READY", HELLO_OUTPUT, "hello-py")
    assert run["logs"]["stdout"] == ["messages to stdout show up in logs"]


def test_exec_of_the_node_examples_with_a_secret(cli, functions):
    cli.as_user(functions.people.developer_a)
    hello = json.loads(cli("exec", "--wait", "hello-js", "--input", json.dumps(HELLO_INPUT)).out)
    assert hello["output"] == HELLO_OUTPUT
    secret = json.loads(cli("exec", "--wait", "i-have-a-secret").out)
    assert secret["output"] == {"message": "The password is OpenSesame"}


def test_exec_without_wait_prints_the_run_at_once_initialized(cli, functions):
    result = cli.as_user(functions.people.developer_a)("exec", "hello-py", "--secret", "open-sesame")
    assert result.code == 0, result.err
    run = json.loads(result.out)
    assert (run["status"], run["blocking"], run["secrets"]) == ("INITIALIZED", False, ["open-sesame"])


def test_exec_of_a_failing_run_prints_the_run_and_exits_1(cli, functions):
    functions.make("broken", "def handle(c, p):\n    raise ValueError('no name given')\n")
    result = cli.as_user(functions.people.developer_a)("exec", "--wait", "broken")
    assert result.code == 1
    assert json.loads(result.out)["error"]["type"] == "InputError"
    assert result.err == "error: The run ended with InputError: ValueError: no name given\n"


def test_exec_refuses_bad_input_json_and_unknown_functions_writing_nothing(cli, functions):
    cli.as_user(functions.people.developer_a)
    bad = cli("exec", "--wait", "hello-py", "--input", "{name: Jon}")
    assert bad.code == 2 and bad.err.startswith("error: --input is not valid JSON")
    hidden = cli("exec", "--wait", "hello-py", "-a", "app-b")
    assert hidden.code == 1 and "Function 'hello-py' does not exist in application 'app-b'." in hidden.err
    assert not m.FunctionRun.objects.exists()


def test_get_runs_of_a_function_lists_only_its_runs(cli, functions):
    cli.as_user(functions.people.developer_a)
    cli("exec", "--wait", "hello-py")
    cli("exec", "--wait", "hello-js")
    listed = cli("get", "runs", "hello-py", "-o", "json").json()
    assert [run["functionName"] for run in listed] == ["hello-py"]  # -o json prints Dispatch's documents
    one = cli("get", "run", listed[0]["name"], "-o", "json").json()
    assert one["name"] == listed[0]["name"]
    table = cli("get", "runs", "hello-py").out.splitlines()
    assert table[0].split()[0] == "NAME" and len(table) == 2


def made_from_folder(cli, functions, folder, name: str, image: str, files: dict, handler: str) -> None:
    """`dispatch create function NAME FOLDER --handler …` for a folder of these files, by A's developer."""
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    cli.as_user(functions.people.developer_a)
    arguments = (f"--image={image}", name, str(folder), f"--handler={handler}", "-a", "app-a")
    made = cli("create", "function", *arguments)
    assert made.code == 0, made.err


def test_a_node_function_made_from_a_folder_runs_its_handler_file_with_its_modules(cli, functions, tmp_path):
    files = {
        "hello.js": "const greet = require('./lib/greet');\n"
        "module.exports = (context, payload) => ({ myField: greet(payload.name) });\n",
        "lib/greet.js": "module.exports = (name) => `Hello, ${name}`;\n",
    }
    made_from_folder(cli, functions, tmp_path, "hello-folder", "nodejs", files, "./hello.js")
    run = json.loads(cli("exec", "--wait", "hello-folder", "--input", '{"name": "Arya"}').out)
    assert (run["status"], run["output"]) == ("READY", {"myField": "Hello, Arya"})


def test_a_python_function_made_from_a_folder_imports_its_package(cli, functions, tmp_path):
    files = {
        "main.py": "from helpers.words import greet\n\ndef handle(context, payload):\n"
        "    return {'myField': greet(payload['name'])}\n",
        "helpers/words.py": "def greet(name):\n    return 'Hello, ' + name\n",
    }
    made_from_folder(cli, functions, tmp_path, "py-folder", "python3", files, "main.handle")
    run = json.loads(cli("exec", "--wait", "py-folder", "--input", '{"name": "Sansa"}').out)
    assert (run["status"], run["output"]) == ("READY", {"myField": "Hello, Sansa"})
    by_path = cli("update", "function", "py-folder", "--handler", "main.py")
    assert by_path.code == 0, by_path.err
    again = json.loads(cli("exec", "--wait", "py-folder", "--input", '{"name": "Bran"}').out)
    assert again["output"] == {"myField": "Hello, Bran"}

"""Runs through the API: Dispatch's examples give their documented output, each error type has its
status code, schemas are checked on both sides, and secrets reach the function but nothing else."""

import json

import pytest
from django_tasks_db.models import DBTaskResult

from entities import models as m

from .conftest import HELLO_INPUT, HELLO_OUTPUT, example

pytestmark = pytest.mark.django_db


def run(api, user, function, status=200, **body):
    response = api(user).post(f"/api/v1/functions/{function}/runs/", body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def test_the_python_example_greets_jon_and_logs_what_it_printed(functions, api):
    body = run(api, functions.people.developer_a, "hello-py", input=HELLO_INPUT)
    assert (body["status"], body["output"], body["error"]) == ("READY", HELLO_OUTPUT, None)
    assert body["logs"] == {"stdout": ["messages to stdout show up in logs"], "stderr": []}
    assert (body["function"], body["function_name"]) == ("hello-py", "hello-py")
    assert body["applications"] == ["app-a"]
    assert body["executed_time"] <= body["finished_time"] and body["duration_ms"] >= 0
    assert body["blocking"] is True


def test_the_node_example_greets_jon(functions, api):
    body = run(api, functions.people.developer_a, "hello-js", input=HELLO_INPUT)
    assert (body["status"], body["output"]) == ("READY", HELLO_OUTPUT)


def test_without_input_the_examples_greet_noone_from_nowhere(functions, api):
    for name in ("hello-py", "hello-js"):
        body = run(api, functions.people.developer_a, name)
        assert body["output"] == {"myField": "Hello, Noone from Nowhere"}


def test_the_secret_example_reads_its_secret_and_no_log_or_row_holds_it_in_clear(functions, api):
    body = run(api, functions.people.developer_a, "i-have-a-secret")
    assert body["output"] == {"message": "The password is OpenSesame"}
    functions.make("leaky", "def handle(context, payload):\n    print(context['secrets'])\n    return 1\n")
    m.Function.objects.get(name="leaky").secrets.set([m.Secret.objects.get(name="open-sesame")])
    leaky = run(api, functions.people.developer_a, "leaky")
    assert leaky["logs"]["stdout"] == ["{'password': '[secret]'}"]
    stored = json.dumps(list(m.FunctionRun.objects.filter(function_name="leaky").values()), default=str)
    assert "OpenSesame" not in stored


def test_a_run_may_bring_its_own_secrets(functions, api):
    functions.make("reader", "def handle(context, payload):\n    return sorted(context['secrets'])\n")
    from tests import factories as f

    f.SecretFactory(name="extra", values={"token": "t0ps3cret"}, applications=[functions.people.app_a])
    body = run(api, functions.people.developer_a, "reader", secrets=["extra"])
    assert (body["output"], body["secrets"]) == (["token"], ["extra"])


def test_a_secret_of_another_application_is_refused_as_missing(functions, api):
    from tests import factories as f

    f.SecretFactory(name="b-secret", applications=[functions.people.app_b])
    response = api(functions.people.developer_a).post(
        "/api/v1/functions/hello-py/runs/", {"secrets": ["b-secret"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"secrets": ["Secret 'b-secret' does not exist."]}
    assert not m.FunctionRun.objects.exists()


@pytest.mark.parametrize(
    "source, kind, message",
    [
        ("def handle(c, p):\n    raise ValueError('no name')\n", "InputError", "ValueError: no name"),
        ("def handle(c, p):\n    return p['x'] + 1\n", "FunctionError", "KeyError: 'x'"),
        ("def handle(c, p):\n    return {1, 2}\n", "FunctionError", "The result is not JSON"),
        ("def handle(c, p):\n    raise SystemExit(3)\n", "FunctionError", "SystemExit: 3"),
        ("def handle(c, p:\n", "FunctionError", "SyntaxError"),
    ],
    ids=["value-error", "key-error", "not-json", "exit", "syntax"],
)
def test_each_python_error_has_its_type_and_status(functions, api, source, kind, message):
    functions.make("failing", source)
    body = run(api, functions.people.developer_a, "failing", status={"InputError": 422}.get(kind, 502))
    assert (body["status"], body["error"]["type"]) == ("ERROR", kind)
    assert m.FunctionRun.objects.get().error_type == kind
    assert message in body["error"]["message"] and body["reason"] == [body["error"]["message"]]
    assert isinstance(body["error"]["stacktrace"], list) and body["output"] is None


@pytest.mark.parametrize(
    "source, kind",
    [
        ("module.exports = () => { null.x; };", "InputError"),  # a TypeError, as Dispatch classed it
        ("module.exports = async () => { throw new Error('boom'); };", "FunctionError"),
        ("module.exports = () => () => 1;", "FunctionError"),
        ("module.exports = 42;", "FunctionError"),
    ],
    ids=["type-error", "rejected-promise", "not-json", "not-a-function"],
)
def test_each_node_error_has_its_type(functions, api, source, kind):
    functions.make("failing-js", source, language="nodejs")
    body = run(api, functions.people.developer_a, "failing-js", status={"InputError": 422}.get(kind, 502))
    assert body["error"]["type"] == kind


def test_an_input_that_fails_schema_in_is_an_input_error_and_the_function_never_runs(functions, api):
    schema_in = json.loads(example("hello.schema.in.json"))
    functions.make("strict", "def handle(c, p):\n    print('ran')\n    return {}\n", schema_in=schema_in)
    body = run(api, functions.people.developer_a, "strict", status=422, input={"name": "Jon5"})
    assert body["error"]["type"] == "InputError" and "Jon5" in body["error"]["message"]
    assert body["logs"] == {"stdout": [], "stderr": []}
    missing = run(api, functions.people.developer_a, "strict", status=422, input={"place": "Winterfell"})
    assert "'name' is a required property" in missing["error"]["message"]


def test_an_output_that_fails_schema_out_is_a_function_error(functions, api):
    schema_out = json.loads(example("hello.schema.out.json"))
    functions.make("wrong-out", "def handle(c, p):\n    return {'other': 1}\n", schema_out=schema_out)
    body = run(api, functions.people.developer_a, "wrong-out", status=502)
    assert body["error"]["type"] == "FunctionError"
    assert "'myField' is a required property" in body["error"]["message"]
    assert body["output"] is None


def test_the_examples_pass_their_own_schemas(functions, api):
    hello = m.Function.objects.get(name="hello-py")
    hello.schema_in = json.loads(example("hello.schema.in.json"))
    hello.schema_out = json.loads(example("hello.schema.out.json"))
    hello.save()
    assert run(api, functions.people.developer_a, "hello-py", input=HELLO_INPUT)["output"] == HELLO_OUTPUT


def test_a_schema_naming_a_later_draft_is_checked_by_that_draft(functions, api):
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": [{"type": "string"}]}
    functions.make("drafty", "def handle(c, p):\n    return p\n", schema_in=schema)
    run(api, functions.people.developer_a, "drafty", status=422, input=[1])
    run(api, functions.people.developer_a, "drafty", input=["one"])


def test_an_async_run_answers_202_at_once_and_is_queued(functions, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # queued with the run (another queue: on commit)
        response = api(functions.people.developer_a).post(
            "/api/v1/runs/", {"function": "hello-py", "blocking": False, "input": HELLO_INPUT}, format="json"
        )
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["output"], body["blocking"]) == ("INITIALIZED", None, False)
    assert response["Location"] == body["url"] and body["url"].endswith(f"/api/v1/runs/{body['name']}/")
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [body["name"]], "kwargs": {}}


def test_an_async_run_costs_eight_queries_and_one_commit(functions, api, django_assert_num_queries):
    developer = api(functions.people.developer_a)
    with django_assert_num_queries(8):
        # 1 the function through the gate; then in one transaction (2 its savepoint here, BEGIN in
        # production): 3 the function's applications, held shared, with their run quotas, 4 the
        # caller's roles in them, 5 the run inserted INITIALIZED, 6 its application rows, 7 its task in
        # the database queue, 8 release (COMMIT). The answer is the run as made, read back nowhere.
        response = developer.post("/api/v1/runs/", {"function": "hello-py", "blocking": False}, format="json")
    assert response.status_code == 202
    assert DBTaskResult.objects.get().args_kwargs == {"args": [response.json()["name"]], "kwargs": {}}


def test_a_viewer_may_read_runs_but_not_start_them(functions, api):
    run(api, functions.people.developer_a, "hello-py")
    response = api(functions.people.viewer_a).post("/api/v1/functions/hello-py/runs/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == (
        "You need the developer role in the application of function 'hello-py' to run it."
    )
    listed = api(functions.people.viewer_a).get("/api/v1/functions/hello-py/runs/").json()
    assert [r["function_name"] for r in listed["results"]] == ["hello-py"]
    assert m.FunctionRun.objects.count() == 1


def test_a_member_of_b_cannot_run_or_see_runs_of_a(functions, api):
    run(api, functions.people.developer_a, "hello-py")
    member_b = api(functions.people.member_b)
    for response in (
        member_b.post("/api/v1/functions/hello-py/runs/", {}, format="json"),
        member_b.get("/api/v1/functions/hello-py/runs/"),
    ):
        assert response.status_code == 404
        assert response.json()["message"] == "Function 'hello-py' does not exist."
    refused = member_b.post("/api/v1/runs/", {"function": "hello-py"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"function": ["Function 'hello-py' does not exist."]}
    assert member_b.get("/api/v1/runs/").json()["count"] == 0
    assert m.FunctionRun.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"blocking": "perhaps"}, "blocking"),
        ({"secrets": "open-sesame"}, "secrets"),
        ({"input": "\u0000"}, "input"),
        ({"inptu": {}}, "inptu"),
    ],
    ids=["blocking", "secrets", "nul", "unknown"],
)
def test_bad_run_requests_are_a_400_and_write_nothing(functions, api, body, field):
    response = api(functions.people.developer_a).post("/api/v1/functions/hello-py/runs/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not m.FunctionRun.objects.exists()


def test_the_run_list_filters_by_function(functions, api):
    run(api, functions.people.developer_a, "hello-py")
    run(api, functions.people.developer_a, "hello-js")
    listed = api(functions.people.viewer_a).get("/api/v1/runs/?function=hello-js").json()
    assert [r["function_name"] for r in listed["results"]] == ["hello-js"]


def test_a_blocking_run_costs_nine_queries(functions, api, django_assert_num_queries):
    developer = api(functions.people.developer_a)
    developer.post("/api/v1/functions/hello-py/runs/", {"input": HELLO_INPUT}, format="json")  # warm sandbox
    with django_assert_num_queries(9):
        # 1 the function with its image and source, through the gate; then in one transaction (2 its
        # savepoint here, BEGIN in production): 3 the function's applications, held shared, with their
        # run quotas, 4 the caller's roles in them, 5 the run inserted CREATING, 6 its application rows,
        # 7 release (COMMIT); 8 the function's secrets, 9 the run finished. The answer is the run as made
        # and finished, read back nowhere.
        response = developer.post("/api/v1/functions/hello-py/runs/", {"input": HELLO_INPUT}, format="json")
    assert response.json()["output"] == HELLO_OUTPUT

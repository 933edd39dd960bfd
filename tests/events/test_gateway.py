"""The API gateway: routing by application and by host, input forms, blocking or not, errors,
authentication, CORS and the rate limit. The runs are real: each function runs in the sandbox."""

import json
from types import SimpleNamespace

import pytest
from django.test import Client

from applications.tokens import token_create
from entities.gateway import ratelimit
from entities.models import FunctionRun
from tests import factories as f

pytestmark = pytest.mark.django_db

ECHO = """
def handle(context, payload):
    http = context["httpContext"]
    return {"input": payload, "method": http["method"], "uri": http["uri"], "args": http["args"]}
"""
FAILS = """
def handle(context, payload):
    raise RuntimeError("the build is broken")
"""


@pytest.fixture
def python_image(people):
    base = f.BaseImageFactory(name="python3-base", language="python3")
    return {
        app.name: f.ImageFactory(name=f"python3-{app.name}", base_image=base, applications=[app])
        for app in (people.app_a, people.app_b)
    }


@pytest.fixture
def api(people, python_image):
    """api(name, app, **fields): an API of a new function (the echo unless source= says otherwise)."""

    def make(name="echo", app=None, source=ECHO, schema_in=None, **fields):
        app = app or people.app_a
        function = f.FunctionFactory(
            name=f"{name}-fn", image=python_image[app.name], handler="handler.handle", source=source,
            schema_in=schema_in or {}, applications=[app],
        )  # fmt: skip
        fields = {"methods": ["GET", "POST", "PUT", "PATCH", "DELETE"], "uris": [f"/{name}"], **fields}
        return f.APIFactory(name=name, function=function, applications=[app], **fields)

    return make


def token_of(user) -> str:
    return token_create(user=user, name="gateway tests")[1]


@pytest.mark.parametrize("method", ["get", "delete"])
def test_query_parameters_are_the_input_of_bodyless_methods(api, method):
    api()
    response = getattr(Client(), method)("/gateway/app-a/echo?name=Jon&place=Winterfell&tag=a&tag=b")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "input": {"name": "Jon", "place": "Winterfell", "tag": ["a", "b"]},
        "method": method.upper(),
        "uri": "/echo",
        "args": "name=Jon&place=Winterfell&tag=a&tag=b",
    }
    assert response["X-Dispatch-Run"] == FunctionRun.objects.get().name


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_json_body_is_the_input(api, method):
    api()
    response = getattr(Client(), method)(
        "/gateway/app-a/echo", json.dumps({"name": "Jon"}), "application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["input"] == {"name": "Jon"} and response.json()["method"] == method.upper()


def test_a_form_body_is_the_input(api):
    api()
    response = Client().post("/gateway/app-a/echo", {"name": "Jon", "place": "Winterfell"})
    assert response.json()["input"] == {"name": "Jon", "place": "Winterfell"}


def test_a_bad_json_body_is_a_400_and_runs_nothing(api):
    api()
    response = Client().post("/gateway/app-a/echo", "{nope", "application/json")
    assert response.status_code == 400 and "JSON" in response.json()["message"]
    assert not FunctionRun.objects.exists()


def test_an_input_the_run_refuses_is_a_400_and_runs_nothing(api):
    api()
    response = Client().post("/gateway/app-a/echo", json.dumps({"name": "nul\u0000"}), "application/json")
    assert response.status_code == 400 and response.json()["message"]
    assert not FunctionRun.objects.exists()


def test_a_method_the_api_does_not_list_is_not_found(api):
    api(methods=["POST"])
    assert Client().get("/gateway/app-a/echo").status_code == 404


def test_a_non_blocking_call_answers_202_with_the_run(api):
    api()
    response = Client().post(
        "/gateway/app-a/echo", "{}", "application/json", headers={"x-dispatch-blocking": "false"}
    )
    assert response.status_code == 202, response.content
    run = FunctionRun.objects.get()
    assert response.json()["name"] == run.name and run.blocking is False
    assert response["Location"] == f"/api/v1/runs/{run.name}/"


def test_a_blocking_header_that_is_no_flag_is_a_400_and_runs_nothing(api):
    api()
    response = Client().post(
        "/gateway/app-a/echo", "{}", "application/json", headers={"x-dispatch-blocking": "ture"}
    )
    assert response.status_code == 400, response.content
    assert "x-dispatch-blocking" in response.json()["message"]
    assert not FunctionRun.objects.exists()


def test_a_function_error_is_a_502_with_the_error(api):
    api(name="broken", source=FAILS)
    response = Client().get("/gateway/app-a/broken")
    assert response.status_code == 502, response.content
    assert response.json()["error"]["type"] == "FunctionError"
    assert "the build is broken" in response.json()["message"]


def test_an_input_error_is_a_422(api):
    api(schema_in={"type": "object", "required": ["name"]})
    response = Client().post("/gateway/app-a/echo", json.dumps({"place": "Winterfell"}), "application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["type"] == "InputError"


def test_a_disabled_api_answers_like_a_missing_one(api):
    api(enabled=False)
    disabled = Client().get("/gateway/app-a/echo")
    missing = Client().get("/gateway/app-a/never-existed")
    assert disabled.status_code == missing.status_code == 404
    assert disabled.json()["message"].replace("echo", "X") == missing.json()["message"].replace(
        "never-existed", "X"
    )
    assert not FunctionRun.objects.exists()


def test_a_non_public_api_needs_a_token_of_a_developer_of_its_application(api, people):
    api(authentication="basic")
    path = "/gateway/app-a/echo"
    answers = {
        who: Client().get(path, headers={"Authorization": f"Token {token_of(user)}"} if user else {})
        for who, user in (("anonymous", None), ("viewer", people.viewer_a), ("member of B", people.member_b))
    }
    missing = Client().get("/gateway/app-a/never-existed")
    for who, response in answers.items():
        assert response.status_code == 404, who
        assert response.json()["message"].replace("echo", "X") == missing.json()["message"].replace(
            "never-existed", "X"
        ), who
    bad_token = Client().get(path, headers={"Authorization": "Token dsp_not-a-token"})
    assert bad_token.status_code == 404
    assert not FunctionRun.objects.exists()
    allowed = Client().get(
        path + "?name=Jon", headers={"Authorization": f"Bearer {token_of(people.developer_a)}"}
    )
    assert allowed.status_code == 200 and allowed.json()["input"] == {"name": "Jon"}


def test_a_public_api_answers_anyone(api):
    api(authentication="public")
    assert Client().get("/gateway/app-a/echo").status_code == 200


def test_a_hidden_application_s_api_is_indistinguishable_from_a_missing_one(api, people):
    api(app=people.app_b, authentication="basic")
    token = {"Authorization": f"Token {token_of(people.developer_a)}"}
    hidden = Client().get("/gateway/app-b/echo", headers=token)
    missing_app = Client().get("/gateway/no-such-app/echo", headers=token)
    assert hidden.status_code == missing_app.status_code == 404
    assert hidden.content == missing_app.content


def test_an_api_answers_by_its_hosts(api, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".apis.example.com"]
    settings.DISPATCH_GATEWAY_HOSTS = [".apis.example.com"]
    api(hosts=["echo.apis.example.com"])
    response = Client().get("/echo?name=Jon", headers={"Host": "echo.apis.example.com"})
    assert response.status_code == 200, response.content
    assert response.json()["input"] == {"name": "Jon"}
    assert Client().get("/nothing-here", headers={"Host": "echo.apis.example.com"}).status_code == 404


def test_cors_headers_and_preflights_when_the_api_asks_for_them(api):
    api(cors=True, methods=["GET", "POST"])
    api(name="plain")
    origin = {"Origin": "https://app.example.com"}
    response = Client().get("/gateway/app-a/echo", headers=origin)
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert response["Access-Control-Allow-Methods"] == "GET, POST"
    preflight = Client().options(
        "/gateway/app-a/echo", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204 and "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in Client().get("/gateway/app-a/plain", headers=origin)
    assert FunctionRun.objects.count() == 2  # the preflight ran nothing


def test_a_run_over_the_applications_quota_is_a_json_429(api, people):
    api()
    people.app_a.max_runs_per_minute = 0
    people.app_a.save()
    response = Client().post("/gateway/app-a/echo", "{}", "application/json")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "quota" in response.json()["message"]
    assert not FunctionRun.objects.exists()


@pytest.fixture
def clock(monkeypatch):
    """The rate limit's clock, stopped in the middle of a window: runs take time, and three calls that
    straddle a minute's end would be counted in two windows."""
    now = [1_800_000_030.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now[0]))
    return now


def test_calls_are_rate_limited_per_application(api, people, settings, clock):
    settings.DISPATCH_GATEWAY_RATE = "2/minute"
    api()
    api(name="other", app=people.app_b)
    assert [Client().get("/gateway/app-a/echo").status_code for _ in range(3)] == [200, 200, 429]
    limited = Client().get("/gateway/app-a/echo")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert Client().get("/gateway/app-b/other").status_code == 200  # B has its own count


def test_the_next_window_counts_afresh(api, settings, clock):
    settings.DISPATCH_GATEWAY_RATE = "1/minute"
    api()
    assert [Client().get("/gateway/app-a/echo").status_code for _ in range(2)] == [200, 429]
    clock[0] += 60
    assert Client().get("/gateway/app-a/echo").status_code == 200

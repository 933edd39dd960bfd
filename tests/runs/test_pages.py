"""The "Run" form on a function's page and the run's page: the example's output, its logs, the error
of a failing run, a page that reloads only while the run is unfinished, and no secret in clear."""

import json

import pytest

from entities import models as m

from .conftest import HELLO_INPUT

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_developer_runs_the_example_from_the_function_page_and_sees_the_result(client, functions):
    signed_in(client, functions.people.developer_a)
    page = client.get("/functions/hello-py/").content.decode()
    assert 'action="/functions/hello-py/run/"' in page and 'name="input"' in page
    response = client.post("/functions/hello-py/run/", {"input": json.dumps(HELLO_INPUT), "blocking": "on"})
    run = m.FunctionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/runs/{run.name}/"
    page = client.get(response["Location"]).content.decode()
    assert "Hello, Jon from Winterfell" in page and "messages to stdout show up in logs" in page
    assert 'http-equiv="refresh"' not in page and 'href="/functions/hello-py/"' in page


def test_an_unfinished_run_page_reloads_itself_without_script(client, functions):
    signed_in(client, functions.people.developer_a)
    client.post("/functions/hello-py/run/", {"input": "{}"})  # not blocking: queued, no worker here
    run = m.FunctionRun.objects.get()
    assert run.status == "INITIALIZED"
    page = client.get(f"/runs/{run.name}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "INITIALIZED" in page


def test_a_failing_run_shows_its_error_and_a_secret_printed_is_masked(client, functions):
    source = "def handle(c, p):\n    print(c['secrets']['password'])\n    raise KeyError('gone')\n"
    functions.make("oops", source)
    m.Function.objects.get(name="oops").secrets.set([m.Secret.objects.get(name="open-sesame")])
    signed_in(client, functions.people.developer_a)
    response = client.post("/functions/oops/run/", {"input": "{}", "blocking": "on"}, follow=True)
    page = response.content.decode()
    assert "FunctionError" in page and "KeyError" in page and "[secret]" in page
    assert "OpenSesame" not in page


def test_bad_json_input_is_shown_again_with_an_error_and_nothing_runs(client, functions):
    signed_in(client, functions.people.developer_a)
    response = client.post("/functions/hello-py/run/", {"input": "{name: Jon}", "blocking": "on"})
    assert response.status_code == 400 and "Enter a valid JSON" in response.content.decode()
    assert not m.FunctionRun.objects.exists()


def test_a_viewer_sees_no_run_form_and_cannot_post_one(client, functions):
    signed_in(client, functions.people.viewer_a)
    assert 'action="/functions/hello-py/run/"' not in client.get("/functions/hello-py/").content.decode()
    response = client.post("/functions/hello-py/run/", {"input": "{}", "blocking": "on"})
    assert response.status_code == 403 and not m.FunctionRun.objects.exists()


def test_a_member_of_b_gets_a_404_for_the_function_and_its_runs(client, functions, api):
    api(functions.people.developer_a).post("/api/v1/functions/hello-py/runs/", {}, format="json")
    run = m.FunctionRun.objects.get()
    signed_in(client, functions.people.member_b)
    assert client.post("/functions/hello-py/run/", {"input": "{}"}).status_code == 404
    assert client.get(f"/runs/{run.name}/").status_code == 404
    assert run.name not in client.get("/runs/").content.decode()


def test_a_run_of_a_function_moved_out_of_sight_names_it_without_a_link(client, functions, api):
    api(functions.people.developer_a).post("/api/v1/functions/hello-py/runs/", {}, format="json")
    run = m.FunctionRun.objects.get()
    hello = m.Function.objects.get(name="hello-py")
    hello.applications.set([functions.people.app_b])
    signed_in(client, functions.people.viewer_a)
    page = client.get(f"/runs/{run.name}/").content.decode()
    assert "hello-py" in page and 'href="/functions/hello-py/"' not in page

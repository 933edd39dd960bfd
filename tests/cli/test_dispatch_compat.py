"""Issue 15: the original Dispatch's command lines, each as its docs and end-to-end tests wrote it,
against a live server."""

import base64
import io
import json
import os
import tarfile
from importlib import resources

import pytest
import yaml

from applications.models import Application
from entities import models as m
from tests import factories as f

IMAGES_YAML = resources.files("dispatch_cli").joinpath("images.yaml")
NODE_HELLO = "module.exports = function (context, params) {\n  return {myField: 'Hello'};\n};\n"
APP_A = {"key": "Application", "value": "app-a"}


def counts() -> dict[str, int]:
    found = {model.__name__: model.objects.count() for model in (m.BaseImage, m.Image, m.Function, m.API)}
    found["Application"] = Application.objects.count()
    return found


@pytest.fixture
def developer(cli, people):
    """app-a's developer, with the nodejs and python3 images in app-a."""
    f.ImageFactory(name="nodejs", base_image__name="nodejs-base", base_image__language="nodejs",
                   applications=[people.app_a])  # fmt: skip
    f.ImageFactory(name="python3", base_image__name="python3-base", applications=[people.app_a])
    cli.as_user(people.developer_a)
    return people


@pytest.fixture
def nodejs_folder(tmp_path):
    """examples/nodejs: a handler and the module it requires."""
    folder = tmp_path / "examples" / "nodejs"
    (folder / "lib").mkdir(parents=True)
    (folder / "hello.js").write_text("const greet = require('./lib/greet');\n" + NODE_HELLO)
    (folder / "lib" / "greet.js").write_text("module.exports = (name) => 'Hello, ' + name;\n")
    return folder


def archive_files(function) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(bytes(function.source_archive)), mode="r:gz") as archive:
        return {member.name: archive.extractfile(member).read() for member in archive if member.isfile()}


# --- 1. a function's source may be a folder ----------------------------------------------------


def create_from_folder(cli, folder, handler: str):
    result = cli("create", "function", "hello", folder, "--image=nodejs", f"--handler={handler}", "-a=app-a")
    assert result.code == 0, result.err


def test_create_function_with_a_folder_packs_it_and_the_handler_is_a_path_inside(
    cli, developer, nodejs_folder, monkeypatch
):
    monkeypatch.chdir(nodejs_folder.parent.parent)

    result = cli("create", "function", "--image=nodejs", "hello", "examples/nodejs", "--handler=./hello.js",
                 "-a", "app-a")  # fmt: skip

    assert (result.code, result.out) == (0, "Created function 'hello'.\n"), result.err
    hello = m.Function.objects.get(name="hello")
    assert (hello.source, hello.handler, hello.source_file_names) == (
        "",
        "./hello.js",
        ["hello.js", "lib/greet.js"],
    )
    assert (
        hello.source_files()
        == archive_files(hello)
        == {
            "hello.js": (nodejs_folder / "hello.js").read_bytes(),
            "lib/greet.js": (nodejs_folder / "lib" / "greet.js").read_bytes(),
        }
    )
    api = cli("get", "function", "hello", "-a", "app-a", "-o", "json").json()
    assert base64.b64decode(api["sourceArchive"]) == bytes(hello.source_archive)


def test_create_function_name_dot_takes_the_current_folder(cli, developer, nodejs_folder, monkeypatch):
    monkeypatch.chdir(nodejs_folder)

    result = cli(
        "create", "function", "hello", ".", "--image", "nodejs", "--handler", "hello.js", "-a", "app-a"
    )

    assert result.code == 0, result.err
    assert m.Function.objects.get(name="hello").source_file_names == ["hello.js", "lib/greet.js"]


def test_the_file_list_is_on_the_functions_page_and_in_the_api(cli, developer, nodejs_folder, client):
    create_from_folder(cli, nodejs_folder, "./hello.js")
    client.force_login(developer.developer_a)

    page = client.get("/functions/hello/").content.decode()
    body = client.get("/api/v1/functions/hello/").json()

    assert "Source folder" in page and "hello.js\nlib/greet.js" in page
    assert body["source_files"] == ["hello.js", "lib/greet.js"] and "source_archive" not in body


def test_a_handler_that_names_no_file_of_the_folder_is_refused(cli, developer, nodejs_folder):
    result = cli("create", "function", "hello", nodejs_folder, "--image", "nodejs", "--handler", "./main.js",
                 "-a", "app-a")  # fmt: skip

    assert result.code == 1
    assert "The handler './main.js' names no file of the source folder (hello.js, lib/greet.js)" in result.err
    assert not m.Function.objects.exists()


def test_a_folder_larger_than_the_cap_is_refused_before_sending(cli, developer, tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "blob.bin").write_bytes(os.urandom(6 * 1024 * 1024))  # does not compress

    result = cli("create", "function", "big", folder, "--image", "nodejs", "--handler", "blob.bin")

    assert result.code == 1 and "packs to more than 5 MiB" in result.err
    assert not m.Function.objects.exists()


def test_a_bundles_folder_source_path_is_packed(cli, developer, nodejs_folder):
    bundle = nodejs_folder.parent / "functions.yaml"
    bundle.write_text(
        "kind: Function\nname: hello-js\nsourcePath: nodejs\nimage: nodejs\nhandler: ./hello.js\n"
    )

    result = cli("create", "-f", bundle, "-a", "app-a")

    assert result.code == 0, result.err
    assert m.Function.objects.get(name="hello-js").source_file_names == ["hello.js", "lib/greet.js"]


def test_a_folder_then_a_file_replaces_the_folder(cli, developer, nodejs_folder):
    create_from_folder(cli, nodejs_folder, "hello.js")

    result = cli("update", "function", "hello", "--path", nodejs_folder / "hello.js", "-a", "app-a")

    assert result.code == 0, result.err
    hello = m.Function.objects.get(name="hello")
    assert (hello.source_file_names, bytes(hello.source_archive)) == ([], b"")
    assert hello.source == (nodejs_folder / "hello.js").read_text()


# --- 2. -o json|yaml print Dispatch's documents ------------------------------------------------


def test_get_o_json_prints_dispatchs_camel_case_document_with_key_value_tags(cli, developer):
    image = cli("get", "image", "python3", "-a", "app-a", "-o", "json").json()

    assert (image["kind"], image["name"], image["baseImageName"], image["language"]) == (
        "Image", "python3", "python3-base", "python3",
    )  # fmt: skip
    assert image["tags"][0]["key"] == "Application" and image["tags"] == [APP_A]
    assert {"id", "status", "createdTime", "modifiedTime", "revision"} <= set(image)
    assert "base_image" not in image


def test_the_rest_api_keeps_its_snake_case(client, developer):
    client.force_login(developer.developer_a)

    body = client.get("/api/v1/images/python3/").json()

    assert (body["base_image"], body["applications"]) == ("python3-base", ["app-a"])


def test_a_function_document_has_schema_in_and_out_and_event_type_is_camel_case(cli, developer):
    python3 = m.Image.objects.get(name="python3")
    hello = f.FunctionFactory(
        name="hello", image=python3, schema_in={"type": "object"}, applications=[developer.app_a]
    )
    f.SubscriptionFactory(name="ticks", function=hello, applications=[developer.app_a])

    function = cli("get", "function", "hello", "-o", "yaml").yaml()
    subscription = cli("get", "subscriptions", "-a", "app-a", "-o", "json").json()

    assert function["schema"] == {"in": {"type": "object"}}
    assert [(s["eventType"], s["function"], s["topic"]) for s in subscription] == [
        ("ticker.tick", "hello", "app-a.ticker.tick")
    ]


def test_secret_values_appear_only_with_reveal_for_whom_may_read_them(cli, people):
    f.SecretFactory(name="open-sesame", applications=[people.app_a])

    hidden = cli.as_user(people.developer_a)("get", "secret", "open-sesame", "-o", "json").json()
    shown = cli("get", "secret", "open-sesame", "--reveal", "-o", "json").json()
    listed = cli("get", "secrets", "--reveal", "-o", "json").json()
    refused = cli.as_user(people.viewer_a)("get", "secret", "open-sesame", "--reveal", "-o", "json")

    assert "secrets" not in hidden
    assert shown["secrets"] == {"password": "OpenSesame"} == listed[0]["secrets"]
    assert (refused.code, refused.out) == (1, "") and "(HTTP 403)" in refused.err


def test_a_yaml_list_is_a_multi_document_bundle(cli, developer):
    text = cli("get", "images", "-o", "yaml").out

    assert [d["name"] for d in yaml.safe_load_all(text)] == ["nodejs", "python3"]


# --- 3. --work-dir, -f - and -f URL ------------------------------------------------------------


def test_create_f_dash_reads_the_bundle_from_standard_input(cli, developer):
    result = cli(
        "create", "-f", "-", "-a", "app-a", stdin="kind: Secret\nname: db\nsecrets:\n  password: x\n"
    )

    assert result.code == 0, result.err
    assert m.Secret.objects.get(name="db").values == {"password": "x"}


def test_work_dir_is_where_the_bundles_source_paths_are_read(cli, developer, tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.py").write_text("def handle(ctx, payload):\n    return 1\n")
    monkeypatch.chdir(tmp_path)
    text = "kind: Function\nname: hello-py\nsourcePath: hello.py\nimage: python3\nhandler: hello.handle\n"

    result = cli("create", "-f", "-", "--work-dir", "src", "-a", "app-a", stdin=text)

    assert result.code == 0, result.err
    assert m.Function.objects.get(name="hello-py").source == "def handle(ctx, payload):\n    return 1\n"


def test_work_dir_must_be_a_folder(cli, developer, tmp_path):
    result = cli("create", "-f", "-", "--work-dir", tmp_path / "nope", stdin="kind: Secret\nname: db\n")

    assert (result.code, result.err) == (1, f"error: --work-dir {tmp_path / 'nope'} is not a folder.\n")


# --- 4. create seed-images ---------------------------------------------------------------------


def test_create_seed_images_makes_dispatchs_base_images_and_images(cli, people):
    result = cli.as_user(people.staff)("create", "seed-images")

    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "8 created."
    assert sorted(m.BaseImage.objects.values_list("name", "language")) == [
        ("java-base", "java"),
        ("nodejs-base", "nodejs"),
        ("powershell-base", "powershell"),
        ("python3-base", "python3"),
    ]
    assert m.Image.objects.get(name="python3").runtime_dependencies == "requests"


def test_a_developer_seeds_the_images_into_an_application_once_the_base_images_exist(cli, people):
    cli.as_user(people.staff)("create", "seed-images", "--dry-run")
    assert not m.BaseImage.objects.exists()  # a dry run changes nothing
    base_images = [d for d in yaml.safe_load_all(IMAGES_YAML.read_text()) if d["kind"] == "BaseImage"]
    cli("create", "-f", "-", stdin=yaml.safe_dump_all(base_images))

    result = cli.as_user(people.developer_a)("create", "seed-images", "-a", "app-a", "-o", "json")

    assert result.json()["counts"] == {"created": 4, "unchanged": 4}
    assert {i.application_names()[0] for i in m.Image.objects.prefetch_related("applications")} == {"app-a"}


# --- 5. the reader accepts what the original wrote ---------------------------------------------

ORIGINAL = """\
kind: baseimage
name: nodejs-base
dockerUrl: dispatchframework/nodejs-base:0.0.12
language: nodejs6
---
kind: image
name: nodejs
baseImageName: nodejs-base
runtimeDependencies:
  manifest: '@package.json'
---
kind: secret
name: open-sesame
secrets:
---
kind: function
name: hello-js
code: '@hello.js'
image: nodejs
handler: ./hello.js
secrets:
groups:
tags:
  - label: beta
  - key: role
    value: test
---
kind: drivertype
name: ticker
image: kars7e/timer:latest
---
kind: driver
name: ticker.every-2s
type: ticker
config:
  - key: seconds
    value: 2
---
kind: subscription
name: hello-ticks
event-type: ticker.tick
function: hello-js
"""


def test_the_reader_accepts_what_the_original_wrote(cli, people, tmp_path):
    (tmp_path / "package.json").write_text('{"dependencies": {}}\n')
    (tmp_path / "hello.js").write_text(NODE_HELLO)
    (tmp_path / "bundle.yaml").write_text(ORIGINAL)

    result = cli.as_user(people.staff)("create", "-f", tmp_path / "bundle.yaml", "-o", "json")

    assert result.json()["counts"] == {"created": 7}
    assert m.BaseImage.objects.get(name="nodejs-base").language == "nodejs"
    assert m.Image.objects.get(name="nodejs").runtime_dependencies == '{"dependencies": {}}\n'
    assert m.Secret.objects.get(name="open-sesame").values == {}
    hello = m.Function.objects.get(name="hello-js")
    assert (hello.source, sorted(t.name for t in hello.tags.all())) == (NODE_HELLO, ["beta", "role=test"])
    assert m.EventDriver.objects.get(name="ticker.every-2s").config == [{"key": "seconds", "value": "2"}]
    assert m.Subscription.objects.get(name="hello-ticks").event_type == "ticker.tick"


def test_create_base_image_without_language_tells_it_from_the_name(cli, people):
    cli.as_user(people.staff)

    told = cli("create", "base-image", "python3-base", "dispatchframework/python3-base:0.0.13", "-a", "app-a",
               "-o", "json")  # fmt: skip
    alias = cli("create", "base-image", "node-base", "some/runtime:1", "--language", "nodejs6")
    untold = cli("create", "base-image", "mystery", "example/runtime:1")

    assert (told.json()["kind"], told.json()["language"], alias.code) == ("BaseImage", "python3", 0)
    assert m.BaseImage.objects.get(name="python3-base").language == "python3"
    assert m.BaseImage.objects.get(name="node-base").language == "nodejs"
    assert untold.code == 1 and untold.err == (
        "error: language: Give the language of base image 'mystery' (one of python3, nodejs, powershell, "
        "java): its name and Docker URL do not tell it. (HTTP 400)\n"
    )
    assert not m.BaseImage.objects.filter(name="mystery").exists()


def test_create_eventdriver_takes_a_dotted_name(cli, people):
    f.EventDriverTypeFactory(name="vcenter")

    result = cli.as_user(people.developer_a)(
        "create", "eventdriver", "vcenter", "--name", "vcenter.prod", "-a", "app-a"
    )

    assert result.code == 0, result.err
    assert m.EventDriver.objects.get(name="vcenter.prod").application_names() == ["app-a"]


# --- 6. create api --https-only; update -f of something missing ---------------------------------


def test_create_api_https_only(cli, developer):
    f.FunctionFactory(name="hello", image=m.Image.objects.get(name="python3"), applications=[developer.app_a])

    result = cli(
        "create", "api", "post-hello", "hello", "--https-only", "--method", "POST", "--path", "/hello"
    )

    assert result.code == 0, result.err
    assert m.API.objects.get(name="post-hello").protocols == ["https"]


def test_update_f_of_something_that_does_not_exist_fails_and_writes_nothing(cli, developer):
    before = counts()

    result = cli(
        "update",
        "-f",
        "-",
        "-a",
        "app-a",
        stdin="kind: Secret\nname: db\n---\nkind: Application\nname: new\n",
    )

    assert result.code == 1
    assert result.err == (
        "error: Document 2 (Application 'new'): Application 'new' does not exist; "
        "create it first (`dispatch create -f`). (HTTP 404)\n"
    )
    assert counts() == before and not m.Secret.objects.exists()


# --- 7. lookups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("application", ["unknown", "app-b"])  # app-b: there, but hidden from this user
def test_get_images_of_an_unknown_or_hidden_application_is_an_empty_list(cli, developer, application):
    f.ImageFactory(name="theirs", applications=[developer.app_b])

    as_json = cli("get", "images", "--application", application, "-o", "json")
    as_table = cli("get", "images", "--application", application)

    assert (as_json.code, json.loads(as_json.out)) == (0, [])
    assert (as_table.code, as_table.out) == (0, "No resources found.\n")


def test_get_runs_function_lists_that_functions_runs(cli, developer):
    python3 = m.Image.objects.get(name="python3")
    hello = f.FunctionFactory(name="hello", image=python3, applications=[developer.app_a])
    other = f.FunctionFactory(name="other", image=python3, applications=[developer.app_a])
    mine = [f.FunctionRunFactory(function=hello, applications=[developer.app_a]) for _ in range(2)]
    f.FunctionRunFactory(function=other, applications=[developer.app_a])

    listed = cli("get", "runs", "hello", "-o", "json").json()
    one = cli("get", "runs", "hello", mine[0].name, "-o", "json").json()
    not_its = cli("get", "runs", "other", mine[0].name)

    assert sorted(r["name"] for r in listed) == sorted(r.name for r in mine)
    assert {r["functionName"] for r in listed} == {"hello"} and listed[0]["kind"] == "Run"
    assert (one["name"], one["output"]) == (mine[0].name, {"myField": "Hello, Jon"})
    assert not_its.code == 1 and f"Run '{mine[0].name}' does not exist." in not_its.err

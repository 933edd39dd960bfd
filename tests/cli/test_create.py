"""`dispatch create|update|delete <kind>`: each form of the original CLI, through the REST API."""

import json

import pytest

from applications import scopes
from applications.models import Application
from dispatch_cli.commands.create import FORMS
from entities import models as m
from entities.kinds import KINDS
from tests import factories as f
from tests import samples
from tests.bundles.examples import DATA


@pytest.fixture
def staff(cli, people):
    cli.as_user(people.staff)
    return people


@pytest.fixture
def developer(cli, people):
    f.BaseImageFactory(name="python3-base")
    f.ImageFactory(name="python3", base_image__name="python3-base-2", applications=[people.app_a])
    cli.as_user(people.developer_a)
    return people


def test_create_base_image_name_url_language(cli, staff):
    result = cli(
        "create", "base-image", "py", "dispatchframework/python3-base:0.0.13", "--language", "python3"
    )

    assert (result.code, result.out) == (0, "Created base-image 'py'.\n")
    base = m.BaseImage.objects.get(name="py")
    assert (base.docker_url, base.language) == ("dispatchframework/python3-base:0.0.13", "python3")


def test_create_image_name_base_image_in_an_application(cli, developer):
    created = cli("create", "image", "mine", "python3-base", "-a", "app-a", "--json").json()

    assert (created["kind"], created["name"], created["baseImageName"], created["tags"]) == (
        "Image",
        "mine",
        "python3-base",
        [{"key": "Application", "value": "app-a"}],
    )


def test_create_function_name_path_with_image_handler_schemas_and_secret(cli, developer, tmp_path):
    source = tmp_path / "hello.py"
    source.write_text("def handle(ctx, payload):\n    return {'myField': 'Hello'}\n")
    f.SecretFactory(name="open-sesame", applications=[developer.app_a])

    created = cli(
        "create", "function", "hello", source, "--image", "python3", "--handler", "hello.handle",
        "--schema-in", DATA / "hello.schema.in.json", "--schema-out", DATA / "hello.schema.out.json",
        "--secret", "open-sesame", "-a", "app-a", "-o", "json",
    ).json()  # fmt: skip

    assert created["tags"] == [{"key": "Application", "value": "app-a"}]
    assert created["secrets"] == ["open-sesame"]
    hello = m.Function.objects.get(name="hello")
    assert hello.source.startswith("def handle(ctx, payload):")
    assert (hello.handler, hello.image.name) == ("hello.handle", "python3")
    assert hello.schema_in == json.loads((DATA / "hello.schema.in.json").read_text())
    assert hello.schema_out["required"] == ["myField"]


def test_create_secret_name_file(cli, developer):
    result = cli("create", "secret", "open-sesame", DATA / "secret.json", "-a", "app-a")

    assert result.code == 0, result.err
    assert m.Secret.objects.get(name="open-sesame").values == json.loads((DATA / "secret.json").read_text())


def test_create_api_name_function_with_methods_paths_and_auth(cli, developer):
    f.FunctionFactory(name="hello", image=m.Image.objects.get(name="python3"), applications=[developer.app_a])

    created = cli(
        "create", "api", "post-hello", "hello", "-m", "POST", "-m", "GET", "-p", "/hello",
        "--auth", "public", "--cors", "--json",
    ).json()  # fmt: skip

    assert created["tags"] == [{"key": "Application", "value": "app-a"}]  # an API follows its function
    api = m.API.objects.get(name="post-hello")
    assert (api.methods, api.uris, api.authentication, api.cors) == (
        ["POST", "GET"],
        ["/hello"],
        "public",
        True,
    )


def test_create_subscription_function_with_name_and_event_type(cli, developer):
    f.FunctionFactory(name="hello", image=m.Image.objects.get(name="python3"), applications=[developer.app_a])

    created = cli(
        "create",
        "subscription",
        "hello",
        "--name",
        "ticks",
        "--event-type",
        "ticker.tick",
        "-a",
        "app-a",
        "--json",
    ).json()

    assert (created["name"], created["function"], created["topic"]) == ("ticks", "hello", "app-a.ticker.tick")


def test_a_subscription_without_a_name_gets_one_made_from_its_function(cli, developer):
    f.FunctionFactory(name="hello", image=m.Image.objects.get(name="python3"), applications=[developer.app_a])

    created = cli("create", "subscription", "hello", "--event-type", "t", "-a", "app-a", "--json").json()

    assert created["name"].startswith("hello-") and len(created["name"]) == len("hello-") + 6


def test_create_eventdrivertype_name_image(cli, staff):
    result = cli("create", "eventdrivertype", "ticker", "kars7e/timer:latest", "--expose")

    assert result.code == 0, result.err
    assert m.EventDriverType.objects.get(name="ticker").image == "kars7e/timer:latest"


def test_create_eventdriver_type_with_name_and_settings(cli, developer):
    f.EventDriverTypeFactory(name="ticker")

    created = cli(
        "create", "eventdriver", "ticker", "--name", "tick", "--set", "seconds=2", "--set", "a=b=c",
        "-a", "app-a", "--json",
    ).json()  # fmt: skip

    assert created["type"] == "ticker"
    assert m.EventDriver.objects.get(name="tick").config == [
        {"key": "seconds", "value": "2"},
        {"key": "a", "value": "b=c"},
    ]


def test_create_application_name(cli, staff):
    result = cli("create", "application", "shop", "--description", "The shop")

    assert (result.code, result.out) == (0, "Created application 'shop'.\n")
    assert Application.objects.get(name="shop").description == "The shop"


def test_a_developer_may_not_create_an_application_or_a_system_kind(cli, developer):
    result = cli("create", "app", "shop")
    assert (result.code, result.err) == (
        1,
        "error: Only staff can create applications; ask an administrator. (HTTP 403)\n",
    )
    result = cli("create", "base-image", "b", "x/y", "--language", "java")
    assert "(HTTP 403)" in result.err and result.code == 1
    assert not m.BaseImage.objects.filter(name="b").exists()


def test_a_member_of_another_application_cannot_create_into_it(cli, people):
    cli.as_user(people.member_b)

    result = cli("create", "secret", "mine", DATA / "secret.json", "-a", "app-a")

    assert result.code == 1 and "(HTTP 400)" in result.err and "app-a" in result.err
    assert not m.Secret.objects.exists()


def test_update_changes_only_what_the_flags_name(cli, developer):
    hello = f.FunctionFactory(
        name="hello", image=m.Image.objects.get(name="python3"), handler="a.b", applications=[developer.app_a]
    )

    updated = cli("update", "function", "hello", "--timeout", "90", "-a", "app-a", "--json").json()

    assert (updated["timeout"], updated["handler"], updated["revision"]) == (90, "a.b", hello.revision + 1)


def test_update_without_a_change_is_a_usage_error(cli, developer):
    result = cli("update", "function", "hello")

    assert result.code == 2
    assert result.err.startswith("error: Say what to change in function 'hello'")


def test_update_application_description(cli, people):
    cli.as_user(people.admin_a)

    assert cli("update", "app", "app-a", "--description", "Renamed").code == 0
    assert Application.objects.get(name="app-a").description == "Renamed"


def test_delete_an_entity_and_a_viewer_may_not(cli, people):
    f.SecretFactory(name="db", applications=[people.app_a])

    result = cli.as_user(people.viewer_a)("delete", "secret", "db")
    assert result.code == 1 and "(HTTP 403)" in result.err

    result = cli.as_user(people.developer_a)("delete", "secret", "db", "-a", "app-a")
    assert (result.code, result.out) == (0, "Deleted secret 'db'.\n")
    assert not m.Secret.objects.exists()


def test_delete_application_previews_with_dry_run_then_deletes(cli, people):
    f.SecretFactory(name="db", applications=[people.app_a])
    cli.as_user(people.admin_a)

    preview = cli("delete", "application", "app-a", "--dry-run")
    assert preview.out.splitlines() == [
        "Would delete application 'app-a' (cascade=delete).",
        "  delete secret 'db'",
    ]
    assert Application.objects.filter(name="app-a").exists()

    assert cli("delete", "app", "app-a").code == 0
    assert not Application.objects.filter(name="app-a").exists() and not m.Secret.objects.exists()


@pytest.mark.parametrize("full", [False, True], ids=["own", "full"])
@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.scope != scopes.FROZEN], ids=str)
def test_each_kinds_sample_arguments_create_what_its_factory_makes(cli, people, tmp_path, kind, full):
    made: dict = {}
    for other in KINDS:
        if other.scope != scopes.FROZEN:
            f.make_with_references(other.name, [people.app_a], made)
    references = samples.references(kind, lambda name: made[name].name)
    args = samples.cli_args(kind, "by-cli", references, folder=tmp_path, full=full)
    cli.as_user(people.staff if kind.is_system else people.developer_a)

    result = cli(*args, *([] if kind.is_system else ["-a", "app-a"]))

    assert result.code == 0, result.err
    created = kind.model.objects.get(name="by-cli")
    factory_made = f.make_with_references(
        kind.name, [people.app_a], made, name="by-factory", **samples.own(kind.name, full=full)
    )
    settable = {arg.field for arg in FORMS[kind.name]} & set(samples.own(kind.name, full=True))
    assert samples.held(kind, created, settable) == samples.held(kind, factory_made, settable)

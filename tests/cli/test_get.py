"""`dispatch get`: the seed's read operations, every noun and alias, and the output formats."""

import pytest

from entities.kinds import KINDS
from tests import factories as f


@pytest.fixture
def scene(people):
    """hello in app-a (with its image, API and a run), other in app-b, scratch unassigned."""
    image = f.ImageFactory(name="img-a", applications=[people.app_a])
    hello = f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    f.APIFactory(name="post-hello", function=hello, applications=[people.app_a])
    f.FunctionRunFactory(function=hello, applications=[people.app_a])
    f.FunctionFactory(name="other", image__applications=[people.app_b], applications=[people.app_b])
    f.FunctionFactory(name="scratch")
    return people


def test_it_lists_the_applications_the_user_is_a_member_of(cli, scene):
    result = cli.as_user(scene.developer_a)("get", "applications", "-o", "json")

    assert [app["name"] for app in result.json()] == ["app-a"]


def test_it_lists_one_kind_in_an_application(cli, scene):
    result = cli.as_user(scene.developer_a)("get", "functions", "--application", "app-a", "--json")

    assert [fn["name"] for fn in result.json()] == ["hello"]


def test_without_an_application_it_lists_every_function_the_user_may_see(cli, scene):
    result = cli.as_user(scene.developer_a)("get", "functions", "-o", "json")

    assert [fn["name"] for fn in result.json()] == ["hello", "scratch"]  # not app-b's


def test_it_gets_one_entity_by_name_in_an_application_as_one_object(cli, scene):
    result = cli.as_user(scene.developer_a)("get", "function", "hello", "-a", "app-a", "-o", "json")

    found = result.json()
    assert (found["kind"], found["name"], found["tags"], found["image"]) == (
        "Function",
        "hello",
        [{"key": "Application", "value": "app-a"}],
        "img-a",
    )


def test_an_entity_outside_the_application_named_is_a_404(cli, scene):
    result = cli.as_user(scene.developer_a)("get", "function", "scratch", "-a", "app-a")

    assert result.code == 1
    assert result.err == "error: Function 'scratch' does not exist in application 'app-a'. (HTTP 404)\n"


def test_a_member_of_another_application_gets_a_404_for_its_entity(cli, scene):
    result = cli.as_user(scene.member_b)("get", "function", "hello", "-a", "app-a")

    assert (result.code, result.out) == (1, "")
    assert "(HTTP 404)" in result.err and "hello" in result.err


def test_get_with_an_application_and_no_kind_lists_every_kind_in_it(cli, scene):
    items = cli.as_user(scene.developer_a)("get", "--application", "app-a", "--json").json()

    assert sorted((i["kind"], i["name"]) for i in items if i["kind"] != "Run") == [
        ("API", "post-hello"),
        ("Function", "hello"),
        ("Image", "img-a"),
    ]
    assert sum(i["kind"] == "Run" for i in items) == 1


def test_get_all_applications_lists_every_entity_the_user_may_see(cli, scene):
    names = {i["name"] for i in cli.as_user(scene.superuser)("get", "--all-applications", "--json").json()}

    assert {"hello", "other", "scratch", "post-hello", "img-a"} <= names


def test_all_applications_overrides_the_current_application(cli, scene, monkeypatch):
    monkeypatch.setenv("DISPATCH_APPLICATION", "app-a")
    cli.as_user(scene.developer_a)

    assert [i["name"] for i in cli("get", "functions", "--json").json()] == ["hello"]
    assert [i["name"] for i in cli("get", "functions", "--all-applications", "--json").json()] == [
        "hello",
        "scratch",
    ]


@pytest.mark.parametrize(
    ("noun", "kind"),
    [
        ("app", "application"),
        ("apps", "application"),
        ("application", "application"),
        ("applications", "application"),
        ("base-image", "base-image"),
        ("baseimage", "base-image"),
        ("base-images", "base-image"),
        ("image", "image"),
        ("fn", "function"),
        ("function", "function"),
        ("api", "api"),
        ("apis", "api"),
        ("secret", "secret"),
        ("eventdriver", "event-driver"),
        ("event-drivers", "event-driver"),
        ("eventdrivertype", "event-driver-type"),
        ("event-driver-types", "event-driver-type"),
        ("subscription", "subscription"),
        ("subscriptions", "subscription"),
        ("run", "run"),
        ("runs", "run"),
    ],
)
def test_every_noun_and_alias_names_its_kind(cli, scene, noun, kind):
    items = cli.as_user(scene.superuser)("get", noun, "-o", "json").json()

    if kind == "application":
        assert {i["name"] for i in items} == {"app-a", "app-b"}
    else:
        found = next(k for k in KINDS if k.name == kind)
        expected = found.model.objects.count()
        assert len(items) == expected and all(i["kind"] == found.bundle_kind for i in items)


def test_the_default_table_fits_80_columns_and_wide_shows_more(cli, scene):
    f.FunctionFactory(
        name="a-function-with-a-rather-long-name-for-tables",
        handler="package.module.a_handler_with_a_very_long_name_indeed",
        image__name="an-image-with-a-long-name-too",
    )
    cli.as_user(scene.superuser)

    table = cli("get", "functions").out.splitlines()
    wide = cli("get", "functions", "-o", "wide").out.splitlines()

    assert table[0].split() == ["NAME", "APPLICATIONS", "IMAGE", "HANDLER", "STATUS"]
    assert max(len(line) for line in table) <= 80
    assert any("…" in line for line in table)  # clipped to fit
    assert "TAGS" in wide[0] and "REVISION" in wide[0]
    assert any("a_handler_with_a_very_long_name_indeed" in line for line in wide)
    assert len(table) == len(wide) == 5  # a header and four functions


def test_yaml_output_is_the_same_data_as_json(cli, scene):
    cli.as_user(scene.developer_a)

    as_yaml = cli("get", "fn", "hello", "-o", "yaml").yaml()
    as_json = cli("get", "fn", "hello", "--json").json()

    assert as_yaml == as_json


def test_an_empty_list_says_so(cli, scene):
    result = cli.as_user(scene.developer_a)("get", "subscriptions")

    assert (result.code, result.out) == (0, "No resources found.\n")

"""The seed's operations, each as the `dispatch` command it names, with its JSON output checked."""

from applications.models import Application
from tests import factories as f


def test_list_applications(cli, people):
    apps = cli.as_user(people.superuser)("get", "applications", "--json").json()

    assert [(a["name"], a["description"]) for a in apps] == [
        ("app-a", "Application A"),
        ("app-b", "Application B"),
    ]


def test_create_update_and_delete_an_application(cli, people):
    cli.as_user(people.staff)

    created = cli("create", "application", "shop", "--description", "The shop", "--json").json()
    assert (created["name"], created["description"], created["status"]) == ("shop", "The shop", "READY")

    updated = cli("update", "application", "shop", "--description", "The web shop", "-o", "json").json()
    assert (updated["description"], updated["revision"]) == ("The web shop", created["revision"] + 1)

    plan = cli("delete", "application", "shop", "--json").json()
    assert plan == {
        "application": "shop",
        "cascade": "delete",
        "dry_run": False,
        "deleted": [],
        "untagged": [],
    }
    assert not Application.objects.filter(name="shop").exists()


def test_list_the_entities_of_an_application(cli, people):
    f.SecretFactory(name="db", applications=[people.app_a])
    f.SecretFactory(name="theirs", applications=[people.app_b])

    items = cli.as_user(people.viewer_a)("get", "-a", "app-a", "--json").json()

    assert [(i["kind"], i["name"], i["tags"]) for i in items] == [
        ("Secret", "db", [{"key": "Application", "value": "app-a"}])
    ]


def test_list_one_kind_in_an_application_and_get_one_by_name(cli, people):
    f.SecretFactory(name="db", applications=[people.app_a])
    cli.as_user(people.viewer_a)

    listed = cli("get", "secrets", "-a", "app-a", "--json").json()
    one = cli("get", "secret", "db", "-a", "app-a", "--json").json()

    assert [s["name"] for s in listed] == ["db"]
    assert (one["kind"], one["name"]) == ("Secret", "db")
    assert "secrets" not in one  # no values without --reveal (and a viewer may not reveal them)


def test_list_all_entities_of_all_applications(cli, people):
    f.SecretFactory(name="db", applications=[people.app_a])
    f.SecretFactory(name="theirs", applications=[people.app_b])

    items = cli.as_user(people.staff)("get", "--all-applications", "--json").json()

    assert {(i["kind"], i["name"]) for i in items} == {("Secret", "db"), ("Secret", "theirs")}

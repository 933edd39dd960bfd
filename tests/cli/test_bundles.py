"""`dispatch create|update|delete -f FILE.yaml` and `dispatch export application NAME`."""

import pytest

from applications.models import Application
from entities import models as m
from entities.kinds import KINDS
from tests.bundles.examples import SOURCES, lay_out


def counts() -> dict[str, int]:
    found = {kind.name: kind.model.objects.count() for kind in KINDS}
    found["application"] = Application.objects.count()
    return found


@pytest.fixture
def examples(tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    return lay_out(folder)


def test_the_example_bundles_import_unchanged(cli, people, examples):
    cli.as_user(people.staff)

    images = cli("create", "-f", examples / "images.yaml", "-a", "app-a")
    seed = cli("create", "-f", examples / "seed.yaml", "-a", "app-a", "--json")

    assert images.code == 0, images.err
    assert images.out.splitlines()[0] == "BaseImage 'nodejs-base' created"
    assert images.out.splitlines()[-1] == "8 created."
    assert seed.json()["counts"] == {"created": 9}
    assert m.Function.objects.get(name="hello-js").source == SOURCES["nodejs/hello.js"]
    assert m.Subscription.objects.get(name="ticker-sub").topic == "app-a.ticker.tick"
    assert m.API.objects.get(name="post-hello").application_names() == ["app-a"]


def test_a_dry_run_reports_and_changes_nothing(cli, people, examples):
    cli.as_user(people.staff)
    before = counts()

    result = cli("create", "-f", examples / "images.yaml", "--dry-run")

    assert result.code == 0
    assert result.out.splitlines()[-1] == "Dry run, nothing changed: 8 created."
    assert counts() == before


def test_update_f_applies_changes_and_reports_unchanged_documents(cli, people, examples):
    cli.as_user(people.staff)
    cli("create", "-f", examples / "images.yaml")
    text = (examples / "images.yaml").read_text().replace("manifest: requests", "manifest: requests==2.31")
    (examples / "images.yaml").write_text(text)

    report = cli("update", "-f", examples / "images.yaml", "-o", "json").json()

    assert report["counts"] == {"unchanged": 7, "updated": 1}
    assert m.Image.objects.get(name="python3").runtime_dependencies == "requests==2.31"


def test_a_bad_document_rolls_back_the_whole_bundle_with_a_one_line_error(cli, people, examples):
    cli.as_user(people.staff)
    bad = examples / "bad.yaml"
    bad.write_text(
        (examples / "images.yaml").read_text() + "---\nkind: Image\nname: broken\nbaseImageName: nope\n"
    )
    before = counts()

    result = cli("create", "-f", bad)

    assert result.code == 1
    assert result.err == (
        "error: Document 9 (Image 'broken'): A base image named 'nope' does not exist; "
        "create it first or add it to the bundle. (HTTP 400)\n"
    )
    assert counts() == before


def test_a_missing_source_file_is_reported_before_anything_is_sent(cli, people, examples):
    cli.as_user(people.staff)
    (examples / "python3" / "hello.py").unlink()

    result = cli("create", "-f", examples / "seed.yaml")

    assert result.code == 1
    assert "python3/hello.py named by document 1 (Function 'hello-py')" in result.err
    assert counts()["function"] == 0


def test_delete_f_deletes_what_the_bundle_names(cli, people, examples):
    cli.as_user(people.staff)
    cli("create", "-f", examples / "images.yaml")

    result = cli("delete", "-f", examples / "images.yaml")

    assert result.out.splitlines()[-1] == "8 deleted."
    assert counts()["image"] == counts()["base-image"] == 0


def test_a_long_bundle_shows_a_progress_bar_on_stderr(cli, people, examples):
    cli.as_user(people.staff)

    result = cli("create", "-f", examples / "images.yaml", "--progress")

    assert result.code == 0
    assert "Reading images.yaml [" in result.err and "] 8/8" in result.err
    assert "Sending images.yaml [" in result.err


def test_an_export_imports_into_an_empty_database_as_the_same_application(cli, people, examples, tmp_path):
    cli.as_user(people.staff)
    cli("create", "-f", examples / "images.yaml", "-a", "app-a")
    cli("create", "-f", examples / "seed.yaml", "-a", "app-a")
    exported = cli("export", "application", "app-a", "--include-secret-values")
    assert exported.code == 0, exported.err
    (tmp_path / "app-a.yaml").write_text(exported.out)
    for kind in reversed(KINDS):
        kind.model.objects.all().delete()
    Application.objects.filter(name="app-a").delete()

    result = cli("create", "-f", tmp_path / "app-a.yaml", "--json")

    assert set(result.json()["counts"]) == {"created"}
    assert cli("export", "app", "app-a", "--include-secret-values").out == exported.out
    assert m.Secret.objects.get(name="open-sesame").values == {"password": "OpenSesame"}


def test_export_as_json_and_a_404_for_a_member_of_another_application(cli, people):
    cli.as_user(people.developer_a)
    documents = cli("export", "application", "app-a", "--json").json()
    assert documents[0]["kind"] == "Application"

    result = cli.as_user(people.member_b)("export", "application", "app-a")

    assert (result.code, result.out) == (1, "")
    assert result.err == "error: Application 'app-a' does not exist. (HTTP 404)\n"


def test_secret_values_are_exported_for_admins_only(cli, people):
    result = cli.as_user(people.developer_a)("export", "app", "app-a", "--include-secret-values")

    assert (
        result.code == 1 and "admin role in application 'app-a'" in result.err and "(HTTP 403)" in result.err
    )

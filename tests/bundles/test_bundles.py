"""Bundles in the domain layer: Dispatch's YAML imported all or nothing, deleted, and exported."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from applications.exceptions import NotFound
from applications.models import Application
from entities import bundles
from entities import models as m
from entities.kinds import KINDS
from tests import factories as f

from .examples import SOURCES, lay_out


def counts() -> dict[str, int]:
    """How many of each kind exist (and applications): a fingerprint of 'nothing changed'."""
    found = {kind.name: kind.model.objects.count() for kind in KINDS}
    found["application"] = Application.objects.count()
    return found


def actions(report) -> list[tuple[str, str, str]]:
    return [(r["kind"], r["name"], r["action"]) for r in report.as_dict()["results"]]


def import_examples(user, folder, application=None):
    images = bundles.apply_bundle(
        user=user, bundle=(folder / "images.yaml").read_text(), application=application
    )
    seed = bundles.apply_bundle(
        user=user, bundle=(folder / "seed.yaml").read_text(), application=application, base_dir=folder
    )
    return images, seed


# --- the example files ---------------------------------------------------------------------------


def test_the_example_bundles_import_unchanged_into_an_application(people, tmp_path):
    folder = lay_out(tmp_path)
    images, seed = import_examples(people.staff, folder, application="app-a")

    assert images.counts() == {"created": 8}
    assert seed.counts() == {"created": 9}
    hello = m.Function.objects.get(name="hello-py")
    assert hello.source == SOURCES["python3/hello.py"]
    assert hello.image.name == "python3"
    assert hello.application_names() == ["app-a"]
    assert [t.name for t in hello.tags.all()] == ["role=test"]
    js = m.Function.objects.get(name="hello-js")
    assert js.schema_in["required"] == ["name"] and js.schema_out["required"] == ["myField"]
    assert m.Image.objects.get(name="python3").runtime_dependencies == "requests"
    assert m.Image.objects.get(name="python3").language == "python3"
    assert m.Secret.objects.get(name="open-sesame").values == {"password": "OpenSesame"}
    api = m.API.objects.get(name="post-hello")
    assert (api.methods, api.protocols, api.uris, api.enabled) == (["POST"], ["https"], ["/hello"], True)
    assert api.application_names() == ["app-a"]  # follows its function
    assert m.EventDriver.objects.get(name="ticker").config == [{"key": "seconds", "value": "2"}]
    assert m.EventDriverType.objects.get(name="ticker").application_names() == []  # system-scoped
    assert m.BaseImage.objects.get(name="java-base").application_names() == []
    assert m.Subscription.objects.get(name="ticker-sub").topic == "app-a.ticker.tick"


def test_the_example_bundles_import_unassigned_without_an_application(people, tmp_path):
    import_examples(people.staff, lay_out(tmp_path))

    assert m.Function.objects.get(name="hello-py").application_names() == []
    assert m.Subscription.objects.get(name="ticker-sub").topic == "ticker.tick"


def test_importing_the_same_bundle_twice_changes_nothing_the_second_time(people, tmp_path):
    folder = lay_out(tmp_path)
    import_examples(people.staff, folder, application="app-a")
    revisions = {f.name: f.revision for f in m.Function.objects.all()}

    images, seed = import_examples(people.staff, folder, application="app-a")

    assert images.counts() == {"unchanged": 8} and seed.counts() == {"unchanged": 9}
    assert {f.name: f.revision for f in m.Function.objects.all()} == revisions


def test_it_reports_results_in_file_order_although_it_applies_them_in_dependency_order(people, tmp_path):
    folder = lay_out(tmp_path)
    bundles.apply_bundle(user=people.staff, bundle=(folder / "images.yaml").read_text())

    report = bundles.apply_bundle(
        user=people.staff, bundle=(folder / "seed.yaml").read_text(), base_dir=folder
    )

    assert [r["position"] for r in report.as_dict()["results"]] == list(range(1, 10))
    assert actions(report)[6] == ("DriverType", "ticker", "created")


def test_a_function_with_a_source_path_needs_its_source_when_sent_without_files(people, tmp_path):
    folder = lay_out(tmp_path)
    bundles.apply_bundle(user=people.staff, bundle=(folder / "images.yaml").read_text())
    before = counts()

    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.staff, bundle=(folder / "seed.yaml").read_text())

    assert caught.value.status == 400
    assert caught.value.message.startswith(
        "Document 1 (Function 'hello-py'): 'python3/hello.py' is a local file"
    )
    assert "sourcePath" in caught.value.errors
    assert counts() == before


# --- create or update ----------------------------------------------------------------------------

BUNDLE = """
kind: Secret
name: db
secrets:
  password: s3cret
tags:
  - key: Application
    value: app-a
---
kind: Function
name: hello
image: img
handler: hello.handle
source: "def handle(ctx, payload):\\n    return payload\\n"
secrets: [db]
timeout: 30
tags:
  - {key: app, value: app-a}
  - {key: role, value: test}
"""


@pytest.fixture
def image_a(people):
    return f.ImageFactory(name="img", applications=[people.app_a])


def test_a_developer_creates_then_updates_entities_by_name(people, image_a):
    report = bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)
    assert actions(report) == [("Secret", "db", "created"), ("Function", "hello", "created")]
    hello = m.Function.objects.get(name="hello")
    assert (hello.timeout, [s.name for s in hello.secrets.all()], hello.created_by) == (
        30,
        ["db"],
        people.developer_a,
    )

    report = bundles.apply_bundle(
        user=people.developer_a, bundle=BUNDLE.replace("timeout: 30", "timeout: 45")
    )

    assert actions(report) == [("Secret", "db", "unchanged"), ("Function", "hello", "updated")]
    hello.refresh_from_db()
    assert (hello.timeout, hello.revision) == (45, 2)


def test_a_changed_tag_or_application_is_an_update(people, image_a):
    bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)

    report = bundles.apply_bundle(
        user=people.developer_a, bundle=BUNDLE.replace("value: test", "value: prod")
    )

    assert actions(report)[1] == ("Function", "hello", "updated")
    assert [t.name for t in m.Function.objects.get(name="hello").tags.all()] == ["role=prod"]


def test_a_dry_run_reports_each_document_and_writes_nothing(people, image_a):
    bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)
    before = counts()
    changed = (
        BUNDLE.replace("timeout: 30", "timeout: 45") + "---\nkind: Secret\nname: other\nsecrets: {a: b}\n"
    )

    report = bundles.apply_bundle(user=people.developer_a, bundle=changed, application="app-a", dry_run=True)

    assert report.as_dict()["dry_run"] is True
    assert actions(report) == [
        ("Secret", "db", "unchanged"),
        ("Function", "hello", "updated"),
        ("Secret", "other", "created"),
    ]
    assert counts() == before
    assert m.Function.objects.get(name="hello").timeout == 30


def test_a_bad_document_rolls_back_the_whole_bundle_and_names_its_position_kind_and_name(people, image_a):
    before = counts()
    bad = BUNDLE + "---\nkind: API\nname: broken\nfunction: hello\nmethods: POST\n"

    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.developer_a, bundle=bad)

    error = caught.value
    assert error.message == "Document 3 (API 'broken'): Give 'methods' as a list of strings."
    assert error.as_dict() == {
        "code": 400,
        "message": error.message,
        "errors": {"methods": ["Give 'methods' as a list of strings."]},
        "document": {"position": 3, "kind": "API", "name": "broken"},
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("bundle", "message"),
    [
        ("kind: Function\nname: [oops", "The bundle is not valid YAML at line "),
        ("- just\n- a list\n", "Document 1 is not a map of fields"),
        ("kind: Lambda\nname: x\n", "Document 1 has unknown kind 'Lambda'"),
        ("kind: Secret\n", "Document 1 (Secret) has no name"),
        ("kind: Secret\nname: a\n---\nkind: Secret\nname: a\n", "Document 2 (Secret 'a') repeats document 1"),
        ("---\n", "The bundle holds no documents"),
        ("kind: Secret\nname: a\nsecret: {a: b}\n", "Document 1 (Secret 'a'): Secret has no field 'secret'"),
        ("kind: Secret\nname: Bad Name\n", "Document 1 (Secret 'Bad Name'): Use letters, digits"),
        (
            "kind: Function\nname: f\nimage: nope\n",
            "Document 1 (Function 'f'): An image named 'nope' does not",
        ),
        ("kind: Function\nname: f\nimage: img\ntimeout: soon\n", "Document 1 (Function 'f'): Give 'timeout'"),
        ("kind: Function\nname: f\nimage: img\nschema: [1]\n", "Document 1 (Function 'f'): Give 'schema'"),
        ("kind: Secret\nname: a\ntags: [role]\n", "Document 1 (Secret 'a'): Give 'tags' as a list"),
        ("kind: Secret\nname: a\ntags: [{key: app}]\n", "Document 1 (Secret 'a'): The 'app' tag needs"),
        (
            "kind: Secret\nname: a\ntags: [{key: app, value: nope}]\n",
            "Document 1 (Secret 'a'): Application 'nope'",
        ),
        ("kind: Application\nname: x\nowner: me\n", "Document 1 (Application 'x'): Application has no field"),
        (
            "a: &a [1]\nb: &b [*a, *a, *a, *a]\n" + "c: [" + "*b, " * 20_000 + "*b]\n",
            "The bundle has more than 50,000 YAML values (each alias counts as what it repeats)",
        ),
    ],
)
def test_bad_input_is_a_400_that_names_the_document_and_changes_nothing(people, image_a, bundle, message):
    before = counts()

    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.developer_a, bundle=bundle, application="app-a")

    assert caught.value.status == 400
    assert caught.value.message.startswith(message), caught.value.message
    assert counts() == before


def test_an_oversized_bundle_is_a_413(people, settings):
    settings.DISPATCH_MAX_BODY_BYTES = 100

    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.developer_a, bundle="kind: Secret\nname: a\n" + "é" * 45)

    assert (caught.value.status, caught.value.message) == (
        413,
        "The bundle is larger than 100 bytes (111); split it into several files.",
    )


def test_a_member_of_another_application_cannot_see_or_use_its_entities(people, image_a):
    bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)
    before = counts()

    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(
            user=people.member_b,
            bundle="kind: Function\nname: mine\nimage: img\n",
            application="app-b",
        )

    # the image in app-a does not exist for them: the same words as for a name nobody uses
    assert caught.value.message == (
        "Document 1 (Function 'mine'): An image named 'img' does not exist; "
        "create it first or add it to the bundle."
    )
    assert counts() == before


def test_a_viewer_cannot_write_and_gets_a_403_naming_the_document(people, image_a):
    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.viewer_a, bundle=BUNDLE)

    assert caught.value.status == 403
    assert caught.value.message.startswith("Document 1 (Secret 'db'): You need the developer role in 'app-a'")
    assert not m.Secret.objects.exists()


def test_a_developer_cannot_import_system_kinds_but_may_reimport_them_unchanged(people, tmp_path):
    folder = lay_out(tmp_path)
    text = (folder / "images.yaml").read_text()
    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.developer_a, bundle=text, application="app-a")
    assert caught.value.status == 403
    assert caught.value.message == (
        "Document 1 (BaseImage 'nodejs-base'): Only staff can create base images: they are system-scoped."
    )
    assert counts()["base-image"] == 0

    bundles.apply_bundle(user=people.staff, bundle=text.split("kind: Image")[0])  # the base images
    report = bundles.apply_bundle(user=people.developer_a, bundle=text, application="app-a")

    assert report.counts() == {"unchanged": 4, "created": 4}
    assert m.Image.objects.get(name="java").application_names() == ["app-a"]


def test_an_application_document_creates_the_application_for_staff_and_is_refused_to_others(people):
    report = bundles.apply_bundle(
        user=people.staff,
        bundle="kind: Application\nname: shop\ndescription: The shop\ntags: [{key: team, value: web}]\n"
        "---\nkind: Secret\nname: k\nsecrets: {a: b}\ntags: [{key: Application, value: shop}]\n",
    )
    assert actions(report) == [("Application", "shop", "created"), ("Secret", "k", "created")]
    shop = Application.objects.get(name="shop")
    assert (shop.description, [t.name for t in shop.tags.all()]) == ("The shop", ["team=web"])
    assert m.Secret.objects.get(name="k").application_names() == ["shop"]

    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.developer_a, bundle="kind: Application\nname: other\n")
    assert caught.value.status == 403


def test_an_admin_updates_the_application_description_and_a_developer_may_not(people):
    bundle = "kind: Application\nname: app-a\ndescription: New words\n"
    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.developer_a, bundle=bundle)
    assert caught.value.status == 403

    report = bundles.apply_bundle(user=people.admin_a, bundle=bundle)

    assert actions(report) == [("Application", "app-a", "updated")]
    assert Application.objects.get(name="app-a").description == "New words"


# --- delete by bundle ----------------------------------------------------------------------------


def test_delete_by_bundle_deletes_users_before_what_they_use_and_reports_absent_names(people, image_a):
    bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)

    report = bundles.delete_bundle(user=people.developer_a, bundle=BUNDLE + "---\nkind: API\nname: never\n")

    assert actions(report) == [
        ("Secret", "db", "deleted"),
        ("Function", "hello", "deleted"),
        ("API", "never", "absent"),
    ]
    assert not m.Function.objects.exists() and not m.Secret.objects.exists()


def test_delete_by_bundle_as_a_dry_run_deletes_nothing(people, image_a):
    bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)

    report = bundles.delete_bundle(user=people.developer_a, bundle=BUNDLE, dry_run=True)

    assert report.counts() == {"deleted": 2}
    assert m.Function.objects.filter(name="hello").exists()


def test_delete_by_bundle_treats_invisible_entities_as_absent_and_is_refused_to_viewers(people, image_a):
    bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)

    report = bundles.delete_bundle(user=people.member_b, bundle=BUNDLE)
    assert report.counts() == {"absent": 2}

    with pytest.raises(bundles.BundleError) as caught:
        bundles.delete_bundle(user=people.viewer_a, bundle=BUNDLE)
    assert caught.value.status == 403
    assert m.Function.objects.filter(name="hello").exists() and m.Secret.objects.filter(name="db").exists()


def test_an_application_is_only_deleted_by_bundle_once_it_holds_nothing_else(people, image_a):
    bundles.apply_bundle(user=people.developer_a, bundle=BUNDLE)
    bundle = "kind: Application\nname: app-a\n---\n" + BUNDLE

    with pytest.raises(bundles.BundleError) as caught:
        bundles.delete_bundle(user=people.admin_a, bundle=bundle)

    assert caught.value.message == (
        "Document 1 (Application 'app-a'): Application 'app-a' still holds image 'img', which the bundle "
        "does not name; delete those first or leave out the Application document."
    )
    assert m.Function.objects.filter(name="hello").exists()  # rolled back with the rest

    report = bundles.delete_bundle(user=people.admin_a, bundle=bundle + "---\nkind: Image\nname: img\n")
    assert report.counts() == {"deleted": 4}
    assert not Application.objects.filter(name="app-a").exists()


# --- export --------------------------------------------------------------------------------------


def test_export_holds_the_application_what_it_manages_and_the_system_entities_they_use(people, tmp_path):
    import_examples(people.staff, lay_out(tmp_path), application="app-a")
    f.FunctionRunFactory(function=m.Function.objects.get(name="hello-py"), applications=[people.app_a])

    documents = bundles.export_application(user=people.developer_a, name="app-a")

    kinds = [(d["kind"], d["name"]) for d in documents]
    assert kinds[0] == ("Application", "app-a")
    assert ("BaseImage", "python3-base") in kinds and ("DriverType", "ticker") in kinds
    assert not any(kind == "Run" for kind, _ in kinds)
    secret = next(d for d in documents if d["kind"] == "Secret")
    assert "secrets" not in secret  # values only when asked for, by an admin
    function = next(d for d in documents if d["name"] == "hello-js")
    assert function["schema"]["in"]["required"] == ["name"]
    assert function["tags"] == [{"key": "Application", "value": "app-a"}, {"key": "role", "value": "test"}]


def test_secret_values_are_exported_only_for_application_admins(people):
    f.SecretFactory(name="db", applications=[people.app_a])

    documents = bundles.export_application(user=people.admin_a, name="app-a", include_secret_values=True)
    assert documents[1]["secrets"] == {"password": "OpenSesame"}

    with pytest.raises(PermissionDenied):
        bundles.export_application(user=people.developer_a, name="app-a", include_secret_values=True)


def test_a_member_of_another_application_cannot_export_it(people):
    with pytest.raises(NotFound):
        bundles.export_application(user=people.member_b, name="app-a")


def wipe():
    """An empty database, as on another installation: everything goes, in reverse registry order."""
    for kind in reversed(KINDS):
        kind.model.objects.all().delete()
    Application.objects.exclude(name="app-b").delete()


def test_an_exported_application_imports_into_an_empty_database_as_the_same_application(people, tmp_path):
    import_examples(people.staff, lay_out(tmp_path), application="app-a")
    exported = bundles.dump(
        bundles.export_application(user=people.staff, name="app-a", include_secret_values=True)
    )
    wipe()
    assert counts()["function"] == 0

    report = bundles.apply_bundle(user=people.staff, bundle=exported)

    assert set(report.counts()) == {"created"}
    again = bundles.dump(
        bundles.export_application(user=people.staff, name="app-a", include_secret_values=True)
    )
    assert again == exported
    assert m.Secret.objects.get(name="open-sesame").values == {"password": "OpenSesame"}
    assert m.Function.objects.get(name="hello-py").source == SOURCES["python3/hello.py"]


def test_an_export_reimported_over_itself_is_unchanged(people, tmp_path):
    import_examples(people.staff, lay_out(tmp_path), application="app-a")
    exported = bundles.dump(bundles.export_application(user=people.developer_a, name="app-a"))

    report = bundles.apply_bundle(user=people.developer_a, bundle=exported)

    assert set(report.counts()) == {"unchanged"}


def test_export_runs_the_same_number_of_queries_for_one_or_many_entities(people, django_assert_num_queries):
    def make(n):
        image = f.ImageFactory(applications=[people.app_a])
        secret = f.SecretFactory(applications=[people.app_a])
        for _ in range(n):
            function = f.FunctionFactory(applications=[people.app_a], image=image)
            function.secrets.add(secret)
            function.tags.add("role=test")
            f.APIFactory(function=function, applications=[people.app_a])

    make(1)
    bundles.export_application(user=people.developer_a, name="app-a")  # warm Django's content-type cache
    # 1 application, 1 its tags; per kind in the application (image, secret, function, api, event
    # driver, subscription) 1 query, and for each kind with rows 1 applications + 1 tags prefetch
    # (image, secret, function, api: 8) + 1 function secrets; used base images 1 + 2 prefetches = 20
    with django_assert_num_queries(20):
        bundles.export_application(user=people.developer_a, name="app-a")
    make(5)
    with django_assert_num_queries(20):
        documents = bundles.export_application(user=people.developer_a, name="app-a")
    assert sum(d["kind"] == "Function" for d in documents) == 6


def test_an_unchanged_reimport_costs_four_queries_per_secret_document(people, django_assert_num_queries):
    def bundle(n):
        return "\n---\n".join(f"kind: Secret\nname: s{i}\nsecrets: {{a: b}}" for i in range(n))

    bundles.apply_bundle(user=people.developer_a, bundle=bundle(10), application="app-a")
    # SAVEPOINT and RELEASE for the bundle's transaction (inside the test's), on PostgreSQL the lock that
    # applies bundles one at a time, and per document: the entity by name among those visible, its
    # applications, its labels, and the caller's roles in those applications (values are compared only
    # for those who may read them). Nothing is written.
    transaction = 2 + (connection.vendor == "postgresql")
    with django_assert_num_queries(4 + transaction):
        bundles.apply_bundle(user=people.developer_a, bundle=bundle(1), application="app-a")
    with django_assert_num_queries(4 * 10 + transaction):
        report = bundles.apply_bundle(user=people.developer_a, bundle=bundle(10), application="app-a")
    assert report.counts() == {"unchanged": 10}

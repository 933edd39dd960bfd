"""`GET /api/v1/bundles/?kind=…`: one kind's entities as Dispatch documents (what `dispatch get -o yaml`
prints), and the reader's tolerance for what the original Dispatch wrote (issue 15, items 2 and 5)."""

import pytest
import yaml
from django.core.exceptions import ValidationError

from entities import bundles
from entities import models as m
from tests import factories as f

from .test_api import client_for, post_yaml


@pytest.fixture
def scene(people):
    image = f.ImageFactory(name="img", applications=[people.app_a])
    secret = f.SecretFactory(name="db", applications=[people.app_a])
    hello = f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    hello.secrets.set([secret])
    f.FunctionFactory(name="theirs", image__applications=[people.app_b], applications=[people.app_b])
    return people


def test_documents_are_dispatchs_shape_with_the_entitys_state(scene):
    answer = client_for(scene.viewer_a).get("/api/v1/bundles/?kind=functions&application=app-a")

    assert answer.status_code == 200
    [document] = answer.json()["results"]
    assert {k: document[k] for k in ("kind", "name", "image", "secrets", "tags", "status", "revision")} == {
        "kind": "Function",
        "name": "hello",
        "image": "img",
        "secrets": ["db"],
        "tags": [{"key": "Application", "value": "app-a"}],
        "status": "READY",
        "revision": 1,
    }


def test_documents_hold_only_what_the_caller_may_see(scene):
    listed = client_for(scene.member_b).get("/api/v1/bundles/?kind=function").json()
    named = client_for(scene.member_b).get("/api/v1/bundles/?kind=function&name=hello").json()

    assert [d["name"] for d in listed["results"]] == ["theirs"]
    assert (named["count"], named["results"]) == (0, [])


def test_an_unknown_kind_is_a_400(scene):
    answer = client_for(scene.viewer_a).get("/api/v1/bundles/?kind=gadget")

    assert answer.status_code == 400 and "Unknown kind 'gadget'" in answer.json()["errors"]["kind"][0]


def test_application_documents_have_description_and_labels(scene):
    scene.app_a.tags.add("team=web")

    [document] = client_for(scene.viewer_a).get("/api/v1/bundles/?kind=application").json()["results"]

    assert (document["kind"], document["name"], document["description"], document["tags"]) == (
        "Application",
        "app-a",
        "Application A",
        [{"key": "team", "value": "web"}],
    )


def test_a_page_of_documents_costs_the_same_queries_for_one_or_many(scene, django_assert_max_num_queries):
    client = client_for(scene.superuser)
    client.get("/api/v1/bundles/?kind=function")  # content types and the token's user, cached
    for n in range(20):
        f.FunctionFactory(name=f"more-{n}", image=m.Image.objects.get(name="img"), applications=[scene.app_a])

    # the token (1), its last-used time (1), count (1), the page with image (1), secrets, applications
    # and labels (1 each)
    with django_assert_max_num_queries(8):
        answer = client.get("/api/v1/bundles/?kind=function&limit=50")

    assert answer.json()["count"] == 22


def test_update_only_refuses_a_document_that_names_nothing_and_writes_nothing(scene):
    client = client_for(scene.developer_a)

    answer = post_yaml(client, "kind: Secret\nname: db\n---\nkind: Secret\nname: new\n", "?must_exist=true")

    assert answer.status_code == 404
    assert answer.json()["message"] == (
        "Document 2 (Secret 'new'): Secret 'new' does not exist; create it first (`dispatch create -f`)."
    )
    assert not m.Secret.objects.filter(name="new").exists()


ORIGINAL_FORMS = """\
kind: BASEIMAGE
name: py-base
dockerUrl: dispatchframework/python3-base:0.0.13
---
kind: Base-Image
name: js-base
dockerUrl: example/runtime:1
language: nodejs8
---
kind: function
name: hello
image: img
secrets:
groups:
  - default
tags:
  - label: beta
---
kind: Subscription
name: ticks
event-type: ticker.tick
function: hello
"""


def test_the_reader_takes_the_originals_forms(scene):
    report = bundles.apply_bundle(user=scene.superuser, bundle=ORIGINAL_FORMS, application="app-a")

    assert [(r.kind, r.action) for r in report.results] == [
        ("BaseImage", "created"),
        ("BaseImage", "created"),
        ("Function", "updated"),
        ("Subscription", "created"),
    ]
    languages = dict(m.BaseImage.objects.values_list("name", "language"))
    assert (languages["js-base"], languages["py-base"]) == ("nodejs", "python3")
    hello = m.Function.objects.get(name="hello")
    assert (list(hello.secrets.all()), [t.name for t in hello.tags.all()]) == ([], ["beta"])
    assert m.Subscription.objects.get(name="ticks").event_type == "ticker.tick"


def test_an_at_file_is_read_relative_to_a_trusted_callers_folder(scene, tmp_path):
    (tmp_path / "requirements.txt").write_text("requests==2.31\n")
    text = (
        "kind: Image\nname: img\nbaseImageName: %s\nruntimeDependencies:\n  manifest: '@requirements.txt'\n"
    )
    base = m.Image.objects.get(name="img").base_image.name

    bundles.apply_bundle(user=scene.developer_a, bundle=text % base, base_dir=tmp_path)

    assert m.Image.objects.get(name="img").runtime_dependencies == "requests==2.31\n"


def test_a_language_no_word_names_is_refused_with_the_choices(scene):
    with pytest.raises(bundles.BundleError, match="'cobol' is not a valid choice"):
        bundles.apply_bundle(
            user=scene.superuser, bundle="kind: BaseImage\nname: b\ndockerUrl: x/y:1\nlanguage: cobol\n"
        )


def test_language_words(db):
    assert [m.Language.resolve(w) for w in ("nodejs6", "node", "python3.6", "Python", "pwsh", "java8")] == [
        "nodejs",
        "nodejs",
        "python3",
        "python3",
        "powershell",
        "java",
    ]
    assert m.Language.resolve("", "dispatchframework/powershell-base:0.0.13") == "powershell"
    assert m.Language.resolve("", "python-and-node", "x") == ""  # two languages: not told
    with pytest.raises(ValidationError, match="Give the language of base image 'b'"):
        m.BaseImage(name="b", docker_url="x/y:1").full_clean()


def test_source_that_starts_with_a_decorator_is_code_not_a_file(scene):
    code = "@cache\ndef handle(ctx, payload):\n    return 1\n"
    text = yaml.safe_dump({"kind": "Function", "name": "hello", "image": "img", "source": code})

    bundles.apply_bundle(user=scene.developer_a, bundle=text)

    assert m.Function.objects.get(name="hello").source == code

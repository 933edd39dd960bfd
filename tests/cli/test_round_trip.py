"""`dispatch get … -o yaml | dispatch update -f -`: what `get` prints is a bundle that applies back,
and applying it back changes nothing (issue 15, item 2)."""

import base64
import io
import tarfile

import pytest
import yaml

from applications.models import Application
from entities import models as m
from entities.kinds import KINDS
from tests import factories as f


def folder_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in (
            ("hello.js", b"module.exports = () => 1;\n"),
            ("lib/util.js", b"exports.x = 1;\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text))
    return buffer.getvalue()


ARCHIVE = folder_archive()  # gzip stamps the time: made once


@pytest.fixture
def world(cli, people):
    """One entity of every kind that a bundle holds, with every field set, in app-a (or system)."""
    app = people.app_a
    Application.objects.filter(pk=app.pk).update(description="Application A, all kinds")
    app.tags.add("team=web")
    base = f.BaseImageFactory(name="nodejs-base", language="nodejs", docker_url="dispatch/nodejs-base:1")
    image = f.ImageFactory(
        name="nodejs",
        base_image=base,
        runtime_dependencies='{"dependencies": {}}\n',
        system_dependencies=[{"name": "curl", "version": "8"}],
        applications=[app],
    )
    secret = f.SecretFactory(name="open-sesame", values={"password": "OpenSesame"}, applications=[app])
    hello = f.FunctionFactory(
        name="hello",
        image=image,
        handler="hello.handle",
        schema_in={"type": "object"},
        schema_out={"type": "object", "required": ["myField"]},
        timeout=30,
        applications=[app],
    )
    hello.secrets.set([secret])
    hello.tags.add("role=test", "beta")
    folder = m.Function(name="hello-folder", image=image, handler="./hello.js", source_archive=ARCHIVE)
    folder.save()
    folder.applications.set([app])
    f.APIFactory(name="post-hello", function=hello, methods=["POST", "GET"], hosts=["example.com"], cors=True,
                 applications=[app])  # fmt: skip
    ticker = f.EventDriverTypeFactory(name="ticker", config=[{"key": "seconds", "value": "2"}], expose=True)
    driver = f.EventDriverFactory(name="ticker.every-2s", type=ticker, applications=[app])
    driver.secrets.set([secret])
    f.SubscriptionFactory(name="hello-ticks", event_type="ticker.tick", function=hello, applications=[app])
    cli.as_user(people.admin_a)
    return people


def revisions() -> dict:
    found = {(k.name, e.name): e.revision for k in KINDS for e in k.model.objects.all()}
    found.update({("application", a.name): a.revision for a in Application.objects.all()})
    return found


NAMES = {
    "application": "app-a",
    "base-image": "nodejs-base",
    "image": "nodejs",
    "secret": "open-sesame",
    "function": "hello",
    "api": "post-hello",
    "event-driver-type": "ticker",
    "event-driver": "ticker.every-2s",
    "subscription": "hello-ticks",
}


@pytest.mark.parametrize("kind", list(NAMES))
@pytest.mark.parametrize("output", ["yaml", "json"])
def test_get_one_then_update_f_dash_changes_nothing(cli, world, kind, output):
    before = revisions()
    printed = cli(
        "get", kind, NAMES[kind], "-o", output, "--reveal" if kind == "secret" else "--all-applications"
    )
    assert printed.code == 0, printed.err

    applied = cli("update", "-f", "-", "-o", "json", stdin=printed.out).json()

    assert applied["counts"] == {"unchanged": 1}
    assert revisions() == before


@pytest.mark.parametrize("kind", [name for name in NAMES if name != "application"])
def test_get_a_list_then_update_f_dash_changes_nothing(cli, world, kind):
    before = revisions()
    printed = cli("get", kind, "-o", "yaml")

    applied = cli("update", "-f", "-", "-o", "json", stdin=printed.out).json()

    assert applied["counts"] == {"unchanged": len(list(yaml.safe_load_all(printed.out)))}
    assert revisions() == before


def test_everything_of_an_application_round_trips(cli, world):
    before = revisions()
    printed = cli("get", "-a", "app-a", "-o", "yaml")

    applied = cli("update", "-f", "-", "-o", "json", stdin=printed.out).json()

    assert set(applied["counts"]) == {"unchanged"} and applied["counts"]["unchanged"] >= 7
    assert revisions() == before


def test_a_secret_printed_without_its_values_keeps_them(cli, world):
    printed = cli("get", "secret", "open-sesame", "-o", "yaml")

    applied = cli("update", "-f", "-", "-o", "json", stdin=printed.out).json()

    assert "secrets" not in yaml.safe_load(printed.out)
    assert applied["counts"] == {"unchanged": 1}
    assert m.Secret.objects.get(name="open-sesame").values == {"password": "OpenSesame"}


def test_a_folder_source_round_trips_byte_for_byte(cli, world):
    printed = cli("get", "function", "hello-folder", "-o", "yaml")
    document = yaml.safe_load(printed.out)

    applied = cli("update", "-f", "-", "-o", "json", stdin=printed.out).json()

    assert base64.b64decode(document["sourceArchive"]) == ARCHIVE
    assert applied["counts"] == {"unchanged": 1}


def test_an_edited_document_updates_only_what_changed(cli, world):
    document = cli("get", "function", "hello", "-o", "yaml").yaml()
    document["handler"] = "hello.main"

    applied = cli("update", "-f", "-", "-o", "json", stdin=yaml.safe_dump(document)).json()

    assert applied["counts"] == {"updated": 1}
    hello = m.Function.objects.get(name="hello")
    assert (hello.handler, hello.timeout, hello.revision) == ("hello.main", 30, 2)
    assert [s.name for s in hello.secrets.all()] == ["open-sesame"]

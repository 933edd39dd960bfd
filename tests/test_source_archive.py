"""A function's source folder (issue 15, item 1): a gzipped tar kept with the function, checked in the
domain so that every surface refuses what a runner could not unpack safely, and read back by runners
through `Function.source_files()`."""

import base64
import gzip
import io
import tarfile

import pytest
from django.core.exceptions import ValidationError

from entities import models as m
from entities import services
from tests import factories as f


def archive(*members) -> bytes:
    """A gzipped tar of (name, bytes) files, or of TarInfo objects as given (links, devices)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
                continue
            name, data = member
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def link(name: str, target: str, kind=tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


HELLO = archive(("hello.js", b"module.exports = () => 1;\n"), ("lib/util.js", b"exports.x = 1;\n"))


@pytest.fixture
def image(people):
    return f.ImageFactory(name="nodejs", applications=[people.app_a])


def create(people, image, **fields):
    return services.entity_create(
        kind="function",
        user=people.developer_a,
        fields={"name": "hello", "image": image, "handler": "./hello.js", "source": "", **fields},
        applications=["app-a"],
    )


def test_a_runner_reads_the_folders_files_by_path(people, image):
    hello = create(people, image, source_archive=HELLO)

    fresh = m.Function.objects.get(pk=hello.pk)

    assert fresh.source_files() == {
        "hello.js": b"module.exports = () => 1;\n",
        "lib/util.js": b"exports.x = 1;\n",
    }
    assert fresh.source_file_names == ["hello.js", "lib/util.js"]


def test_lists_do_not_read_the_archive(people, image):
    create(people, image, source_archive=HELLO)

    assert m.Function.objects.get(name="hello").get_deferred_fields() == {"source_archive"}


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ((link("hello.js", "/etc/hostname"),), "holds 'hello.js', which is not a plain file"),
        ((link("hello.js", "lib/util.js", tarfile.LNKTYPE),), "which is not a plain file"),
        ((link("dev", "", tarfile.CHRTYPE),), "which is not a plain file"),
        ((("../hello.js", b"x"),), "a path outside its folder"),
        ((("/etc/hello.js", b"x"),), "a path outside its folder"),
        ((("a/../../hello.js", b"x"),), "a path outside its folder"),
        ((), "holds no file"),
    ],
)
def test_an_archive_a_runner_could_not_unpack_safely_is_refused(people, image, members, problem):
    with pytest.raises(ValidationError) as refused:
        create(people, image, source_archive=archive(*members))

    assert problem in refused.value.message_dict["source_archive"][0]
    assert not m.Function.objects.exists()


def test_bytes_that_are_no_gzipped_tar_are_refused(people, image):
    for data in (b"not an archive", gzip.compress(b"not a tar")):
        with pytest.raises(ValidationError, match="is not a gzipped tar"):
            create(people, image, source_archive=data)


def test_an_archive_that_unpacks_past_the_caps_is_refused(people, image, monkeypatch):
    monkeypatch.setattr(m, "MAX_SOURCE_UNPACKED_BYTES", 1000)
    bomb = archive(("zeros.js", b"\0" * 5000))  # 5 kB unpacked from a few dozen bytes

    with pytest.raises(ValidationError, match="unpacks to more than 1,000 bytes"):
        create(people, image, source_archive=bomb, handler="zeros.js")


def test_a_handler_names_a_file_or_a_module_of_the_folder(people, image):
    python = archive(("hello.py", b""), ("pkg/__init__.py", b""), ("pkg/run.py", b""))
    files = m.read_source_archive(python)

    assert m.handler_file("./hello.py", files) == "hello.py"
    assert m.handler_file("hello.handle", files) == "hello.py"
    assert m.handler_file("pkg.run.main", files) == "pkg/run.py"
    assert m.handler_file("pkg.main", files) == "pkg/__init__.py"
    assert m.handler_file("other.handle", files) is None
    assert m.handler_file("", files) is None


def test_text_and_a_folder_at_once_are_refused(people, image):
    with pytest.raises(ValidationError, match="as text or as a folder"):
        create(people, image, source_archive=HELLO, source="module.exports = 1;")


def test_the_api_takes_the_folder_as_base64_and_shows_its_file_list(people, image, client):
    client.force_login(people.developer_a)
    body = {"name": "hello", "image": "nodejs", "handler": "./hello.js", "applications": ["app-a"]}

    created = client.post(
        "/api/v1/functions/", {**body, "source_archive": base64.b64encode(HELLO).decode()}, "application/json"
    )
    broken = client.post(
        "/api/v1/functions/", {**body, "name": "broken", "source_archive": "%%%"}, "application/json"
    )

    assert created.status_code == 201, created.content
    assert (
        created.json()["source_files"] == ["hello.js", "lib/util.js"]
        and "source_archive" not in created.json()
    )
    assert broken.status_code == 400
    assert broken.json()["errors"] == {"source_archive": ["Give the bytes as base64 text."]}
    assert list(m.Function.objects.values_list("name", flat=True)) == ["hello"]

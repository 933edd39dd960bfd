"""Where a bundle comes from and which local files it may name: `-f http(s)://…` within a size and time
cap (against a server on 127.0.0.1 only), and paths that stay inside the bundle's folder or --work-dir
(issue 11, item 11: `sourcePath: /etc/hostname` was uploaded)."""

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dispatch_cli import sources
from entities import bundles
from entities import models as m
from tests import factories as f

SECRET_BUNDLE = b"kind: Secret\nname: db\nsecrets:\n  password: x\n"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/secret.yaml":
            self._answer(SECRET_BUNDLE)
        elif self.path == "/big.yaml":  # says how long it is
            self._answer(b"# " + b"x" * 5000 + b"\n")
        elif self.path == "/big-chunked.yaml":  # does not say
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"# " + b"x" * 5000 + b"\n")
        elif self.path == "/trickle.yaml":  # a byte at a time, never done within the cap
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"#")
                self.wfile.flush()
                time.sleep(0.05)
        else:
            self.send_error(404)

    def _answer(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def files_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def developer(cli, people):
    f.ImageFactory(name="python3", applications=[people.app_a])
    cli.as_user(people.developer_a)
    return people


# --- -f http(s)://… ------------------------------------------------------------------------------


def test_create_f_url_fetches_the_bundle(cli, developer, files_server):
    result = cli("create", "-f", f"{files_server}/secret.yaml", "-a", "app-a")

    assert result.code == 0, result.err
    assert m.Secret.objects.get(name="db").application_names() == ["app-a"]


@pytest.mark.parametrize("path", ["/big.yaml", "/big-chunked.yaml"])
def test_a_url_bundle_larger_than_the_cap_is_refused(cli, developer, files_server, monkeypatch, path):
    monkeypatch.setattr(sources, "MAX_BUNDLE_BYTES", 1000)

    result = cli("create", "-f", f"{files_server}{path}")

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"error: The bundle from {files_server}{path} is larger than 1,000 bytes; split it.\n"
    )


def test_a_url_that_does_not_answer_in_full_within_the_cap_is_refused(
    cli, developer, files_server, monkeypatch
):
    monkeypatch.setattr(sources, "URL_TIMEOUT", 0.5)

    result = cli("create", "-f", f"{files_server}/trickle.yaml")

    assert result.code == 1
    assert result.err == (
        f"error: Cannot fetch {files_server}/trickle.yaml: it did not answer in full within 0.5 seconds.\n"
    )


def test_a_url_that_answers_an_error_is_refused(cli, developer, files_server):
    result = cli("update", "-f", f"{files_server}/nope.yaml")

    assert (result.code, result.err) == (
        1,
        f"error: Cannot fetch {files_server}/nope.yaml: the server answered HTTP 404.\n",
    )


def test_standard_input_larger_than_the_cap_is_refused(cli, developer, monkeypatch):
    monkeypatch.setattr(sources, "MAX_BUNDLE_BYTES", 10)

    result = cli("create", "-f", "-", stdin=SECRET_BUNDLE.decode())

    assert result.code == 1 and "The bundle from standard input is larger than" in result.err
    assert not m.Secret.objects.exists()


# --- paths a bundle names stay inside its folder ------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    """bundle/ with hello.py in it; outside.py beside the folder."""
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "hello.py").write_text("def handle(ctx, payload):\n    return 1\n")
    (tmp_path / "outside.py").write_text("TOKEN = 'not for the server'\n")
    return tmp_path / "bundle"


def function_bundle(folder, line: str):
    path = folder / "functions.yaml"
    path.write_text(f"kind: Function\nname: hello-py\nimage: python3\nhandler: hello.handle\n{line}\n")
    return path


@pytest.mark.parametrize(
    "line",
    [
        "sourcePath: /etc/hostname",
        "sourcePath: ../outside.py",
        "sourcePath: ..",
        "code: '@/etc/hostname'",
        "source: '@../outside.py'",
    ],
)
def test_a_bundle_cannot_name_a_file_outside_its_folder(cli, developer, folder, line):
    result = cli("create", "-f", function_bundle(folder, line), "-a", "app-a")

    assert (result.code, result.out) == (1, "")
    assert "which is outside" in result.err and "keep the files in the bundle's folder" in result.err
    assert not m.Function.objects.exists()


def test_a_link_inside_the_folder_to_a_file_outside_is_refused(cli, developer, folder):
    (folder / "link.py").symlink_to(folder.parent / "outside.py")

    result = cli("create", "-f", function_bundle(folder, "sourcePath: link.py"), "-a", "app-a")

    assert result.code == 1 and "'link.py', which is outside" in result.err
    assert not m.Function.objects.exists()


def test_a_source_folder_holding_a_link_is_refused(cli, developer, folder):
    (folder / "hostname").symlink_to("/etc/hostname")

    result = cli("create", "-f", function_bundle(folder.parent, "sourcePath: bundle"), "-a", "app-a")

    assert result.code == 1 and f"{folder / 'hostname'} is not a plain file" in result.err
    assert not m.Function.objects.exists()


def test_an_images_manifest_file_outside_the_folder_is_refused(cli, people, folder):
    (folder / "images.yaml").write_text(
        "kind: Image\nname: python3\nbaseImageName: python3-base\n"
        "runtimeDependencies:\n  manifest: '@../outside.py'\n"
    )

    result = cli.as_user(people.developer_a)("create", "-f", folder / "images.yaml", "-a", "app-a")

    assert result.code == 1 and "'../outside.py', which is outside" in result.err


def test_with_work_dir_paths_are_relative_to_it_and_may_not_leave_it(cli, developer, folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    inside = function_bundle(elsewhere, "sourcePath: hello.py")
    (elsewhere / "leaves.yaml").write_text(inside.read_text().replace("hello.py", "../outside.py"))

    ok = cli("create", "-f", inside, "--work-dir", folder, "-a", "app-a")
    refused = cli("update", "-f", elsewhere / "leaves.yaml", "--work-dir", folder, "-a", "app-a")

    assert ok.code == 0, ok.err
    assert m.Function.objects.get(name="hello-py").source == "def handle(ctx, payload):\n    return 1\n"
    assert refused.code == 1 and "which is outside" in refused.err


def test_a_bundle_from_standard_input_reads_paths_from_the_current_folder(
    cli, developer, folder, monkeypatch
):
    monkeypatch.chdir(folder)
    text = "kind: Function\nname: hello-py\nimage: python3\nhandler: hello.handle\nsourcePath: "

    ok = cli("create", "-f", "-", "-a", "app-a", stdin=text + "hello.py\n")
    refused = cli("update", "-f", "-", "-a", "app-a", stdin=text + "/etc/hostname\n")

    assert ok.code == 0, ok.err
    assert refused.code == 1 and "'/etc/hostname', which is outside" in refused.err


# --- and on the server, which never reads local files for an HTTP caller -----------------------


@pytest.mark.parametrize("line", ["sourcePath: hello.py", "code: '@hello.py'"])
def test_the_api_refuses_a_document_that_names_a_local_file(people, client, line):
    f.ImageFactory(name="python3", applications=[people.app_a])
    client.force_login(people.developer_a)
    text = f"kind: Function\nname: hello-py\nimage: python3\n{line}\n"

    response = client.post("/api/v1/bundles/?application=app-a", text, content_type="application/yaml")

    assert response.status_code == 400
    assert "is a local file the server cannot read" in response.json()["message"]
    assert not m.Function.objects.exists()


@pytest.mark.parametrize("path", ["../outside.py", "/etc/hostname"])
def test_a_trusted_callers_base_dir_is_not_left_either(people, folder, path):
    f.ImageFactory(name="python3", applications=[people.app_a])
    text = f"kind: Function\nname: hello-py\nimage: python3\nsourcePath: {path}\n"

    with pytest.raises(bundles.BundleError, match="is outside the bundle's folder"):
        bundles.apply_bundle(user=people.developer_a, bundle=text, application="app-a", base_dir=folder)
    assert not m.Function.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_what_to_do(people, folder):
    # Found by mypy: a UnicodeDecodeError has no strerror, so this was an AttributeError (a 500).
    f.ImageFactory(name="python3", applications=[people.app_a])
    (folder / "latin1.py").write_bytes("r = 'caf\xe9'\n".encode("latin-1"))
    text = "kind: Function\nname: hello-py\nimage: python3\nsourcePath: latin1.py\n"

    with pytest.raises(bundles.BundleError, match="'latin1.py' is not UTF-8 text; save it as UTF-8"):
        bundles.apply_bundle(user=people.developer_a, bundle=text, application="app-a", base_dir=folder)
    assert not m.Function.objects.exists()


def test_a_folder_packs_to_the_same_bytes_whenever_it_is_packed(folder):
    (folder / "node_modules").mkdir()
    (folder / "node_modules" / "big.js").write_text("x")
    first = sources.pack(folder)
    os.utime(folder / "hello.py", (0, 0))

    assert sources.pack(folder) == first
    assert m.read_source_archive(first) == {"hello.py": b"def handle(ctx, payload):\n    return 1\n"}

"""The Content-Security-Policy allows only this site's own scripts and styles, so no page may rely on
inline script: every page of the pages, the admin and the API docs is read here for inline <script>,
event-handler attributes, `style` attributes and `javascript:` URLs, and each inline <style> block must be
one the policy allows by its hash. The URLs come from the kind registry."""

import base64
import hashlib
from html.parser import HTMLParser

import pytest

from entities.kinds import KINDS
from entities.pages.generic import form_class

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found, self.styles, self.in_script, self.in_style = [], [], False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        self.in_script = tag == "script" and "src" not in attrs and attrs.get("type") != "application/json"
        self.in_style = tag == "style"

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:80]}")
        if self.in_style:
            self.styles.append(data)

    def handle_endtag(self, tag):
        self.in_script = self.in_style = False


def pages(scene):
    urls = ["/", "/profile/", "/applications/", "/applications/new/", "/applications/app-a/"]
    urls += ["/applications/app-a/edit/", "/applications/app-a/delete/", "/applications/app-a/members/"]
    urls += ["/secrets/open-sesame/?reveal=1", "/api/docs/", "/admin/", "/admin/applications/application/"]
    for kind in KINDS:
        entity = scene.of_kind(kind.name)
        urls += [f"/{kind.plural}/", f"/{kind.plural}/{entity.name}/"]
        if form_class(kind) is not None:
            urls += [f"/{kind.plural}/new/", f"/{kind.plural}/{entity.name}/edit/"]
            urls += [f"/{kind.plural}/{entity.name}/delete/"]
        if kind.runnable:
            urls += [f"/{kind.plural}/{entity.name}/run/"]
        admin = f"/admin/entities/{kind.model._meta.model_name}/"
        urls += [admin, f"{admin}{entity.pk}/change/"]
        if kind.name != "run":  # runs are made by running a function, never in the admin
            urls += [f"{admin}add/"]
    return urls


def test_no_page_has_inline_code_the_policy_would_block(scene, people, client):
    client.force_login(people.superuser)
    blocked = {}
    for url in pages(scene):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        parser = InlineCode()
        parser.feed(response.content.decode())
        hashes = [
            "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
            for style in parser.styles
        ]
        problems = parser.found + [f"<style> {h} not in the policy" for h in hashes if h not in policy]
        if problems:
            blocked[url] = problems
    assert blocked == {}


def test_the_sign_in_page_has_the_policy_and_no_inline_code(client):
    response = client.get("/accounts/login/")
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == [] and parser.styles == []
    assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'; style-src")


def test_the_docs_start_up_script_is_served_as_a_script_of_its_own(people, client):
    client.force_login(people.viewer_a)
    page = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle" in script.content.decode()

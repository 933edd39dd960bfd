"""Every form of the pages (and the admin's add forms) refuses a POST without the CSRF token: a 403, and
nothing in the database or the session changes. The URLs come from the kind registry."""

import pytest
from django.apps import apps
from django.test import Client

from entities.kinds import KINDS
from entities.pages.generic import form_class

pytestmark = pytest.mark.django_db

EDITABLE = [kind for kind in KINDS if form_class(kind) is not None]


def page_forms():
    """(url template, POST data) of every form of the pages; {name} is the kind's entity in the scene."""
    forms = []
    for kind in EDITABLE:
        forms += [
            (f"/{kind.plural}/new/", kind.name, {"name": "made-without-csrf"}),
            (f"/{kind.plural}/{{name}}/edit/", kind.name, {"name": "renamed-without-csrf"}),
            (f"/{kind.plural}/{{name}}/delete/", kind.name, {}),
        ]
    forms += [
        ("/applications/new/", None, {"name": "made-without-csrf"}),
        ("/applications/app-a/edit/", None, {"description": "changed without csrf"}),
        ("/applications/app-a/delete/", None, {"cascade": "delete"}),
        ("/applications/app-a/members/", None, {"member": "outsider", "role": "admin"}),
        ("/profile/", None, {"name": "made-without-csrf"}),
        ("/switch/", None, {"application": "app-a"}),
        ("/accounts/logout/", None, {}),
    ]
    forms += [(f"/admin/entities/{kind.model._meta.model_name}/add/", None, {"name": "x"}) for kind in KINDS]
    forms += [("/admin/applications/application/add/", None, {"name": "made-without-csrf"})]
    return forms


def database_state():
    """Every row of every table this project owns, plus users and tokens: what a write would change."""
    models = [
        m for m in apps.get_models() if m._meta.app_label in {"applications", "entities", "auth", "taggit"}
    ]
    return {m._meta.label: sorted(map(repr, m.objects.values())) for m in models}


@pytest.mark.parametrize("url, kind_name, data", page_forms(), ids=[form[0] for form in page_forms()])
def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(
    url, kind_name, data, scene, people
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.superuser)
    url = url.format(name=scene.of_kind(kind_name).name if kind_name else "")
    session_before = dict(client.session.items())
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == 403
    assert database_state() == before
    assert dict(client.session.items()) == session_before


def test_sign_in_without_the_csrf_token_is_refused(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "developer_a", "password": "correct horse battery staple"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_same_form_with_its_csrf_token_is_accepted(scene, people):
    """The refusals above are the token's doing: with it, the same client may post."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.superuser)
    client.get("/profile/")
    response = client.post(
        "/profile/", {"name": "laptop", "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert response.status_code in (200, 302)
    assert people.superuser.api_tokens.filter(name="laptop").exists()

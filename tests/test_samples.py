"""Each kind's sample (tests/samples.py) is one entity in every form: what its factory makes is what the
API, a page's form and a bundle create from its payload, form data and document (the CLI's arguments:
tests/cli/test_create.py). So a test that takes any form of a sample tests the same thing."""

import pytest
import yaml
from rest_framework.test import APIClient

from applications import scopes
from entities import bundles
from entities.kinds import KINDS
from tests import factories as f
from tests import samples

pytestmark = pytest.mark.django_db

WRITABLE = [kind for kind in KINDS if kind.scope != scopes.FROZEN]  # runs are made by running
EVERY_KIND = pytest.mark.parametrize("kind", WRITABLE, ids=str)
FULL = pytest.mark.parametrize("full", [False, True], ids=["own", "full"])


def applications_of(kind):
    """The applications a create names: its own for the kinds that have them (an API follows its function)."""
    return ["app-a"] if kind.scope in (scopes.ONE, scopes.MANY) else None


@pytest.fixture
def made(people):
    """One entity of every kind in A (system kinds: unassigned), for the samples to reference."""
    made: dict = {}
    for kind in WRITABLE:
        f.make_with_references(kind.name, [people.app_a], made)
    return made


def made_by_factory(kind, people, made, full):
    entity = f.make_with_references(
        kind.name, [people.app_a], dict(made), name="by-factory", **samples.own(kind.name, full=full)
    )
    return samples.held(kind, entity)


def author(people, kind):
    return people.staff if kind.is_system else people.developer_a


@EVERY_KIND
@FULL
def test_the_api_payload_creates_what_the_factory_makes(people, made, kind, full):
    references = samples.references(kind, lambda name: made[name].name)
    client = APIClient()
    client.force_authenticate(author(people, kind))
    body = samples.payload(kind, "by-api", references, applications_of(kind), full=full)

    response = client.post(f"/api/v1/{kind.plural}/", body, format="json")

    assert response.status_code == 201, response.json()
    created = kind.model.objects.get(name="by-api")
    assert samples.held(kind, created) == made_by_factory(kind, people, made, full)


@EVERY_KIND
@FULL
def test_the_form_data_creates_what_the_factory_makes(people, made, client, kind, full):
    references = samples.references(kind, lambda name: made[name].name)
    client.force_login(author(people, kind))
    applications = applications_of(kind)
    data = samples.form_data(kind, "by-page", references, applications, full=full)

    response = client.post(f"/{kind.plural}/new/", data)

    assert response.status_code == 302, response.context["form"].errors
    created = kind.model.objects.get(name="by-page")
    assert samples.held(kind, created) == made_by_factory(kind, people, made, full)


@EVERY_KIND
@FULL
def test_the_bundle_document_creates_what_the_factory_makes(people, made, kind, full):
    references = samples.references(kind, lambda name: made[name].name)
    document = samples.document(kind, "by-bundle", references, applications_of(kind), full=full)

    report = bundles.apply_bundle(user=author(people, kind), bundle=yaml.safe_dump(document))

    assert report.counts() == {"created": 1}
    created = kind.model.objects.get(name="by-bundle")
    assert samples.held(kind, created) == made_by_factory(kind, people, made, full)

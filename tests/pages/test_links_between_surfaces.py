"""Each page links to the same thing on the API and, for staff, in the admin; the admin links back."""

import re

import pytest

from entities.kinds import KINDS

pytestmark = pytest.mark.django_db


def links_of(response) -> dict[str, str]:
    return {
        label: url for url, label in re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', response)
    }


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_entity_page_links_to_its_api_resource_which_answers_the_same_user(
    kind, scene, people, client_for
):
    entity = scene.of_kind(kind.name)
    client = client_for(people.viewer_a)
    links = links_of(client.get(f"/{kind.plural}/{entity.name}/").content.decode())
    assert links["API resource"] == f"/api/v1/{kind.plural}/{entity.name}/"
    assert "Admin" not in links
    resource = client.get(links["API resource"])
    assert resource.status_code == 200 and resource.json()["name"] == entity.name


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_staff_also_get_a_link_to_the_admin_change_page(kind, scene, people, client_for):
    entity = scene.of_kind(kind.name)
    client = client_for(people.staff)
    links = links_of(client.get(f"/{kind.plural}/{entity.name}/").content.decode())
    assert links["Admin"] == f"/admin/entities/{kind.model_name.lower()}/{entity.pk}/change/"
    assert client.get(links["Admin"]).status_code == 200


def test_the_application_page_links_to_the_api_and_for_staff_the_admin(scene, people, client_for):
    links = links_of(client_for(people.viewer_a).get("/applications/app-a/").content.decode())
    assert links == {
        "Dashboard": "/applications/app-a/dashboard/",
        "API resource": "/api/v1/applications/app-a/",
    }
    links = links_of(client_for(people.superuser).get("/applications/app-a/").content.decode())
    assert links["Admin"] == f"/admin/applications/application/{people.app_a.pk}/change/"


def test_the_navigation_links_to_the_api_docs(scene, people, client_for):
    page = client_for(people.outsider).get("/").content.decode()
    assert '<a href="/api/docs/">API docs</a>' in page


def test_the_admin_links_back_to_the_site_and_to_each_objects_page(scene, people, client_for):
    client = client_for(people.superuser)
    page = client.get(f"/admin/entities/function/{scene.function.pk}/change/").content.decode()
    assert '<a href="/">View site</a>' in page
    assert '<a href="/functions/hello/" class="viewsitelink">View on site</a>' in page
    page = client.get(f"/admin/applications/application/{people.app_a.pk}/change/").content.decode()
    assert '<a href="/applications/app-a/" class="viewsitelink">View on site</a>' in page

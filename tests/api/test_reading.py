"""The API's read plans (entities/api/reading.py) give what DRF's own to_representation gives, and a
plan shared between requests carries nothing of the request that made it."""

from unittest import mock

import pytest
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from applications.selectors import attach_tags
from entities.api import reading
from entities.api.serializers import EntitySerializer
from entities.kinds import KINDS, get_kind
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_shared_plans():
    reading._shared_plans.clear()
    yield
    reading._shared_plans.clear()


def context_for(user, path="/api/v1/entities/?reveal=true"):
    request = Request(APIRequestFactory().get(path))
    request.user = user
    return {"request": request}


@pytest.mark.parametrize("who", ["developer_a", "viewer_a", "member_b"])
@pytest.mark.parametrize("kind", [kind.name for kind in KINDS])
def test_it_reads_every_kind_as_drf_does(people, scene, kind, who):
    record = get_kind(kind)
    instance = scene.system.get(kind) or scene.a[kind]
    instance = record.model._default_manager.get(pk=instance.pk)
    attach_tags([instance], references=True)
    context = context_for(getattr(people, who))
    record.serializer.prepare([instance], context)
    ours = record.serializer(instance, context=context).data
    drf = serializers.ModelSerializer.to_representation(record.serializer(context=context), instance)
    assert dict(ours) == dict(drf)
    assert list(ours) == list(drf)


def test_a_second_list_of_a_kind_builds_no_fields(people, scene, client_for):
    client = client_for(people.developer_a)
    assert client.get("/api/v1/functions/").status_code == 200
    with mock.patch.object(EntitySerializer, "get_fields", side_effect=AssertionError("fields built")):
        response = client.get("/api/v1/functions/")
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["results"]] == ["a-function"]


def test_each_host_gets_its_own_urls(people, scene, client_for, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    client = client_for(people.developer_a)
    first = client.get("/api/v1/functions/", HTTP_HOST="one.example")
    second = client.get("/api/v1/functions/", HTTP_HOST="two.example")
    assert first.json()["results"][0]["url"] == "http://one.example/api/v1/functions/a-function/"
    assert second.json()["results"][0]["url"] == "http://two.example/api/v1/functions/a-function/"


def test_chosen_fields_do_not_change_the_full_list(people, scene, client_for):
    client = client_for(people.developer_a)
    chosen = client.get("/api/v1/functions/?fields=handler").json()["results"][0]
    full = client.get("/api/v1/functions/").json()["results"][0]
    assert set(chosen) == {"kind", "name", "handler"}
    assert {"url", "image", "secrets", "source"} <= set(full)


def test_a_shared_secret_plan_reveals_to_each_caller_what_they_may_read(people, scene, client_for):
    """A secret's values are read by a context reader: the plan is shared, the answer is per request."""
    revealed = client_for(people.developer_a).get("/api/v1/secrets/?reveal=true").json()["results"]
    hidden = client_for(people.viewer_a).get("/api/v1/secrets/?reveal=true").json()["results"]
    again = client_for(people.admin_a).get("/api/v1/secrets/?reveal=true").json()["results"]
    assert "values" in revealed[0] and "values" in again[0]
    assert "values" not in hidden[0]
    assert "values" not in client_for(people.developer_a).get("/api/v1/secrets/").json()["results"][0]
    assert any(key[0].__name__ == "SecretSerializer" for key in reading._shared_plans)


def test_a_shared_run_plan_names_the_function_only_to_who_sees_it(people, scene, client_for):
    run = scene.a["run"]
    run.function.applications.set([people.app_b])  # the run stays in A, its function moves to B
    seen = client_for(people.member_b).get(f"/api/v1/runs/{run.name}/").status_code
    mine = client_for(people.developer_a).get(f"/api/v1/runs/{run.name}/").json()
    assert mine["function"] is None and seen == 404
    both = f.MembershipFactory(application=people.app_b, user=people.viewer_a).user
    assert client_for(both).get(f"/api/v1/runs/{run.name}/").json()["function"] == run.function.name
    assert any(key[0].__name__ == "FunctionRunSerializer" for key in reading._shared_plans)

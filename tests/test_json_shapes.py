"""Every JSON value an entity stores has a shape checked in the domain (entities/shapes.py): the
services refuse a wrong one, so the API, the pages, the admin and bundles refuse it too, with the same
message, and nothing is written. Whatever is stored reads back on every surface, and a GET body sent
back with PUT is accepted for every kind."""

import math

import pytest
from rest_framework.test import APIClient

from entities import bundles, services
from entities import models as m
from entities.kinds import KINDS
from entities.shapes import MAX_DEPTH
from tests import factories as f
from tests.admin.conftest import admin_url

pytestmark = pytest.mark.django_db


def nested(depth: int):
    value = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


SYSTEM_DEPENDENCIES = """Give 'system_dependencies' as a list of {"name": …, "version": …} objects."""
NUL = "Text cannot hold the NUL character (U+0000)."
METHOD = "'FOO' in 'methods' is not an HTTP method; use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS."

# (kind, field, bad value, the domain's message)
BAD = [
    ("image", "system_dependencies", 42, SYSTEM_DEPENDENCIES),
    ("image", "system_dependencies", {}, SYSTEM_DEPENDENCIES),
    ("image", "system_dependencies", [{"name": 1}], "Item 1 of 'system_dependencies' must be an object "
     """{"name": …, "version": …} with string values."""),
    ("image", "system_dependencies", [{"name": "curl", "extra": "x"}],
     """Item 1 of 'system_dependencies' must be an object {"name": …, "version": …} with string values."""),
    ("image", "system_dependencies", [{"version": "1"}], "Item 1 of 'system_dependencies' needs a 'name'."),
    ("function", "schema_in", [1, 2], 'Give \'schema_in\' as a JSON Schema object, e.g. {"type": "object"}.'),
    ("function", "schema_out", [], 'Give \'schema_out\' as a JSON Schema object, e.g. {"type": "object"}.'),
    ("function", "schema_in", {"type": "objekt"},
     "'schema_in' is not a valid JSON Schema at type: 'objekt' is not valid under any of the given schemas"),
    ("function", "schema_in", {"minLength": -1}, "'schema_in' is not a valid JSON Schema at minLength: -1 is "
     "less than the minimum of 0"),
    ("function", "schema_in", nested(MAX_DEPTH + 1),
     f"'schema_in' is nested more than {MAX_DEPTH} levels deep; flatten it."),
    ("function", "schema_in", {"default": "a\x00b"}, NUL),
    ("function", "schema_in", {"k\x00": {}}, NUL),
    ("function", "schema_in", {"maximum": math.nan},
     "'schema_in' holds a number that is not finite (NaN or Infinity); use a finite number."),
    ("function", "schema_out", {"maximum": math.inf},
     "'schema_out' holds a number that is not finite (NaN or Infinity); use a finite number."),
    ("api", "methods", ["FOO"], METHOD),
    ("api", "methods", "GET", "Give 'methods' as a list of HTTP methods."),
    ("api", "protocols", ["ftp"], "'ftp' in 'protocols' is not a protocol; use http or https."),
    ("api", "uris", ["hello"], "'hello' in 'uris' is not a path; start it with '/', without spaces."),
    ("api", "uris", [7], "Give 'uris' as a list of paths."),
    ("api", "hosts", ["bad host"],
     "'bad host' in 'hosts' is not a host name; use letters, digits, '-' and '.'."),
    ("api", "hosts", [""], "Each item of 'hosts' is 1 to 253 characters; '' is not."),
    ("event-driver", "config", [{"key": "a", "value": 2}], """Item 1 of 'config' must be an object """
     """{"key": …, "value": …} with string values."""),
    ("event-driver", "config", {"a": "b"}, """Give 'config' as a list of {"key": …, "value": …} objects."""),
    ("event-driver-type", "config", [{"value": "v"}], "Item 1 of 'config' needs a 'key'."),
    ("event-driver", "config", [{"key": "a"}, {"key": "a", "value": "2"}],
     "Key 'a' appears twice; keep one row per key."),
    ("secret", "reason", "broken", "Give 'reason' as a list of strings."),
    ("secret", "reason", [["nested"]], "Give 'reason' as a list of strings."),
    ("secret", "reason", ["x\x00"], NUL),
]  # fmt: skip


@pytest.fixture
def scene(people):
    image = f.ImageFactory(name="img", applications=[people.app_a])
    function = f.FunctionFactory(name="fn", image=image, applications=[people.app_a])
    driver_type = f.EventDriverTypeFactory(name="timer")
    return {
        "image": f.ImageFactory(name="target", base_image=image.base_image, applications=[people.app_a]),
        "function": function,
        "api": f.APIFactory(name="target", function=function, applications=[people.app_a]),
        "event-driver": f.EventDriverFactory(name="target", type=driver_type, applications=[people.app_a]),
        "event-driver-type": driver_type,
        "secret": f.SecretFactory(name="target", applications=[people.app_a]),
    }


def stored(entity):
    entity = type(entity).objects.get(pk=entity.pk)
    return entity.revision, {
        field.name: getattr(entity, field.name) for field in entity._meta.concrete_fields
    }


@pytest.mark.parametrize("kind, field, value, message", BAD, ids=[f"{k}.{f}={v!r:.30}" for k, f, v, _ in BAD])
def test_the_services_refuse_a_wrong_shape_and_write_nothing(people, scene, kind, field, value, message):
    entity = scene[kind]
    before = stored(entity)
    with pytest.raises(services.ValidationError) as exc:
        services.entity_update(entity=entity, user=people.superuser, fields={field: value})
    assert exc.value.message_dict == {field: [message]}
    assert stored(entity) == before


@pytest.mark.parametrize("kind, field, value, message", BAD, ids=[f"{k}.{f}={v!r:.30}" for k, f, v, _ in BAD])
def test_the_api_refuses_a_wrong_shape_with_the_domains_message(people, scene, kind, field, value, message):
    if isinstance(value, float) or "nan" in repr(value) or "inf" in repr(value):
        pytest.skip("JSON has no NaN or Infinity to send; the services' test covers them")
    entity = scene[kind]
    before = stored(entity)
    client = APIClient()
    client.force_authenticate(people.superuser)
    response = client.patch(f"/api/v1/{entity.kind.plural}/{entity.name}/", {field: value}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"code": 400, "message": f"{field}: {message}", "errors": {field: [message]}}
    assert stored(entity) == before


def test_a_page_refuses_an_image_whose_system_dependencies_are_a_number(people, scene, client):
    client.force_login(people.developer_a)
    data = {"name": "img42", "applications": "app-a", "base_image": scene["image"].base_image.name,
            "system_dependencies": "42", "tags": ""}  # fmt: skip
    response = client.post("/images/new/", data)
    assert response.status_code == 400
    assert SYSTEM_DEPENDENCIES.replace('"', "&quot;").replace("'", "&#x27;") in response.content.decode()
    assert not m.Image.objects.filter(name="img42").exists()
    api = APIClient()
    api.force_authenticate(people.developer_a)
    assert api.get("/api/v1/images/").status_code == 200


def test_a_page_refuses_a_function_whose_input_schema_is_a_list(people, scene, client):
    client.force_login(people.developer_a)
    response = client.post(
        "/functions/fn/edit/",
        {"name": "fn", "applications": "app-a", "image": "img", "handler": "h.h", "source": "",
         "schema_in": "[1, 2]", "schema_out": "{}", "timeout": "60", "tags": "", "revision": "1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Give &#x27;schema_in&#x27; as a JSON Schema object" in response.content.decode()
    assert m.Function.objects.get(name="fn").schema_in == {}


def test_the_admin_refuses_an_http_method_that_does_not_exist(people, scene, client):
    client.force_login(people.superuser)
    api = scene["api"]
    data = {"name": api.name, "status": "READY", "reason": "[]", "function": str(api.function.pk),
            "methods": '["FOO"]', "protocols": "[]", "uris": '["/hello"]', "hosts": "[]",
            "authentication": "public", "enabled": "on", "tags": "",
            "expected_revision": str(api.revision)}  # fmt: skip
    response = client.post(admin_url(m.API, "change", api.pk), data)
    assert response.status_code == 200
    assert METHOD.replace("'", "&#x27;") in response.content.decode()
    assert m.API.objects.get(pk=api.pk).methods == ["POST"]


def test_a_bundle_refuses_an_http_method_that_does_not_exist(people, scene):
    bundle = "kind: API\nname: target\nfunction: fn\nmethods: [FOO]\nuris: [/hello]\n"
    with pytest.raises(bundles.BundleError) as caught:
        bundles.apply_bundle(user=people.developer_a, bundle=bundle, application="app-a")
    assert caught.value.message == f"Document 1 (API 'target'): {METHOD}"
    assert m.API.objects.get(name="target").methods == ["POST"]


RICH = {
    "image": {"system_dependencies": [{"name": "curl", "version": "8.5"}, {"name": "git"}]},
    "function": {
        "schema_in": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}},
        "schema_out": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},
    },
    "api": {
        "methods": ["GET", "POST"],
        "protocols": ["http", "https"],
        "uris": ["/a", "/b/c"],
        "hosts": ["example.com", "*.example.org", "localhost"],
    },  # fmt: skip
    "event-driver": {"config": [{"key": "seconds", "value": "2"}, {"key": "empty", "value": ""}]},
    "event-driver-type": {"config": [{"key": "k"}]},
    "secret": {"reason": ["one", "two"]},
}


@pytest.mark.parametrize("kind", [k for k in KINDS if k.name != "run"], ids=lambda k: k.name)
def test_a_get_body_put_back_is_accepted_for_every_kind(people, kind):
    in_a = [people.app_a]
    function_in_a = {"function__applications": in_a, "function__image__applications": in_a}
    extra = {"function": {"image__applications": in_a}, "api": function_in_a, "subscription": function_in_a}
    factory = f.FACTORIES[kind.name]
    entity = factory(applications=[] if kind.is_system else in_a, **extra.get(kind.name, {}))
    for field, value in RICH.get(kind.name, {}).items():
        setattr(entity, field, value)
    entity.save()
    client = APIClient()
    client.force_authenticate(people.superuser)
    url = f"/api/v1/{kind.plural}/{entity.name}/"
    body = client.get(url).json()
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    again = response.json()
    assert again["revision"] == body["revision"] + 1
    assert {k: v for k, v in again.items() if k not in ("revision", "modified")} == {
        k: v for k, v in body.items() if k not in ("revision", "modified")
    }


@pytest.mark.parametrize(
    "kind, fields",
    [
        ("function", {"source": "print(1)\x00"}),
        ("function", {"handler": "a\x00.b"}),
        ("image", {"runtime_dependencies": "requests\x00"}),
    ],
)
def test_the_services_refuse_a_nul_in_any_text_field(people, scene, kind, fields):
    entity = scene[kind]
    before = stored(entity)
    with pytest.raises(services.ValidationError) as exc:
        services.entity_update(entity=entity, user=people.superuser, fields=fields)
    assert exc.value.message_dict == {name: [NUL] for name in fields}
    with pytest.raises(services.ValidationError) as exc:
        services.entity_update(entity=entity, user=people.superuser, tags=["role=\x00"])
    assert exc.value.message_dict == {"tags": [NUL]}
    assert stored(entity) == before

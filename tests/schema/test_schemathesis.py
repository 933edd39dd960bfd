"""schemathesis against the OpenAPI schema, signed in as a developer of application A.

Every operation of `/api/schema/` is called with generated requests, valid and invalid (schemathesis's
positive and negative modes), through the Django WSGI application: the API never answers a 5xx, and
every answer is one the schema declares (status code, content type, body). The scene is the API
tests' one (an entity of every kind in A and in B); half of the generated path names are replaced by
real names, so that updates and deletes reach real rows, not only 404s.

Bounded and deterministic: a fixed number of examples per operation, derandomized, no deadline.
"""

import zlib

import pytest
import schemathesis
import yaml
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.media_types import YAML_MEDIA_TYPES
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from applications import tokens
from tests import factories as f
from tests.api.conftest import build

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# The coverage phase (boundary values of every parameter, as explicit examples) costs ~5 s an
# operation on top of the fuzzing (~1.5 s): 69 operations would take 8 minutes, so it is off.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 8,
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
        "phases": {"coverage": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = get_wsgi_application()


@pytest.fixture
def developer_token(people):
    """The scene of the API tests, and a token of A's developer (the one schemathesis signs in with)."""
    base_image = f.BaseImageFactory(name="python3-base")
    driver_type = f.EventDriverTypeFactory(name="timer")
    scene_a = build(people.app_a, "a", base_image, driver_type)
    build(people.app_b, "b", base_image, driver_type)
    existing_names.clear()
    existing_names.update({kind: entity.name for kind, entity in scene_a.items()})
    existing_names.update(
        {
            "base-image": base_image.name,
            "event-driver-type": driver_type.name,
            "application": people.app_a.name,
            "member": str(people.app_a.memberships.get(user=people.viewer_a).pk),
        }
    )
    _, key = tokens.token_create(user=people.developer_a, name="schemathesis")
    return key


existing_names: dict[str, str] = {}
PLURALS = {
    "apis": "api",
    "applications": "application",
    "base-images": "base-image",
    "event-driver-types": "event-driver-type",
    "event-drivers": "event-driver",
    "functions": "function",
    "images": "image",
    "runs": "run",
    "secrets": "secret",
    "subscriptions": "subscription",
}


@schema.hook
def map_path_parameters(context, path_parameters):
    """Half of the generated names (chosen by a checksum, so runs repeat) become real ones."""
    if not path_parameters:
        return path_parameters
    kind = PLURALS.get(context.operation.path.split("/")[3])
    for parameter, value in list(path_parameters.items()):
        if zlib.crc32(str(value).encode()) % 2:
            continue
        if parameter == "name" and kind in existing_names:
            path_parameters[parameter] = existing_names[kind]
        elif parameter == "member_id":
            path_parameters[parameter] = existing_names["member"]
    return path_parameters


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """The WSGI application closes the database connection after each request, which would end the
    test's transaction on PostgreSQL; Django's test client keeps it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schemathesis.deserializer("application/yaml", *YAML_MEDIA_TYPES)
def multi_document_yaml(ctx, response):
    """An export is several YAML documents (the schema calls it text): check that it parses, keep the text."""
    text = response.content.decode("utf-8")
    list(yaml.safe_load_all(text))
    return text


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_what_its_schema_says(case, developer_token):
    caches["shared"].clear()  # the token endpoint is throttled; generated sign-ins must not turn into 429s
    case.call_and_validate(headers={"Authorization": f"Token {developer_token}"}, checks=CHECKS)

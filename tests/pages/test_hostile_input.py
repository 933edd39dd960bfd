"""Hostile input to the pages (issue 11, items 5 and 7): JSON typed in a form that PostgreSQL cannot store
or the decoder cannot survive, ids and revisions that are not numbers, unknown flag values, names with
a trailing newline. Each is a 400 with its reason, and nothing is written."""

import pytest

from entities.kinds import KINDS_BY_NAME
from tests import samples
from tests.hostile import deep_list, deep_object, snapshot

pytestmark = pytest.mark.django_db

# The scene's function and subscription as their edit forms post them (tests/samples.py).
FUNCTION = samples.form_data(KINDS_BY_NAME["function"], "hello", {"image": "python3"}, "app-a")

BAD_JSON = [
    ("NaN", "NaN, which is not a number JSON allows"),
    ('{"x": Infinity}', "Infinity, which is not a number JSON allows"),
    ('{"x": -Infinity}', "-Infinity, which is not a number JSON allows"),
    ('{"x": 1e999}', "1e999, which is too large a number"),
    ('{"x": "a\\u0000b"}', "Text cannot hold the NUL character (U+0000)."),
    ('{"a\\u0000": 1}', "Text cannot hold the NUL character (U+0000)."),
    (deep_object(1_000), "nested more than 100 levels deep"),
    (deep_list(100_000), "nested more than 100 levels deep"),
    ("[" * 5_000, "JSON parse error: its brackets do not match."),
    ("[[1]]]]", "JSON parse error: Extra data"),
]


def field_errors(response, field) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize(("text", "message"), BAD_JSON)
@pytest.mark.parametrize("field", ["schema_in", "schema_out"])
def test_json_a_function_form_cannot_store_is_a_400_on_its_field(
    scene, people, client_for, field, text, message
):
    client = client_for(people.developer_a)
    before = snapshot()
    response = client.post("/functions/hello/edit/", {**FUNCTION, field: text, "revision": "1"})
    assert response.status_code == 400
    assert message in field_errors(response, field)
    assert snapshot() == before


@pytest.mark.parametrize(("text", "message"), BAD_JSON)
def test_json_an_image_form_cannot_store_is_a_400_on_its_field(scene, people, client_for, text, message):
    client = client_for(people.developer_a)
    before = snapshot()
    data = {
        "name": "new-image",
        "applications": "app-a",
        "base_image": "python3-base",
        "system_dependencies": text,
    }
    response = client.post("/images/new/", data)
    assert response.status_code == 400
    assert message in field_errors(response, "system_dependencies")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/switch/", {"application": "app-a\x00"}),
        (
            "/event-drivers/new/",
            {"name": "d", "applications": "app-a", "type": "ticker-type", "config-key": "a\x00"},
        ),
        ("/secrets/new/", {"name": "s", "applications": "app-a", "values-key": "k", "values-value": "v\x00"}),
        ("/applications/app-a/members/", {"member": "group:\x00", "role": "viewer"}),
        ("/applications/app-a/delete/", {"cascade": "orphan\x00"}),
        ("/functions/hello/delete/", {"revision\x00": "1"}),
    ],
)
def test_a_posted_form_holding_a_nul_is_a_400(scene, people, client_for, url, data):
    client = client_for(people.admin_a)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("value", ["abc", "²", "٣", "1.0", "-1", " 1", "1e3", "9" * 30])
@pytest.mark.parametrize(
    ("user", "url", "field"),
    [
        ("developer_a", "/functions/hello/delete/", "revision"),
        ("admin_a", "/applications/app-a/members/", "remove"),
        ("developer_a", "/profile/", "revoke"),
    ],
)
def test_an_id_or_revision_that_is_not_an_ascii_number_is_a_400(
    scene, people, client_for, user, url, field, value
):
    client = client_for(getattr(people, user))
    before = snapshot()
    response = client.post(url, {field: value})
    assert response.status_code == 400
    assert f"&#x27;{field}&#x27; must be a whole number" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "url", ["/secrets/open-sesame/?reveal=ture", "/functions/?unassigned=ture", "/apis/?enabled=maybe"]
)
def test_an_unknown_flag_value_on_a_page_is_a_400(scene, people, client_for, url):
    response = client_for(people.developer_a).get(url)
    assert response.status_code == 400
    assert "must be true or false" in response.content.decode()
    assert "OpenSesame" not in response.content.decode()


SUBSCRIPTION = {
    **samples.form_data(KINDS_BY_NAME["subscription"], "ticker-sub", {"function": "hello"}, "app-a"),
    "revision": "1",
}


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        *[
            ("/secrets/new/", {"name": name, "applications": "app-a"}, "name")
            for name in ("hello-py\n", "hello-py ")
        ],
        ("/secrets/new/", {"name": "hello-py\r\n", "applications": "app-a"}, "name"),
        ("/subscriptions/ticker-sub/edit/", {**SUBSCRIPTION, "event_type": "ticker.tick\n"}, "event_type"),
    ],
)
def test_a_name_or_event_type_with_trailing_whitespace_is_refused_not_trimmed(
    scene, people, client_for, url, data, field
):
    client = client_for(people.developer_a)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Use letters, digits" in field_errors(response, field)
    assert snapshot() == before


def test_an_application_named_with_a_trailing_newline_is_refused(scene, people, client_for):
    client = client_for(people.superuser)
    before = snapshot()
    response = client.post("/applications/new/", {"name": "hello-app\n"})
    assert response.status_code == 400
    assert "lowercase letters" in field_errors(response, "name")
    response = client.post(
        "/applications/app-a/edit/", {"name": "app-a\n", "status": "READY", "revision": "1"}
    )
    assert response.status_code == 400
    assert snapshot() == before

"""Two requests at once through the API: one wins, the other gets a clear 4xx, and nothing is lost or
doubled. Each race is repeated on fresh rows, with both requests held inside the same window."""

import pytest

from applications.models import Application
from entities import models as m
from tests import factories as f

from .threads import REPETITIONS, api_client, at_once, meeting_in, requires_postgresql

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(REPETITIONS))
def test_of_two_updates_with_the_same_revision_exactly_one_wins(people, attempt):
    image = f.ImageFactory(name=f"image-{attempt}", applications=[people.app_a])
    f.FunctionFactory(name=f"race-{attempt}", image=image, applications=[people.app_a])
    url = f"/api/v1/functions/race-{attempt}/"

    def update(handler):
        return lambda: api_client(people.developer_a).patch(url, {"handler": handler, "revision": 1})

    # both have read revision 1 and passed the checks; they meet before taking the row lock
    with meeting_in("entities.services._lock"):
        responses = at_once(update("left.handle"), update("right.handle"))

    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["code"] == 409 and list(loser["errors"]) == ["revision"]
    function = m.Function.objects.get(name=f"race-{attempt}")
    assert function.revision == 2 == winner["revision"]
    assert function.handler == winner["handler"]


@pytest.mark.parametrize("attempt", range(REPETITIONS))
def test_of_two_creates_of_the_same_name_one_succeeds_and_the_other_is_a_400(people, attempt):
    f.ImageFactory(name="shared-image", applications=[people.app_a])

    def create(handler):
        body = {"name": "twin", "image": "shared-image", "handler": handler, "applications": ["app-a"]}
        return lambda: api_client(people.developer_a).post("/api/v1/functions/", body)

    # both have passed the name check; they meet before the INSERT
    with meeting_in("entities.services._save"):
        responses = at_once(create("left.handle"), create("right.handle"))

    assert sorted(r.status_code for r in responses) == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400).json()
    assert loser["errors"] == {"name": ["A function named 'twin' already exists; choose another name."]}
    winner = next(r for r in responses if r.status_code == 201).json()
    assert list(m.Function.objects.filter(name="twin").values_list("handler", flat=True)) == [
        winner["handler"]
    ]
    assert m.Function.objects.get(name="twin").applications.get().name == "app-a"


@pytest.mark.parametrize("attempt", range(REPETITIONS))
def test_of_two_applications_created_with_the_same_name_one_succeeds_and_the_other_is_a_400(people, attempt):
    def create(description):
        body = {"name": "twin-app", "description": description}
        return lambda: api_client(people.staff).post("/api/v1/applications/", body)

    with meeting_in("applications.services._save"):
        responses = at_once(create("left"), create("right"))

    assert sorted(r.status_code for r in responses) == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400).json()
    assert list(loser["errors"]) == ["name"]
    winner = next(r for r in responses if r.status_code == 201).json()
    application = Application.objects.get(name="twin-app")
    assert application.description == winner["description"]
    assert list(application.memberships.values_list("user__username", "role")) == [("staff", "admin")]


@pytest.mark.parametrize("attempt", range(REPETITIONS))
def test_an_update_and_a_delete_at_once_never_fail_with_a_500(people, attempt):
    f.SecretFactory(name=f"doomed-{attempt}", applications=[people.app_a])
    url = f"/api/v1/secrets/doomed-{attempt}/"
    updater, deleter = api_client(people.developer_a), api_client(people.developer_a)

    with meeting_in("entities.services._lock"):
        update, delete = at_once(lambda: updater.patch(url, {"tags": ["x"]}), lambda: deleter.delete(url))

    # the delete always goes through; the update either went first (200) or found nothing (404)
    assert delete.status_code == 204, delete.content
    assert update.status_code in (200, 404), update.content
    if update.status_code == 404:
        assert update.json()["message"] == f"A secret 'doomed-{attempt}' does not exist."
    assert not m.Secret.objects.filter(name=f"doomed-{attempt}").exists()


def bundle(*secrets: str, function: str = "") -> str:
    documents = [f"kind: Secret\nname: {name}\nsecrets: {{key: value}}\n" for name in secrets]
    if function:
        documents.append(f"kind: Function\nname: {function}\nimage: shared-image\nsecrets: [s2]\n")
    return "---\n".join(documents)


def names(text: str) -> list[str]:
    return [line.removeprefix("name: ") for line in text.splitlines() if line.startswith("name: ")]


def post_bundle(user, text):
    return lambda: api_client(user).post(
        "/api/v1/bundles/?application=app-a", data=text.encode(), content_type="application/yaml"
    )


@pytest.mark.parametrize("attempt", range(REPETITIONS))
@pytest.mark.parametrize(
    "left, right",
    [
        pytest.param(bundle("s1", "s2", function="fn"), bundle("s1", "s2", function="fn"), id="the same"),
        pytest.param(bundle("s1", "s2", function="fn"), bundle("s2", "s1", function="fn"), id="reordered"),
        pytest.param(bundle("s1", "s2"), bundle("s2", "s3", function="fn"), id="overlapping"),
    ],
)
def test_two_bundle_imports_at_once_leave_each_entity_once_and_no_half_bundle(people, attempt, left, right):
    f.ImageFactory(name="shared-image", applications=[people.app_a])

    # both are inside their transactions; they meet before the one-bundle-at-a-time lock
    with meeting_in("entities.bundles.apply._one_bundle_at_a_time"):
        responses = at_once(post_bundle(people.developer_a, left), post_bundle(people.developer_a, right))

    # one after the other, both apply: the second finds what the first wrote
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    actions = sorted(
        [result["action"] for result in r.json()["results"] if result["name"] == "s2"][0] for r in responses
    )
    assert actions == ["created", "unchanged"]
    secrets = list(m.Secret.objects.values_list("name", flat=True))
    assert sorted(secrets) == sorted(set(names(left) + names(right)) - {"fn"})
    assert list(m.Function.objects.values_list("name", flat=True)) == ["fn"]
    assert m.Function.objects.get(name="fn").revision == 1

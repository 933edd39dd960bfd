"""`dispatch emit` against a live server: Dispatch's flags, the application from -a, clear refusals."""


import pytest

from entities.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def test_emit_sends_a_cloudevent_into_the_application(cli, people):
    result = cli.as_user(people.developer_a)(
        "emit", "build.failed", "--data", '{"branch": "main"}', "--event-id", "e-1", "--source-id", "ci",
        "-a", "app-a", "--json",
    )  # fmt: skip
    body = result.json()
    assert (body["topic"], body["id"], body["source"], body["data"]) == (
        "app-a.build.failed",
        "e-1",
        "ci",
        {"branch": "main"},
    )
    event = Event.objects.get()
    assert event.datacontenttype == "application/json" and event.emitted_by == people.developer_a


def test_emit_reads_the_data_from_a_file_and_keeps_text_as_text(cli, people, tmp_path):
    payload = tmp_path / "payload.txt"
    payload.write_text("the build is broken")
    result = cli.as_user(people.developer_a)(
        "emit", "build.failed", "--data-from-file", payload, "--content-type", "text/plain", "-a", "app-a"
    )
    assert result.code == 0, result.err
    assert result.out.startswith("Emitted event ") and "app-a.build.failed" in result.out
    assert Event.objects.get().data == "the build is broken"


def test_emit_refuses_bad_json_before_sending(cli, people):
    result = cli.as_user(people.developer_a)("emit", "build.failed", "--data", "{nope", "-a", "app-a")
    assert result.code == 1 and "not valid JSON" in result.err
    assert not Event.objects.exists()


def test_emit_into_an_application_the_user_cannot_see_reads_as_missing(cli, people):
    result = cli.as_user(people.member_b)("emit", "build.failed", "-a", "app-a")
    assert result.code == 1 and "(HTTP 404)" in result.err and "does not exist" in result.err
    assert not Event.objects.exists()


def test_emit_of_a_bad_type_is_refused_with_the_reason(cli, people):
    result = cli.as_user(people.developer_a)("emit", "no spaces", "-a", "app-a")
    assert result.code == 1 and "(HTTP 400)" in result.err
    assert not Event.objects.exists()

"""/metrics for Prometheus: counted from the database, labelled by application and function, behind
its token."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .scene import make_runs

TOKEN = "s3cret-metrics-token"


@pytest.fixture
def scrape(client, settings):
    settings.DISPATCH_METRICS_TOKEN = TOKEN

    def get(token=TOKEN):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.get("/metrics", **headers)

    return get


def samples(text: str) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_it_counts_finished_runs_by_application_function_and_status(people, scrape):
    make_runs(people)
    found = samples(scrape().content.decode())

    def runs(app, function, status):
        return found.get(
            ("dispatch_runs_total", (("application", app), ("function", function), ("status", status)))
        )

    assert runs("app-a", "hello", "READY") == 4  # two in the window, one before, one at its end
    assert runs("app-a", "hello", "ERROR") == 2
    assert runs("app-a", "bye", "READY") == 1
    assert runs("app-b", "secret-of-b", "ERROR") == 1


def test_it_has_a_duration_histogram_per_application_and_function(people, scrape):
    make_runs(people)
    found = samples(scrape().content.decode())
    hello = (("application", "app-a"), ("function", "hello"))

    # durations of hello's finished runs: 100, 300, 50, 5, 5 ms (the InputError had none)
    assert found[("dispatch_run_duration_seconds_count", hello)] == 5
    assert found[("dispatch_run_duration_seconds_sum", hello)] == pytest.approx(0.46)
    assert found[("dispatch_run_duration_seconds_bucket", (*hello, ("le", "0.01")))] == 2
    assert found[("dispatch_run_duration_seconds_bucket", (*hello, ("le", "0.1")))] == 4
    assert found[("dispatch_run_duration_seconds_bucket", (*hello, ("le", "0.25")))] == 4
    assert found[("dispatch_run_duration_seconds_bucket", (*hello, ("le", "+Inf")))] == 5


def test_it_needs_its_token(people, scrape, settings):
    make_runs(people)
    for token in (None, "wrong"):
        response = scrape(token)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"app-a" not in response.content
    settings.DISPATCH_METRICS_TOKEN = ""
    assert scrape().status_code == 404  # off without a token setting


def test_signing_in_is_no_substitute_for_the_token(people, scrape, client):
    client.force_login(people.superuser)
    assert scrape(None).status_code == 401

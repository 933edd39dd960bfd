"""The metrics of an application's runs, from runs made at known times (a fixed clock), through the
API, the dashboard page and the CLI; the same figures on SQLite and PostgreSQL."""

import re

import pytest
from rest_framework.test import APIClient

from applications import metrics
from tests.conftest import session_queries

from .scene import T0, WINDOW, at, make_event, make_runs


@pytest.fixture
def runs(people):
    return make_runs(people)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_counts_runs_per_minute_with_failures_by_type_events_in_and_runs_caused_by_them(people, runs):
    figures = api(people.viewer_a).get("/api/v1/applications/app-a/metrics/", WINDOW).json()

    assert [p["time"] for p in figures["series"]] == [f"2026-12-01T03:0{i}:00+00:00" for i in range(5)]
    assert [p["runs"] for p in figures["series"]] == [2, 1, 1, 1, 0]
    assert [p["failed"] for p in figures["series"]] == [0, 1, 0, 1, 0]
    assert [p["errors_by_type"] for p in figures["series"]] == [
        {}, {"FunctionError": 1}, {}, {"InputError": 1}, {}
    ]  # fmt: skip
    assert [p["events_in"] for p in figures["series"]] == [1, 1, 2, 0, 0]  # at 00:05, 01:59, 02:10, 02:30
    assert [p["caused_by_events"] for p in figures["series"]] == [0, 0, 1, 0, 0]  # bye, by the 01:59 event
    assert figures["totals"] == {
        "runs": 5,
        "succeeded": 3,
        "failed": 2,
        "unfinished": 0,
        "error_rate": 0.4,
        "events_in": 4,
        "caused_by_events": 1,
        "duration_ms": {"p50": 100, "p95": 1000, "p99": 1000},  # nearest rank of 50, 100, 300, 1000
    }
    assert figures["errors_by_type"] == [
        {"type": "FunctionError", "count": 1, "rate": 0.2},
        {"type": "InputError", "count": 1, "rate": 0.2},
    ]


def test_it_gives_duration_percentiles_per_step_and_per_function(people, runs):
    figures = api(people.viewer_a).get("/api/v1/applications/app-a/metrics/", WINDOW).json()

    assert figures["series"][0]["duration_ms"] == {"p50": 100, "p95": 300, "p99": 300}
    assert figures["series"][3]["duration_ms"] == {"p50": None, "p95": None, "p99": None}
    assert [(f["function"], f["duration_ms"]["p95"]) for f in figures["slowest_functions"]] == [
        ("bye", 1000),
        ("hello", 300),
    ]
    assert [(f["function"], f["failed"], f["runs"]) for f in figures["most_failing_functions"]] == [
        ("hello", 2, 4)
    ]


def test_recent_failures_come_newest_first_and_name_their_runs(people, runs):
    figures = api(people.viewer_a).get("/api/v1/applications/app-a/metrics/", WINDOW).json()

    assert [(r["run"], r["error_type"], r["message"]) for r in figures["recent_failures"]] == [
        (str(runs["hello-bad-input"].pk), "InputError", "InputError happened"),
        (str(runs["hello-fails"].pk), "FunctionError", "FunctionError happened"),
    ]


def test_one_function_and_hourly_steps(people, runs):
    query = {
        "since": "2026-12-01T02:00:00Z",
        "until": "2026-12-01T04:00:00Z",
        "step": "1h",
        "function": "hello",
    }
    figures = api(people.viewer_a).get("/api/v1/applications/app-a/metrics/", query).json()

    assert [(p["time"][11:16], p["runs"], p["failed"]) for p in figures["series"]] == [
        ("02:00", 1, 0),
        ("03:00", 5, 2),
    ]
    assert figures["function"] == "hello" and figures["totals"]["caused_by_events"] == 0
    assert figures["totals"]["events_in"] == 0  # no event ran hello


def test_events_in_are_counted_by_the_time_they_were_received_per_hour_and_per_day(people, runs):
    make_event(people.app_a, at(3600 * 24))  # the next day, outside the hourly window
    client = api(people.viewer_a)
    hourly = {"since": "2026-12-01T02:00:00Z", "until": "2026-12-01T04:00:00Z", "step": "1h"}
    daily = {"since": "2026-11-30T00:00:00Z", "until": "2026-12-03T00:00:00Z", "step": "1d"}

    figures = client.get("/api/v1/applications/app-a/metrics/", hourly).json()
    assert [(p["time"][11:16], p["events_in"]) for p in figures["series"]] == [("02:00", 1), ("03:00", 5)]
    figures = client.get("/api/v1/applications/app-a/metrics/", daily).json()
    assert [(p["time"][:10], p["events_in"]) for p in figures["series"]] == [
        ("2026-11-30", 0),
        ("2026-12-01", 6),
        ("2026-12-02", 1),
    ]
    assert figures["totals"]["events_in"] == 7  # not B's event, nor the one of no application


def test_the_events_in_of_one_function_are_those_that_ran_it(people, runs):
    figures = (
        api(people.viewer_a).get("/api/v1/applications/app-a/metrics/", {**WINDOW, "function": "bye"}).json()
    )
    assert [p["events_in"] for p in figures["series"]] == [0, 1, 0, 0, 0]
    assert [p["caused_by_events"] for p in figures["series"]] == [0, 0, 1, 0, 0]


def test_a_run_that_carries_a_cloudevent_but_no_source_event_is_not_caused_by_an_event(people, runs):
    """A run started with an `event` for `context.event` (the CLI, a test) was made by no delivery."""
    runs["hello-1"].event = {"type": "build.failed", "id": "typed-by-hand"}
    runs["hello-1"].save(update_fields=["event"])
    figures = api(people.viewer_a).get("/api/v1/applications/app-a/metrics/", WINDOW).json()
    assert figures["totals"]["caused_by_events"] == 1


def test_the_window_defaults_to_the_last_hour_by_the_minute(people, runs, monkeypatch):
    monkeypatch.setattr(metrics, "now", lambda: T0.replace(minute=30))
    figures = api(people.viewer_a).get("/api/v1/applications/app-a/metrics/").json()

    assert (figures["since"], figures["until"], figures["step"]) == (
        "2026-12-01T02:30:00+00:00",
        "2026-12-01T03:30:00+00:00",
        "1m",
    )
    assert len(figures["series"]) == 60 and figures["totals"]["runs"] == 7


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"step": "5m"}, "step", "Step '5m' is unknown; use 1m, 1h or 1d."),
        ({"range": "1y"}, "range", "Range '1y' is unknown; use 1h, 24h or 7d."),
        ({"since": "yesterday"}, "since", "'yesterday' is not a time; write it as 2026-12-01T03:00:00Z."),
        ({"since": "2026-13-01T00:00:00Z"}, "since", "'2026-13-01T00:00:00Z' is not a time"),
        (
            {"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"},
            "since",
            "'since' must be before",
        ),
        ({"range": "7d", "step": "1m"}, "step", "That is more than 1500 points"),
    ],
)
def test_bad_windows_are_a_400_naming_the_parameter(people, query, field, message):
    response = api(people.viewer_a).get("/api/v1/applications/app-a/metrics/", query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert response.json()["errors"][field][0].startswith(message)


def test_a_member_of_b_sees_no_series_label_or_count_of_a(people, runs):
    for user in (people.member_b, people.outsider):
        response = api(user).get("/api/v1/applications/app-a/metrics/", WINDOW)
        assert response.status_code == 404
        assert response.json()["message"] == "Application 'app-a' does not exist."
    own = api(people.member_b).get("/api/v1/applications/app-b/metrics/", WINDOW).json()
    assert own["totals"]["runs"] == 1
    assert own["totals"]["events_in"] == 1 and [p["events_in"] for p in own["series"]] == [0, 1, 0, 0, 0]
    assert "hello" not in str(own) and "bye" not in str(own)
    assert (
        api(people.member_b)
        .get("/api/v1/applications/app-b/metrics/", {**WINDOW, "function": "hello"})
        .json()["totals"]["runs"]
        == 0
    )


def test_an_anonymous_caller_gets_a_401(people):
    assert APIClient().get("/api/v1/applications/app-a/metrics/").status_code == 401


def test_the_dashboard_draws_charts_and_the_same_figures_as_tables(people, runs, client):
    client.force_login(people.viewer_a)
    page = client.get("/applications/app-a/dashboard/", WINDOW).content.decode()

    assert page.count('<svg class="chart"') == 4
    assert '<dd data-figure="runs">5</dd>' in page and '<dd data-figure="caused_by_events">1</dd>' in page
    assert '<dd data-figure="events_in">4</dd>' in page
    assert (
        "<tr><td>03:01</td><td>1</td><td>1</td><td>100 %</td><td>FunctionError 1</td><td>1</td><td>0</td>"
        in page
    )  # 1 event in, no run caused by an event
    assert "<title>03:02: events in 2</title>" in page
    assert f'href="/runs/{runs["hello-fails"].pk}/"' in page
    assert "<script" not in page.split("</head>")[1]  # charts need no script
    assert re.search(r'<tr data-quota="max_concurrent_runs"><td>concurrent runs</td><td>0</td>', page)


def test_the_dashboard_of_one_function_links_back_to_all(people, runs, client):
    client.force_login(people.viewer_a)
    page = client.get("/applications/app-a/dashboard/", {**WINDOW, "function": "bye"}).content.decode()

    assert "function bye" in page and '<dd data-figure="runs">1</dd>' in page
    assert 'href="?">All functions</a>' in page


def test_the_dashboard_of_another_application_is_a_404(people, runs, client):
    client.force_login(people.member_b)
    assert client.get("/applications/app-a/dashboard/").status_code == 404
    own = client.get("/applications/app-b/dashboard/", WINDOW).content.decode()
    assert '<dd data-figure="events_in">1</dd>' in own  # B's one event, none of A's


def test_a_bad_range_on_the_dashboard_is_a_400_with_the_reason(people, client):
    client.force_login(people.viewer_a)
    response = client.get("/applications/app-a/dashboard/", {"range": "1y"})
    assert response.status_code == 400
    assert "Range &#x27;1y&#x27; is unknown; use 1h, 24h or 7d." in response.content.decode()


def test_the_dashboard_runs_six_queries_whatever_the_runs_and_events(
    people, runs, client, django_assert_num_queries
):
    client.force_login(people.viewer_a)
    client.get("/applications/app-a/dashboard/")  # fills the content type cache, as any earlier request does
    # (the session, from the database without REDIS_URL), 1 the user with their memberships (the
    # switcher's list is read from them), 2 the application (through the gate), 3 the window's runs,
    # 4 the window's events in, counted per step, 5 entities per kind (quota), 6 unfinished and
    # last-minute runs (quotas)
    with django_assert_num_queries(len(session_queries()) + 6):
        client.get("/applications/app-a/dashboard/", {"range": "7d"})


def test_dispatch_get_metrics_prints_compact_tables(cli, people, runs):
    make_event(people.app_a, at(270))  # a step with an event and no run is printed too
    result = cli.as_user(people.viewer_a)(
        "get", "metrics", "-a", "app-a", "--since", WINDOW["since"], "--until", WINDOW["until"]
    )

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "app-a: 2026-12-01 03:00 to 2026-12-01 03:05 UTC, by 1m"
    assert lines[1] == (
        "runs 5  failed 2 (40.0%)  unfinished 0  events in 5  caused by events 1  "
        "p50/p95/p99 100/1000/1000 ms"
    )
    assert lines[3].split() == "TIME RUNS FAILED ERROR RATE EVENTS IN P50 MS P95 MS P99 MS".split()
    assert lines[4].split() == ["2026-12-01", "03:00", "2", "0", "0.0%", "1", "100", "300", "300"]
    assert lines[8].split() == ["2026-12-01", "03:04", "0", "0", "0.0%", "1", "-", "-", "-"]
    assert "hello" in result.out and "concurrent runs" in result.out


def test_dispatch_get_metrics_of_an_application_you_cannot_see_is_an_error(cli, people, runs):
    result = cli.as_user(people.member_b)("get", "metrics", "-a", "app-a")
    assert (result.code, result.err) == (1, "error: Application 'app-a' does not exist. (HTTP 404)\n")
    result = cli("get", "metrics", "-a", "app-b", "--json")
    assert result.json()["application"] == "app-b"


def test_a_function_page_links_to_its_dashboard_in_its_application(people, runs, client):
    client.force_login(people.viewer_a)
    page = client.get("/functions/hello/").content.decode()
    assert 'href="/applications/app-a/dashboard/?function=hello">Dashboard</a>' in page


def test_the_metrics_api_runs_five_queries_whatever_the_runs_and_events(
    people, runs, django_assert_num_queries
):
    client = api(people.viewer_a)
    client.get("/api/v1/applications/app-a/metrics/")  # fills the content type cache
    # (the user is given, not read: force_authenticate) 1 the application (through the gate), 2 the
    # window's runs, 3 the window's events in, counted per step, 4 entities per kind (quota), 5 unfinished
    # and last-minute runs (quotas)
    with django_assert_num_queries(5):
        client.get("/api/v1/applications/app-a/metrics/", {"range": "7d"})

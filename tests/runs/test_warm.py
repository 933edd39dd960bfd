"""Warm sandboxes: the next call of a function revision reuses the sandbox of the last one, and
nothing else does: not another function, not another revision, not after a call that left something
running or broke a limit."""

import threading

import pytest

from entities import models as m
from entities.runs import runner
from entities.runs.warm import WarmPool

pytestmark = pytest.mark.django_db

COUNTER_PY = (
    "import os\nCALLS = []\n"
    "def handle(context, payload):\n"
    "    CALLS.append(1)\n"
    "    print('call', len(CALLS))\n"
    "    seen = os.path.exists('/tmp/mine')\n"
    "    open('/tmp/mine', 'w').close()\n"
    "    return {'calls': len(CALLS), 'saw_tmp': seen, 'secrets': sorted(context['secrets'])}\n"
)
COUNTER_JS = (
    "let calls = 0;\n"
    "module.exports = function (context, payload) {\n"
    "  calls += 1;\n"
    "  console.log('call', calls);\n"
    "  console.error('err', calls);\n"
    "  return {calls};\n"
    "};\n"
)


@pytest.fixture
def call(functions, api):
    developer = api(functions.people.developer_a)

    def post(name, payload=None, **body):
        response = developer.post(
            f"/api/v1/functions/{name}/runs/", {"input": payload, **body}, format="json"
        )
        return response.json()

    return post


def test_a_second_call_of_a_function_is_served_by_its_warm_sandbox(functions, call):
    functions.make("counter", COUNTER_PY)
    functions.make("counter-js", COUNTER_JS, language="nodejs")
    assert [call("counter")["output"]["calls"] for _ in range(3)] == [1, 2, 3]
    assert [call("counter-js")["output"]["calls"] for _ in range(2)] == [1, 2]


def test_each_call_has_only_its_own_logs(functions, call):
    functions.make("counter-js", COUNTER_JS, language="nodejs")
    first, second = call("counter-js"), call("counter-js")
    assert first["logs"] == {"stdout": ["call 1"], "stderr": ["err 1"]}
    assert second["logs"] == {"stdout": ["call 2"], "stderr": ["err 2"]}


def test_two_functions_of_the_same_source_never_share_a_sandbox(functions, call):
    functions.make("one", COUNTER_PY)
    functions.make("two", COUNTER_PY)
    assert call("one")["output"] == {"calls": 1, "saw_tmp": False, "secrets": []}
    assert call("one")["output"]["saw_tmp"] is True
    assert call("two")["output"] == {"calls": 1, "saw_tmp": False, "secrets": []}


def test_a_new_revision_of_a_function_starts_a_fresh_sandbox(functions, call):
    function = functions.make("counter", COUNTER_PY)
    assert [call("counter")["output"]["calls"] for _ in range(2)] == [1, 2]
    m.Function.objects.filter(pk=function.pk).update(source=COUNTER_PY.replace("'calls'", "'count'"))
    assert call("counter")["output"]["count"] == 1
    m.Function.objects.filter(pk=function.pk).update(timeout=5000)
    assert call("counter")["output"]["count"] == 1


def test_a_run_sees_only_its_own_secrets_in_a_warm_sandbox(functions, call):
    functions.make("counter", COUNTER_PY)
    assert call("counter", secrets=["open-sesame"])["output"]["secrets"] == ["password"]
    second = call("counter")["output"]
    assert second == {"calls": 2, "saw_tmp": True, "secrets": []}


LEFT_RUNNING = {
    "a process": (
        "import os, time\nCALLS = []\ndef handle(c, p):\n    CALLS.append(1)\n"
        "    if p and os.fork() == 0:\n        time.sleep(30)\n        os._exit(0)\n"
        "    return len(CALLS)\n",
        "python3",
    ),
    "a thread": (
        "import threading, time\nCALLS = []\ndef handle(c, p):\n    CALLS.append(1)\n"
        "    if p:\n        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
        "    return len(CALLS)\n",
        "python3",
    ),
    "a timer": (
        "let calls = 0;\nmodule.exports = (c, p) => { calls += 1; if (p) setTimeout(() => {}, 30000);"
        " return calls; };\n",
        "nodejs",
    ),
}


@pytest.mark.parametrize("what", LEFT_RUNNING)
def test_a_sandbox_where_a_call_left_something_running_serves_no_other_call(functions, call, what):
    source, language = LEFT_RUNNING[what]
    functions.make("leaver", source, language=language)
    assert call("leaver", 0)["output"] == 1
    assert call("leaver", 1)["output"] == 2  # it leaves something running: the sandbox is stopped
    assert call("leaver", 0)["output"] == 1


def test_a_sandbox_that_broke_a_limit_serves_no_other_call(functions, call):
    source = (
        "CALLS = []\ndef handle(c, p):\n    CALLS.append(1)\n    while p:\n        pass\n"
        "    return len(CALLS)\n"
    )
    functions.make("looper", source, timeout=1000)
    assert call("looper", False)["output"] == 1
    assert "exceeded the timeout of 1000 ms" in call("looper", True)["error"]["message"]
    assert call("looper", False)["output"] == 1


def test_a_sandbox_is_replaced_after_its_number_of_calls(functions, call, settings):
    settings.DISPATCH_RUN_LIMITS = {"warm_runs": 2}
    functions.make("counter", COUNTER_PY)
    assert [call("counter")["output"]["calls"] for _ in range(5)] == [1, 2, 1, 2, 1]


def test_without_warm_sandboxes_every_call_starts_a_fresh_one(functions, call, settings):
    settings.DISPATCH_RUN_LIMITS = {"warm_sandboxes": 0}
    functions.make("counter", COUNTER_PY)
    assert [call("counter")["output"] for _ in range(2)] == [
        {"calls": 1, "saw_tmp": False, "secrets": []}
    ] * 2


def test_a_warm_sandbox_outlives_the_thread_that_started_it():
    """runserver answers each request on a thread of its own; bwrap's --die-with-parent must not
    end the sandbox with that thread."""
    outputs = []

    def run():
        outcome = runner.execute(
            language="python3",
            source=COUNTER_PY,
            handler="main.handle",
            context={"secrets": {}},
            payload=None,
            timeout_ms=5000,
            function_id="outliving-its-thread",
        )
        outputs.append(outcome.output["calls"])

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    run()
    assert outputs == [1, 2]


class FakeBox:
    def __init__(self):
        self.closed = False

    def usable(self):
        return not self.closed

    def close(self):
        self.closed = True


def test_the_pool_keeps_at_most_its_capacity_and_stops_the_longest_unused():
    pool, boxes = WarmPool(), [FakeBox() for _ in range(3)]
    for number, box in enumerate(boxes):
        pool.give(("f", str(number)), box, capacity=2)
    assert [box.closed for box in boxes] == [True, False, False]
    assert pool.take(("f", "0"), idle_seconds=60) is None
    assert pool.take(("f", "2"), idle_seconds=60) is boxes[2]
    assert pool.take(("f", "2"), idle_seconds=60) is None  # taken: a sandbox serves one call at a time


def test_the_pool_stops_a_sandbox_idle_too_long():
    pool, box = WarmPool(), FakeBox()
    pool.give(("f", "1"), box, capacity=2)
    assert pool.take(("f", "1"), idle_seconds=0) is None and box.closed


def test_after_a_fork_the_pool_leaves_the_parents_sandboxes_alone():
    pool, box = WarmPool(), FakeBox()
    pool.give(("f", "1"), box, capacity=2)
    pool._pid = -1  # as if this were the forked child of the process that filled it
    assert pool.take(("f", "1"), idle_seconds=60) is None and not box.closed

"""An emitted event runs its subscriptions for real: a `db_worker` process executes the runs in the
sandbox, each with the event's data as input, the event without data as context["event"] and the
subscription's secrets. The worker is a separate process, so this module migrates a database file
of its own and shares it with the worker (as tests/runs/test_workers.py does)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENE = """
import json
from applications.models import Application
from entities import models as m
from entities.events import parsing, services
app = Application.objects.create(name="app-a", slug="app-a")
other = Application.objects.create(name="app-b", slug="app-b")
base = m.BaseImage.objects.create(name="python3-base", language="python3", docker_url="python3")
image = m.Image.objects.create(name="python3", base_image=base)
image.applications.set([app])
source = '''
def handle(context, payload):
    secrets = context["secrets"]
    return {"input": payload, "event": context["event"], "secrets": sorted(secrets),
            "reversed": {k: v[::-1] for k, v in secrets.items()}}
'''
def subscribe(name, application, type="build.failed"):
    function = m.Function.objects.create(name=f"{name}-fn", image=image, handler="main.handle", source=source)
    function.applications.set([application])
    subscription = m.Subscription.objects.create(name=name, event_type=type, function=function)
    subscription.applications.set([application])
    return subscription
secret = m.Secret(name="ci-token")
secret.values = {"token": "s3cret-value"}
secret.save()
secret.applications.set([app])
subscribe("with-secret", app).secrets.set([secret])
subscribe("plain", app)
subscribe("other-type", app, type="build.passed")
stored = services.emit(user=None, application=app, event=parsing.make(
    type="build.failed", source="/ci", id="e-1", data={"branch": "main"}, subject="main"))
print(json.dumps(str(stored.uid)))
"""


def test_an_emitted_event_runs_each_subscription_in_the_sandbox(tmp_path):
    path = tmp_path / "events.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATABASE_URL"] = f"sqlite:///{path}"

    def manage(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )

    manage("migrate", "-v0")
    uid = json.loads(manage("shell", "-c", SCENE).stdout.strip().splitlines()[-1])
    manage("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT function_name, status, output, error FROM entities_functionrun WHERE source_event_id = ?",
            (uid.replace("-", ""),),
        ).fetchall()
        assert db.execute("SELECT COUNT(*) FROM entities_functionrun").fetchone() == (2,)
    outputs = {}
    for name, status, output, error in rows:
        assert (status, error) == ("READY", None), (name, error)
        outputs[name] = json.loads(output)
    assert set(outputs) == {"with-secret-fn", "plain-fn"}
    for output in outputs.values():
        assert output["input"] == {"branch": "main"}
        event = output["event"]
        assert (event["type"], event["eventType"], event["id"], event["subject"]) == (
            "build.failed", "build.failed", "e-1", "main"
        )  # fmt: skip
        assert event["topic"] == "app-a.build.failed" and "data" not in event
    assert outputs["with-secret-fn"]["secrets"] == ["token"]
    assert outputs["with-secret-fn"]["reversed"] == {"token": "eulav-terc3s"}
    assert outputs["plain-fn"]["secrets"] == []

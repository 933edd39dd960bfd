"""Load a realistic demo data set, through the services, so it obeys every rule. Idempotent."""

from importlib import resources

import yaml
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applications import services as app_services
from applications.models import Application, Role
from entities import services
from entities.kinds import get_kind

IMAGES_YAML = resources.files("dispatch_cli").joinpath("images.yaml")  # the CLI's seed-images too

APPLICATIONS = {
    "example-app": "The seed's example: hello functions, their API and a ticker.",
    "ci": "Build pipeline hooks: reports failed builds to chat.",
    "billing": "Invoices and payment webhooks.",
}
# username: (application, role); "group:NAME" members come through that group.
MEMBERS = {
    "alice": [("example-app", Role.ADMIN)],
    "bob": [("example-app", Role.DEVELOPER), ("ci", Role.VIEWER)],
    "carol": [("example-app", Role.VIEWER)],
    "dave": [("ci", Role.ADMIN)],
    "erin": [("billing", Role.ADMIN)],
    "group:payments": [("billing", Role.DEVELOPER)],
}
GROUP_USERS = {"payments": ["frank"]}
IMAGE_HOMES = {"python3": "example-app", "nodejs": "example-app", "powershell": "ci", "java": "billing"}

HELLO_PY = (
    'def handle(context, payload):\n    return {"myField": "Hello, %s" % payload.get("name", "Noone")}\n'
)


class Command(BaseCommand):
    help = "Load the demo applications, members and entities (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="dispatch-demo", help="Password of the demo users.")

    @transaction.atomic
    def handle(self, *args, password, **options):
        # The data is loaded as a superuser, through the services; `demo_admin` sets its password.
        self.actor = User.objects.filter(is_superuser=True).order_by(
            "id"
        ).first() or User.objects.create_superuser("admin", email="admin@example.com", password=None)
        self.created = 0
        apps = {name: self.application(name, description) for name, description in APPLICATIONS.items()}
        self.members(apps, password)
        self.images()
        self.entities()
        self.stdout.write(
            f"Demo data ready: {len(apps)} applications, {self.created} new entities. "
            f"Demo users alice, bob, carol, dave, erin, frank sign in with password {password!r}."
        )

    def application(self, name, description):
        existing = Application.objects.filter(name=name).first()
        return existing or app_services.application_create(
            user=self.actor, name=name, description=description
        )

    def members(self, apps, password):
        for group_name, usernames in GROUP_USERS.items():
            group, _ = Group.objects.get_or_create(name=group_name)
            for username in usernames:
                self.user(username, password).groups.add(group)
        for member, roles in MEMBERS.items():
            kwargs = (
                {"member_group": Group.objects.get(name=member[6:])}
                if member.startswith("group:")
                else {"member_user": self.user(member, password)}
            )
            for app_name, role in roles:
                app_services.membership_set(application=apps[app_name], user=self.actor, role=role, **kwargs)

    def user(self, username, password):
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if created:
            user.set_password(password)
            user.save()
        return user

    def ensure(self, kind, name, fields, applications=None, tags=None):
        kind = get_kind(kind)
        existing = kind.model.objects.filter(name=name).first()
        if existing:
            return existing
        self.created += 1
        return services.entity_create(
            kind=kind, user=self.actor, fields={"name": name, **fields}, applications=applications, tags=tags
        )

    def images(self):
        documents = list(yaml.safe_load_all(IMAGES_YAML.read_text()))
        for doc in documents:
            if doc["kind"] == "BaseImage":
                fields = {"docker_url": doc["dockerUrl"], "language": doc["language"]}
                self.ensure("base-image", doc["name"], fields)
        for doc in documents:
            if doc["kind"] == "Image":
                base = get_kind("base-image").model.objects.get(name=doc["baseImageName"])
                fields = {
                    "base_image": base,
                    "runtime_dependencies": (doc.get("runtimeDependencies") or {}).get("manifest", ""),
                }
                homes = [IMAGE_HOMES[doc["name"]]]
                if doc["name"] == "python3" and get_kind("image").scope == "many":
                    homes.append("ci")  # the shared image, where the scope policy lets images be shared
                self.ensure("image", doc["name"], fields, applications=homes)
        self.ensure("image", "python3-unassigned", {"base_image": base_named("python3-base")})

    def entities(self):
        image = get_kind("image").model.objects.get
        secret = self.ensure(
            "secret", "open-sesame", {"values": {"password": "OpenSesame"}}, ["example-app"], ["role=test"]
        )
        hello = self.ensure(
            "function",
            "hello-py",
            {
                "image": image(name="python3"),
                "handler": "hello.handle",
                "source": HELLO_PY,
                "secrets": [secret],
            },
            ["example-app"],
            ["role=test"],
        )
        self.ensure(
            "function",
            "hello-js",
            {
                "image": image(name="nodejs"),
                "handler": "hello.handle",
                "source": "module.exports = function (context, params) {\n  return {myField: 'Hello'};\n};\n",
                "schema_in": {
                    "properties": {"name": {"type": "string", "minLength": 1}},
                    "required": ["name"],
                },
                "schema_out": {"properties": {"myField": {"type": "string"}}, "required": ["myField"]},
            },
            ["example-app"],
        )
        self.ensure(
            "api",
            "post-hello",
            {"function": hello, "methods": ["POST"], "protocols": ["https"], "uris": ["/hello"]},
            tags=["role=test"],
        )
        ticker = self.ensure("event-driver-type", "ticker", {"image": "kars7e/timer:latest"})
        self.ensure(
            "event-driver-type",
            "cloudevent",
            {"image": "dispatchframework/cloudevent-driver", "built_in": True},
        )
        self.ensure(
            "event-driver",
            "ticker",
            {"type": ticker, "config": [{"key": "seconds", "value": "30"}]},  # a hello run per tick
            ["example-app"],
        )
        self.ensure(
            "subscription", "ticker-sub", {"event_type": "ticker.tick", "function": hello}, ["example-app"]
        )
        self.runs(hello)

        slack_token = self.ensure("secret", "slack-token", {"values": {"token": "xoxb-demo"}}, ["ci"])
        report = self.ensure(
            "function",
            "report-failure",
            {
                "image": image(name="powershell"),
                "handler": "report.ps1",
                "secrets": [slack_token],
                "timeout": 30_000,
            },
            ["ci"],
        )
        self.ensure(
            "subscription", "build-failed", {"event_type": "build.failed", "function": report}, ["ci"]
        )
        self.ensure(
            "api",
            "ci-webhook",
            {"function": report, "methods": ["POST"], "uris": ["/ci/hook"], "authentication": "basic"},
        )

        stripe = self.ensure("secret", "stripe-key", {"values": {"api_key": "sk_test_demo"}}, ["billing"])
        invoice = self.ensure(
            "function",
            "make-invoice",
            {"image": image(name="java"), "handler": "io.dispatch.Invoice::handle", "secrets": [stripe]},
            ["billing"],
        )
        self.ensure(
            "api",
            "invoices",
            {
                "function": invoice,
                "methods": ["GET", "POST"],
                "uris": ["/invoices"],
                "authentication": "oauth2",
                "cors": True,
            },
        )
        self.ensure(
            "function", "scratch", {"image": image(name="python3-unassigned"), "handler": "scratch.handle"}
        )

    def runs(self, function):
        run_model = get_kind("run").model
        if run_model.objects.filter(function=function).exists():
            return
        now = timezone.now()
        for index, name in enumerate(["Jon", "Ada", ""]):
            error = None
            output = {"myField": f"Hello, {name}"}
            if not name:
                output = None
                error = {
                    "type": "InputError",
                    "message": "name: String length must be greater than 1",
                    "stacktrace": [],
                }
            started = now - timezone.timedelta(minutes=10 * (3 - index))
            self.created += 1
            services.entity_create(
                kind="run",
                user=self.actor,
                fields={
                    "function": function,
                    "input": {"name": name},
                    "output": output,
                    "error": error,
                    "status": "ERROR" if error else "READY",
                    "reason": [error["message"]] if error else [],
                    "logs": {"stdout": [f"handling {name or 'nobody'}"], "stderr": []},
                    "executed_time": started,
                    "finished_time": started + timezone.timedelta(milliseconds=120 + 40 * index),
                },
            )


def base_named(name):
    return get_kind("base-image").model.objects.get(name=name)

"""Build a large, realistic data set quickly, for benchmarks: bulk inserts, valid by construction.

It bypasses the services on purpose (they check one entity at a time); every row it writes obeys the
scope policy and the reference rule because each application's entities only reference entities of
the same application or system ones. Names start with the application's name, so a second run with
another --prefix adds to the set instead of clashing.
"""

import time
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications.models import Application, ApplicationItem, Membership, Role
from entities import crypto
from entities import models as m

BATCH = 5000


class Command(BaseCommand):
    help = "Generate applications and entities in bulk (default: 1,000 applications, 100,000 functions)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=1000)
        parser.add_argument("--functions", type=int, default=100_000, help="Spread evenly over applications.")
        parser.add_argument("--runs", type=int, default=0, help="Function runs in all, e.g. 1000000.")
        parser.add_argument("--prefix", default="bench", help="Application names are PREFIX-0001, …")
        parser.add_argument("--member", default="", help="Username made developer of every new application.")

    def handle(self, *args, applications, functions, runs, prefix, member, **options):
        if applications < 1 or functions < 0 or runs < 0:
            raise CommandError("Give at least one application and no negative counts.")
        if Application.objects.filter(name__startswith=f"{prefix}-").exists():
            raise CommandError(f"Applications named '{prefix}-…' exist already; choose another --prefix.")
        started = time.perf_counter()
        self.items: list[ApplicationItem] = []
        self.counts: dict[str, int] = {}
        with transaction.atomic():
            self.generate(prefix, applications, functions, runs, member)
        elapsed = time.perf_counter() - started
        total = sum(self.counts.values())
        summary = ", ".join(f"{count:,} {name}" for name, count in self.counts.items())
        self.stdout.write(
            f"Generated {total:,} rows in {elapsed:.1f} s ({total / elapsed:,.0f} rows/s): {summary}."
        )

    def bulk(self, model, rows, label):
        for start in range(0, len(rows), BATCH):
            model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)
        self.counts[label] = self.counts.get(label, 0) + len(rows)

    def tag(self, objects, application_for):
        content_type = ContentType.objects.get_for_model(type(objects[0])) if objects else None
        self.items += [
            ApplicationItem(content_type=content_type, object_id=obj.pk, tag_id=application_for(i).pk)
            for i, obj in enumerate(objects)
        ]

    def generate(self, prefix, n_apps, n_functions, n_runs, member):
        apps = [Application(name=f"{prefix}-{i:04d}", slug=f"{prefix}-{i:04d}") for i in range(n_apps)]
        self.bulk(Application, apps, "applications")
        apps = list(Application.objects.filter(name__startswith=f"{prefix}-").order_by("name"))
        if member:
            from django.contrib.auth.models import User

            user = User.objects.get(username=member)
            self.bulk(
                Membership,
                [Membership(application=a, user=user, role=Role.DEVELOPER) for a in apps],
                "memberships",
            )

        bases = [
            m.BaseImage(
                name=f"{prefix}-base-{lang}",
                docker_url=f"dispatchframework/{lang}-base:0.0.13",
                language=lang,
            )
            for lang in m.Language.values
        ]
        self.bulk(m.BaseImage, bases, "base images")
        driver_type = m.EventDriverType(name=f"{prefix}-ticker", image="kars7e/timer:latest")
        self.bulk(m.EventDriverType, [driver_type], "event driver types")

        per_app = max(1, n_functions // n_apps)
        images_per_app, secrets_per_app = max(1, per_app // 10), max(1, per_app // 5)
        images = [
            m.Image(
                unassigned=False,
                id=uuid.uuid4(),
                name=f"{a.name}-image-{j}",
                base_image=bases[j % len(bases)],
                language=bases[j % len(bases)].language,
            )
            for a in apps
            for j in range(images_per_app)
        ]
        self.bulk(m.Image, images, "images")
        self.tag(images, lambda i: apps[i // images_per_app])

        token = crypto.encrypt_values({"password": "generated"})
        secrets = [
            m.Secret(unassigned=False, id=uuid.uuid4(), name=f"{a.name}-secret-{j}", encrypted_values=token)
            for a in apps
            for j in range(secrets_per_app)
        ]
        self.bulk(m.Secret, secrets, "secrets")
        self.tag(secrets, lambda i: apps[i // secrets_per_app])

        functions = []
        for index in range(n_functions):
            app_index = min(index // per_app, n_apps - 1)
            functions.append(
                m.Function(
                    unassigned=False,
                    id=uuid.uuid4(),
                    name=f"{apps[app_index].name}-fn-{index}",
                    image=images[app_index * images_per_app + index % images_per_app],
                    handler="main.handle",
                    source="def handle(context, payload):\n    return payload\n",
                    status=m.Status.READY if index % 50 else m.Status.ERROR,
                )
            )
        self.bulk(m.Function, functions, "functions")
        self.tag(functions, lambda i: apps[min(i // per_app, n_apps - 1)])
        through = m.Function.secrets.through
        links = [
            through(function_id=fn.pk, secret_id=secrets[min(i // per_app, n_apps - 1) * secrets_per_app].pk)
            for i, fn in enumerate(functions)
            if i % 2 == 0
        ]
        self.bulk(through, links, "function secrets")

        apis = [
            m.API(
                unassigned=False,
                id=uuid.uuid4(),
                name=f"{fn.name}-api",
                function=fn,
                methods=["POST"],
                protocols=["https"],
                uris=[f"/{fn.name}"],
            )
            for fn in functions[::2]
        ]
        self.bulk(m.API, apis, "APIs")
        self.tag(apis, lambda i: apps[min((2 * i) // per_app, n_apps - 1)])

        subscriptions = [
            m.Subscription(
                unassigned=False,
                id=uuid.uuid4(),
                name=f"{fn.name}-sub",
                function=fn,
                event_type="build.failed",
            )
            for fn in functions[::3]
        ]
        self.bulk(m.Subscription, subscriptions, "subscriptions")
        self.tag(subscriptions, lambda i: apps[min((3 * i) // per_app, n_apps - 1)])

        drivers = [
            m.EventDriver(
                unassigned=False,
                id=uuid.uuid4(),
                name=f"{a.name}-ticker",
                type=driver_type,
                config=[{"key": "seconds", "value": "60"}],
            )
            for a in apps
        ]
        self.bulk(m.EventDriver, drivers, "event drivers")
        self.tag(drivers, lambda i: apps[i])

        if n_runs and functions:
            now = timezone.now()
            for start in range(0, n_runs, BATCH * 4):
                chunk = []
                for index in range(start, min(n_runs, start + BATCH * 4)):
                    run_id = uuid.uuid4()
                    chunk.append(
                        m.FunctionRun(
                            unassigned=False,
                            id=run_id,
                            name=str(run_id),
                            function=functions[index % len(functions)],
                            function_name=functions[index % len(functions)].name,
                            input={"n": index},
                            output={"ok": True},
                            executed_time=now,
                            finished_time=now,
                        )
                    )
                self.bulk(m.FunctionRun, chunk, "runs")
                self.items += [
                    ApplicationItem(
                        content_type=ContentType.objects.get_for_model(m.FunctionRun),
                        object_id=run.pk,
                        tag_id=apps[min((index % len(functions)) // per_app, n_apps - 1)].pk,
                    )
                    for index, run in zip(range(start, start + len(chunk)), chunk, strict=True)
                ]
                self.flush_items()
        self.flush_items()

    def flush_items(self):
        self.bulk(ApplicationItem, self.items, "application items")
        self.items = []

"""`manage.py runs_worker`: a worker for function runs, the one `make run` starts beside the server.

It reaps runs whose worker died (now, then every --reap-every seconds, in a thread), then works the
task queue with the configured backend's own worker: django-tasks-db's `db_worker`, or RQ's `rqworker`
when REDIS_URL is set. Start as many as the machines allow; each reaps, which is harmless (one
conditional UPDATE per stuck run).
"""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from entities.runs.services import reap_stuck_runs


class Command(BaseCommand):
    help = "Execute queued function runs, and mark runs left unfinished by a dead worker as ERROR."

    def add_arguments(self, parser):
        parser.add_argument("--reap-every", type=float, default=15.0, help="Seconds between reaps.")
        parser.add_argument("--batch", action="store_true", help="Execute what is queued, then exit.")

    def handle(self, *args, reap_every, batch, verbosity, **options):
        reaped = reap_stuck_runs()
        if reaped and verbosity:
            self.stdout.write(f"Marked {reaped} unfinished run(s) of a dead worker as ERROR.")
        stop = threading.Event()
        threading.Thread(target=self.reap, args=(stop, reap_every), daemon=True).start()
        try:
            if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):
                # SimpleWorker runs each job in this process rather than in a fork that ends with the
                # job, so this worker's warm sandboxes (entities/runs/warm.py) serve its next runs.
                call_command(
                    "rqworker",
                    "default",
                    job_class="django_tasks_rq.Job",
                    worker_class="rq.worker.SimpleWorker",
                    burst=batch,
                )
            else:
                call_command(
                    "db_worker",
                    batch=batch,
                    startup_delay=False,
                    reload=False,
                    interval=0.2,
                    verbosity=verbosity,
                )
        finally:
            stop.set()

    def reap(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every):
            close_old_connections()
            try:
                reap_stuck_runs()
            finally:
                connection.close()

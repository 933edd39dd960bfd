"""The runs' tasks on Django's task API (django-tasks, the backport of Django 6's django.tasks).

The backend is a setting (TASKS): the database one by default (`manage.py db_worker`), RQ on Redis
when REDIS_URL is set (`manage.py rqworker`). Only the run's id travels through the queue: its input
is in the database and its secrets are decrypted by the worker, never enqueued.
"""

from django.db import close_old_connections
from django_tasks import task

from . import services


@task()
def execute_run(run_id: str) -> None:
    close_old_connections()  # workers run many tasks in one process: drop a connection gone stale
    services.execute_run(run_id=run_id)

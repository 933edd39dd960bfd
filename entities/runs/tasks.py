"""The runs' tasks on Django's task API (django-tasks, the backport of Django 6's django.tasks).

The backend is a setting (TASKS): the database one by default (`manage.py db_worker`), RQ on Redis
when REDIS_URL is set (`manage.py rqworker`). Only the run's id travels through the queue: its input
is in the database and its secrets are decrypted by the worker, never enqueued.
"""

from django.db import close_old_connections
from django.dispatch import receiver
from django_tasks import task
from django_tasks.signals import task_started
from django_tasks_rq.backend import RQBackend

from . import services


@task()
def execute_run(run_id: str) -> None:
    services.execute_run(run_id=run_id)


@receiver(task_started, sender=RQBackend)
def drop_a_stale_connection(sender, **kwargs) -> None:
    """An RQ worker runs many jobs in one process with nothing between them that drops a connection
    gone stale; django-tasks-db's db_worker does so before each task (doing it again would cost each
    run one more health-check round trip)."""
    close_old_connections()

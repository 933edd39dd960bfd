"""WSGI entry point, used by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_site.settings")

application = get_wsgi_application()


def read_content_types() -> None:
    """Django reads a model's content type on the first request that needs it, in every worker: read
    them all at start instead (one query), before gunicorn forks the workers (preload_app), which
    then share them."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import DatabaseError, connections

    try:
        ContentType.objects.get_for_models(*apps.get_models())
    except DatabaseError:  # no tables yet (before migrate): the first requests read them
        pass
    finally:
        connections.close_all()  # no connection may cross the fork


read_content_types()

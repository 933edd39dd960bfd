"""What the server does once at start, before its first request."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType


@pytest.mark.django_db(transaction=True)  # it closes the connection, as before gunicorn forks
def test_the_server_reads_every_content_type_at_start_so_no_request_does(django_assert_num_queries):
    from dispatch_site.wsgi import read_content_types

    ContentType.objects.clear_cache()
    read_content_types()
    with django_assert_num_queries(0):
        for model in apps.get_models():
            ContentType.objects.get_for_model(model)

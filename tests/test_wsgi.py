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


def test_a_worker_freezes_what_its_first_requests_cached():
    """Full collections walk every tracked object: what a worker's first requests cache (templates,
    querysets built once) is frozen beside what start-up made, once it has served 16 requests."""
    import gc
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    conf = runpy.run_path(str(Path(__file__).parent.parent / "dispatch_site" / "gunicorn.conf.py"))
    worker = SimpleNamespace()
    try:
        conf["post_fork"](None, worker)
        cached = [16]  # something the first requests keep (a list: gc tracks it)

        def collectable() -> set[int]:  # frozen objects leave the generations gc.get_objects() walks
            return {id(item) for item in gc.get_objects()}

        for _ in range(15):
            conf["post_request"](worker, None, None, None)
        assert id(cached) in collectable()  # not frozen after every request
        conf["post_request"](worker, None, None, None)  # the 16th
        assert id(cached) not in collectable()
        assert gc.get_threshold() == (700, 10, 10)  # Python's own thresholds
    finally:
        gc.unfreeze()

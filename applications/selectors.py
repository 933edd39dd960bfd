"""Reads shared by every surface."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from taggit.managers import TaggableManager


def attach_tags(objects) -> None:
    """Fill the cache of every taggit manager (`applications`, `tags`) of a page of objects of one
    model: one query per manager, whatever the number of rows.

    Not prefetch_related: while prefetching, taggit builds a filtered queryset for every row (1 to 2 ms
    each, most of a 50-row list's time). The caches are what Django's own prefetch leaves, so
    `obj.applications.all()`, `application_names()` and `topic` read them without a query; a further
    `.filter()` on them finds nothing rather than every tag.
    """
    objects = list(objects)
    if not objects:
        return
    model = type(objects[0])
    content_type = ContentType.objects.get_for_model(model)
    ids = [obj.pk for obj in objects]
    for manager in [f for f in model._meta.get_fields() if isinstance(f, TaggableManager)]:
        found = defaultdict(list)
        items = manager.through.objects.filter(content_type=content_type, object_id__in=ids).select_related(
            "tag"
        )
        for item in items:
            found[item.object_id].append(item.tag)
        tag_model = manager.through._meta.get_field("tag").related_model
        for obj in objects:
            cached = tag_model._default_manager.none()  # filtering it further finds nothing, never more
            cached._result_cache = sorted(found.get(obj.pk, []), key=lambda tag: tag.name)
            cached._prefetch_done = True
            obj.__dict__.setdefault("_prefetched_objects_cache", {})[manager.name] = cached

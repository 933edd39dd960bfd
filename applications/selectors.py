"""Reads shared by every surface."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from taggit.managers import TaggableManager

from .models import ApplicationItem


def entity_counts(application_ids, kinds) -> dict[int, dict]:
    """{application id: {kind: how many entities of it the application holds}} in one query over the
    through table's (tag, content type) index, for the home page's cards and the quotas' use alike, so
    the two never count differently. A kind an application holds none of is absent.

    Not the access gate: whoever may see an application sees everything in it.
    """
    kinds_by_type = {ContentType.objects.get_for_model(kind.model).pk: kind for kind in kinds}  # cached
    counts: dict[int, dict] = defaultdict(dict)
    rows = (
        ApplicationItem.objects.filter(
            tag_id__in=list(application_ids), content_type_id__in=list(kinds_by_type)
        )
        .values_list("tag_id", "content_type_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for application_id, content_type_id, n in rows:
        counts[application_id][kinds_by_type[content_type_id]] = n
    return dict(counts)


def attach_tags(objects) -> None:
    """Fill the cache of every taggit manager (`applications`, `tags`) of a page of objects: one query
    per through table, whatever the number of rows, and whatever mix of kinds the page holds (every
    kind shares the same two through tables).

    Not prefetch_related: while prefetching, taggit builds a filtered queryset for every row (1 to 2 ms
    each, most of a 50-row list's time). The caches are what Django's own prefetch leaves, so
    `obj.applications.all()`, `application_names()` and `topic` read them without a query; a further
    `.filter()` on them finds nothing rather than every tag.
    """
    objects = list(objects)
    managers = defaultdict(list)  # through model -> [(manager, content type id, objects of one model)]
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    for model, group in by_model.items():
        content_type = ContentType.objects.get_for_model(model)  # cached by Django
        for manager in [f for f in model._meta.get_fields() if isinstance(f, TaggableManager)]:
            managers[manager.through].append((manager, content_type.pk, group))
    for through, uses in managers.items():
        found = defaultdict(list)
        items = through.objects.filter(
            content_type_id__in={content_type_id for _, content_type_id, _ in uses},
            object_id__in=[obj.pk for _, _, group in uses for obj in group],
        ).select_related("tag")
        for item in items:
            found[item.content_type_id, item.object_id].append(item.tag)
        tag_model = through._meta.get_field("tag").related_model
        for manager, content_type_id, group in uses:
            for obj in group:
                _cache_tags(obj, manager.name, tag_model, found.get((content_type_id, obj.pk), []))


def attach_known_tags(obj, *, applications, labels) -> None:
    """Fill the caches `attach_tags` fills from tags already known (an entity just made in these
    applications, with these labels), without reading them back."""
    for name, tags in (("applications", applications), ("tags", labels)):
        _cache_tags(obj, name, obj._meta.get_field(name).related_model, tags)


def _cache_tags(obj, name: str, tag_model, tags) -> None:
    cached = tag_model._default_manager.none()  # filtering it further finds nothing, never more
    cached._result_cache = sorted(tags, key=lambda tag: tag.name)
    cached._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = cached

"""Reads shared by every surface."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
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
    """Fill the cache of every taggit manager (`applications`, `tags`) of a page of objects in one
    query, whatever the number of rows and whatever mix of kinds the page holds: the through tables
    (every kind shares the same two) joined to their tags, read as one UNION ALL.

    Not prefetch_related: while prefetching, taggit builds a filtered queryset for every row (1 to 2 ms
    each, most of a 50-row list's time). The caches are what Django's own prefetch leaves, so
    `obj.applications.all()`, `application_names()` and `topic` read them without a query; a further
    `.filter()` on them finds nothing rather than every tag.
    """
    objects = list(objects)
    uses = defaultdict(list)  # through model -> [(manager, content type id, objects of one model)]
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    for model, group in by_model.items():
        content_type = ContentType.objects.get_for_model(model)  # cached by Django
        for manager in [f for f in model._meta.get_fields() if isinstance(f, TaggableManager)]:
            uses[manager.through].append((manager, content_type.pk, group))
    if not uses:
        return
    using = router.db_for_read(objects[0].__class__)
    # One query per type of object id (a UNION ALL needs one type per column): one for any page.
    by_id_type = defaultdict(dict)
    for through, through_uses in uses.items():
        by_id_type[through._meta.get_field("object_id").get_internal_type()][through] = through_uses
    for throughs in by_id_type.values():
        found = _read_tags(throughs, using)
        for through, through_uses in throughs.items():
            tag_model = through._meta.get_field("tag").related_model
            for manager, content_type_id, group in through_uses:
                for obj in group:
                    tags = found.get((through, content_type_id, obj.pk), [])
                    _cache_tags(obj, manager.name, tag_model, tags)


def _read_tags(uses: dict, using: str) -> dict:
    """{(through model, content type id, object id): [tags]} of the objects in `uses`, in one query.

    Each through table is one branch of a UNION ALL: its content type and object ids, then its tag's
    columns in a slot of their own, typed NULLs in the other branches' slots, and a number naming
    the branch. The values go through the fields' converters, as Django's own reads do.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    slots = [
        (through, through._meta.get_field("tag").related_model._meta.concrete_fields) for through in uses
    ]
    branches, params = [], []
    for index, (through, fields) in enumerate(slots):
        rows = (
            through.objects.using(using)
            .filter(
                content_type_id__in={content_type_id for _, content_type_id, _ in uses[through]},
                object_id__in=[obj.pk for _, _, group in uses[through] for obj in group],
            )
            .values_list("content_type_id", "object_id", *[_tag_column(field) for field in fields])
            .order_by()
        )
        sql, branch_params = rows.query.get_compiler(using=using).as_sql()
        columns = [str(index), "t.content_type_id", "t.object_id"]
        for other, other_fields in slots:
            for field in other_fields:
                if other is through:
                    columns.append(f"t.{quote(_tag_column(field))}")
                else:
                    columns.append(f"CAST(NULL AS {field.cast_db_type(connection)})")
        branches.append(f"SELECT {', '.join(columns)} FROM ({sql}) t")
        params.extend(branch_params)
    convert_object_id = _converter(slots[0][0]._meta.get_field("object_id"), connection)
    readers = []  # per branch: its through, tag model, attnames, converters and where its slot starts
    start = 3
    for through, fields in slots:
        converters = [_converter(field, connection) for field in fields]
        readers.append((through, fields[0].model, [field.attname for field in fields], converters, start))
        start += len(fields)
    found: dict = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        for row in cursor.fetchall():
            through, tag_model, attnames, converters, start = readers[row[0]]
            values = [convert(value) for convert, value in zip(converters, row[start:], strict=False)]
            tag = tag_model.from_db(using, attnames, values)
            found[through, row[1], convert_object_id(row[2])].append(tag)
    return found


def _tag_column(field) -> str:
    """How a through table's read names a tag's column: its primary key is the through's `tag_id`
    (no join needed), any other through the join. Django names each column of the read by its look-up."""
    return "tag_id" if field.primary_key else f"tag__{field.attname}"


def _converter(field, connection):
    """The function turning a column's raw value into the field's Python value (as a queryset does)."""
    column = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)

    def convert(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


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

"""Reads shared by every surface."""

from collections import defaultdict
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import Count, ManyToManyField, Model, QuerySet
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


def attach_tags(objects, *, references: bool = False) -> None:
    """Fill the cache of every taggit manager (`applications`, `tags`) of a page of objects in one
    query, whatever the number of rows and whatever mix of kinds the page holds: the through tables
    joined to their tags, read as one UNION ALL. With `references`, the many-to-many references too
    (a function's secrets: their id and name, all a list shows of them), as branches of the same
    query, for lists whose queryset leaves them unread (`entity_queryset(many_references=False)`).

    Not prefetch_related: while prefetching, taggit builds a filtered queryset for every row (1 to 2 ms
    each, most of a 50-row list's time). The caches are what Django's own prefetch leaves, so
    `obj.applications.all()`, `application_names()` and `topic` read them without a query; a further
    `.filter()` on them finds nothing rather than every tag.
    """
    objects = list(objects)
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    branches = [branch for model, group in by_model.items() for branch in _branches(model, group, references)]
    if not branches:
        return
    using = router.db_for_read(objects[0].__class__)
    # One query per type of object id (a UNION ALL needs one type per column): one for any page.
    by_id_type = defaultdict(list)
    for branch in branches:
        by_id_type[branch.objects[0]._meta.pk.get_internal_type()].append(branch)
    for same_type in by_id_type.values():
        found = _read_tags(same_type, using)
        for index, branch in enumerate(same_type):
            empty = branch.target._default_manager.none()
            for obj in branch.objects:
                _cache_tags(obj, branch.name, empty, found.get((index, obj.pk), []))


class _Branch(NamedTuple):
    """One to-many relation of the objects of one model, read as one branch of attach_tags' query."""

    name: str  # the manager's, which names its prefetch cache
    objects: list
    target: type[Model]  # what the cache holds: tags, applications, secrets
    fields: list  # the target's fields read
    rows: QuerySet  # values_list: the object's id, then the target's fields


def _branches(model: type[Model], objects: list, references: bool):
    content_type = ContentType.objects.get_for_model(model)  # cached by Django
    ids = [obj.pk for obj in objects]
    for field in model._meta.get_fields():
        if isinstance(field, TaggableManager):
            target = field.through._meta.get_field("tag").related_model
            fields = list(target._meta.concrete_fields)
            rows = field.through.objects.filter(content_type_id=content_type.pk, object_id__in=ids)
            columns = ["object_id", *(_column("tag", f) for f in fields)]
        elif references and isinstance(field, ManyToManyField):
            source, relation = field.m2m_field_name(), field.m2m_reverse_field_name()
            target = field.related_model
            fields = [target._meta.pk, target._meta.get_field("name")]
            rows = field.remote_field.through.objects.filter(**{f"{source}_id__in": ids})
            columns = [f"{source}_id", *(_column(relation, f) for f in fields)]
        else:
            continue
        yield _Branch(field.name, objects, target, fields, rows.values_list(*columns).order_by())


def _read_tags(branches: list[_Branch], using: str) -> dict:
    """{(branch index, object id): [targets]} of the branches, in one query.

    Each branch is one part of a UNION ALL: its number, the object's id, then its target's columns in
    a slot of their own (one per target model), typed NULLs in the other slots. The values go through
    the fields' converters, as Django's own reads do.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    slots: dict = {}  # target model -> its fields, in the order of the columns
    for branch in branches:
        slots.setdefault(branch.target, branch.fields)
    parts, params = [], []
    for index, branch in enumerate(branches):
        sql, branch_params = branch.rows.query.get_compiler(using=using).as_sql()
        object_column, *target_columns = branch.rows.query.values_select
        columns = [str(index), f"t.{quote(object_column)}"]
        for target, fields in slots.items():
            if target is branch.target:
                columns += [f"t.{quote(column)}" for column in target_columns]
            else:
                columns += [f"CAST(NULL AS {field.cast_db_type(connection)})" for field in fields]
        parts.append(f"SELECT {', '.join(columns)} FROM ({sql}) t")
        params.extend(branch_params)
    convert_object_id = _converter(branches[0].objects[0]._meta.pk, connection)
    readers = {}  # per target: its attnames, converters and where its slot starts
    start = 2
    for target, fields in slots.items():
        converters = [_converter(field, connection) for field in fields]
        readers[target] = ([field.attname for field in fields], converters, start)
        start += len(fields)
    found: dict = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for row in cursor.fetchall():
            target = branches[row[0]].target
            attnames, converters, start = readers[target]
            values = [convert(value) for convert, value in zip(converters, row[start:], strict=False)]
            found[row[0], convert_object_id(row[1])].append(target.from_db(using, attnames, values))
    return found


def _column(relation: str, field) -> str:
    """How a through table's read names a column of the related row: its primary key is the through's
    own `<relation>_id` (no join needed), any other through the join. Django names each column of the
    read by its look-up."""
    return f"{relation}_id" if field.primary_key else f"{relation}__{field.attname}"


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
        _cache_tags(obj, name, obj._meta.get_field(name).related_model._default_manager.none(), tags)


def _cache_tags(obj, name: str, empty: QuerySet, tags) -> None:
    """Cache the tags as the object's prefetched `name`: a copy of an empty queryset, so filtering it
    further finds nothing, never more. The copies share the empty one's query (every further filter
    clones it first), as making a queryset per object and manager was a tenth of a list's time."""
    cached = QuerySet.__new__(type(empty))
    cached.__dict__.update(empty.__dict__, _result_cache=sorted(tags, key=lambda tag: tag.name))
    cached._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = cached

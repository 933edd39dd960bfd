"""Reads shared by every surface."""

import functools
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Count, Field, ManyToManyField, Model, QuerySet
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
    branches = [
        _Branch(relation, group)
        for model, group in by_model.items()
        for relation in _relations(model, references)
    ]
    if not branches:
        return
    using = router.db_for_read(objects[0].__class__)
    # One query per type of object id (a UNION ALL needs one type per column): one for any page.
    by_id_type = defaultdict(list)
    for branch in branches:
        by_id_type[branch.objects[0]._meta.pk.get_internal_type()].append(branch)
    for same_type in by_id_type.values():
        found = _read_tags(same_type, using)
        for index, (relation, group) in enumerate(same_type):
            empty = relation.target._default_manager.none()
            for obj in group:
                _cache_tags(obj, relation.name, empty, found.get((index, obj.pk), []))


class _Relation(NamedTuple):
    """A to-many relation of a model as attach_tags reads it: the rows of its through table that
    belong to some objects, joined to the target. Made once per model and process (`_relations`)."""

    name: str  # the manager's, which names its prefetch cache
    target: type[Model]  # what the cache holds: tags, applications, secrets
    fields: tuple  # the target's fields read
    tables: str  # the through table joined to the target's
    object_field: Field  # the through table's field of the object's id
    tagged: type[Model] | None  # for a taggit relation, the model whose content type the rows name


class _Branch(NamedTuple):
    """One relation of the objects of one model: one branch of attach_tags' query."""

    relation: _Relation
    objects: list


@functools.cache
def _relations(model: type[Model], references: bool) -> list[_Relation]:
    """The to-many relations attach_tags reads of a model: its taggit managers and, with `references`,
    its many-to-many fields, with their SQL written from the models' metadata: building and compiling
    a queryset per relation and request was a third of attach_tags' time."""
    relations = []
    for field in model._meta.get_fields():
        if isinstance(field, TaggableManager):
            through, tagged = field.through, model
            target, join = through._meta.get_field("tag").related_model, through._meta.get_field("tag")
            object_field = through._meta.get_field("object_id")
            fields = tuple(target._meta.concrete_fields)
        elif references and isinstance(field, ManyToManyField):
            through, tagged = field.remote_field.through, None
            target, join = field.related_model, through._meta.get_field(field.m2m_reverse_field_name())
            object_field = through._meta.get_field(field.m2m_field_name())
            fields = (target._meta.pk, target._meta.get_field("name"))
        else:
            continue
        tables = (
            f"{_quote(through._meta.db_table)} x INNER JOIN {_quote(target._meta.db_table)} y "
            f"ON x.{_quote(join.column)} = y.{_quote(target._meta.pk.column)}"
        )
        relations.append(_Relation(field.name, target, fields, tables, object_field, tagged))
    return relations


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def _read_tags(branches: list[_Branch], using: str) -> dict:
    """{(branch index, object id): [targets]} of the branches, in one query (`_union`). A target that
    several objects share (the application of a whole page) is made once and shared."""
    connection = connections[using]
    relations = tuple(branch.relation for branch in branches)
    object_pk = branches[0].objects[0]._meta.pk
    counts = None if connection.vendor == "postgresql" else tuple(len(b.objects) for b in branches)
    union = _union(relations, object_pk, using, counts)
    params = []
    for relation, objects in branches:
        if relation.tagged is not None:
            params.append(ContentType.objects.get_for_model(relation.tagged).pk)  # cached by Django
        params += _ids(relation.object_field, objects, connection)
    found: dict = defaultdict(list)
    made: dict = {}  # (target, its id) -> the instance
    with connection.cursor() as cursor:
        cursor.execute(union.sql, params)
        for row in cursor.fetchall():
            target = relations[row[0]].target
            attnames, converters, start = union.readers[target]
            key = (target, row[start])
            if key not in made:
                values = [convert(value) for convert, value in zip(converters, row[start:], strict=False)]
                made[key] = target.from_db(using, attnames, values)
            found[row[0], union.convert_object_id(row[1])].append(made[key])
    return found


class _Union(NamedTuple):
    sql: str
    readers: dict  # per target: its attnames, converters and where its slot starts
    convert_object_id: Callable


@functools.lru_cache(maxsize=256)
def _union(relations: tuple[_Relation, ...], object_pk: Field, using: str, counts: tuple | None) -> _Union:
    """The query of `_read_tags` for branches of these relations (and, where each id is a placeholder,
    these numbers of objects), written once per process: writing it was a tenth of attach_tags' time.

    Each branch is one part of a UNION ALL: its number, the object's id, then its target's columns in
    a slot of their own (one per target model), typed NULLs in the other slots. The values go through
    the fields' converters, as Django's own reads do.
    """
    connection = connections[using]
    slots: dict = {}  # target model -> its fields, in the order of the columns
    for relation in relations:
        slots.setdefault(relation.target, relation.fields)
    parts = []
    for index, relation in enumerate(relations):
        object_column = f"x.{_quote(relation.object_field.column)}"
        columns = [str(index), object_column]
        for target, fields in slots.items():
            if target is relation.target:
                columns += [f"y.{_quote(field.column)}" for field in fields]
            else:
                columns += [f"CAST(NULL AS {field.cast_db_type(connection)})" for field in fields]
        where = _one_of(object_column, counts[index] if counts else None)
        if relation.tagged is not None:
            where = f"x.{_quote('content_type_id')} = %s AND {where}"
        parts.append(f"SELECT {', '.join(columns)} FROM {relation.tables} WHERE {where}")
    readers = {}
    start = 2
    for target, fields in slots.items():
        converters = [_converter(field, connection) for field in fields]
        readers[target] = ([field.attname for field in fields], converters, start)
        start += len(fields)
    return _Union(" UNION ALL ".join(parts), readers, _converter(object_pk, connection))


def _one_of(column: str, count: int | None) -> str:
    """The condition "column is one of the ids": on PostgreSQL (count None) one array parameter
    (`= ANY(%s)`), so the query's text is the same for any page and psycopg converts it once per
    process instead of splitting 150 placeholders out of it on every request."""
    if count is None:
        return f"{column} = ANY(%s)"
    return f"{column} IN ({', '.join(['%s'] * count)})"


def _ids(field: Field, objects: list, connection) -> list:
    """The parameters of `_one_of` for these objects."""
    ids = [field.get_db_prep_value(obj.pk, connection) for obj in objects]
    return [ids] if connection.vendor == "postgresql" else ids


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

"""A serializer's read side compiled once per request into one plain function per field.

DRF's `Serializer.to_representation` asks every field of every row for its attribute through
`Field.get_attribute` (a loop over the source with Mapping and callable checks, and exception
handling) and then formats it through generic code (a date: time zone look-up, format look-up,
enforce_timezone). For a page of 50 entities that was most of the request's Python time. Here the
fields whose reading is plain are read with `getattr` and formatted with the same rule DRF applies
(str, int, isoformat with "Z", the slug of a related object, names from the prefetch cache); every
other field is read the DRF way, so the output is the same, key for key and byte for byte
(tests/test_json_shapes.py pins it).

A reader returns SKIP when DRF would leave the key out (`SkipField`, e.g. a secret's values the
caller may not read).

A plan whose readers read nothing of the request but its URL prefix is kept for the process
(`shared_read_plan`): building a serializer's fields and readers was a third of serializing a page,
and it is the same work for every page of a kind.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import ForeignKey, ManyToManyField
from rest_framework import fields, relations
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings

from entities.selectors import prefetched_of

SKIP = object()


def read_plan(serializer) -> list:
    """[(key, reader)] for the serializer's readable fields, in their order."""
    model = serializer.Meta.model
    return [(field.field_name, reader(field, model)) for field in serializer._readable_fields]


class _ContextReader:
    """A field's reader made from each request's serializer context (`field.context_reader()`: what
    `prepare` found for the page, e.g. the secrets the caller may read in clear), so that a shared plan
    holds the way to read it, never one request's answer."""

    def __init__(self, bind):
        self.bind = bind


def bound(plan, context) -> list:
    """The plan with its context readers made for this request's context."""
    if not any(type(read) is _ContextReader for _, read in plan):
        return plan
    return [(key, read.bind(context) if type(read) is _ContextReader else read) for key, read in plan]


SHARED_PLANS_KEPT = 64  # kinds × URL prefixes (hosts) a process serves; more are made per request
_shared_plans: dict = {}


def shared_read_plan(serializer, key) -> list:
    """read_plan(serializer), made once per `key` (the serializer's class and the request's URL prefix)
    and process when none of its readers depends on the request: a field read DRF's way may read its
    serializer's context (`_drf_reader`); ours that do bring a context reader (`bound`)."""
    plan = _shared_plans.get(key)
    if plan is None:
        plan = read_plan(serializer)
        if len(_shared_plans) < SHARED_PLANS_KEPT and not any(
            getattr(read, "request_bound", False) for _, read in plan
        ):
            _shared_plans[key] = plan
    return plan


def represent(plan, instance) -> dict:
    data = {}
    for key, read in plan:
        value = read(instance)
        if value is not SKIP:
            data[key] = value
    return data


def reader(field, model):
    """The fastest reader that gives what DRF gives for this field, else DRF's own way.

    A field of ours may bring its own (`field.reader()`, e.g. the URL from a prefix made once); it may
    depend on nothing of the request but the URL prefix, as plans are shared per prefix. One that reads
    the request's context brings `field.context_reader()` instead, which `bound` makes per request."""
    own = getattr(field, "reader", None)
    if own is not None:
        return own()
    per_request = getattr(field, "context_reader", None)
    if per_request is not None:
        return _ContextReader(per_request())
    attribute = _model_attribute(field, model)
    if attribute is not None:
        fast = _plain_reader(field, *attribute)
        if fast is not None:
            return fast
    return _drf_reader(field)


def _model_attribute(field, model):
    """(attribute name, model field) when the serializer field reads one model field as it is, or
    (name, None) when it reads a property of the model (a secret's keys, a run's duration)."""
    if model is None or len(field.source_attrs) != 1:
        return None
    name = field.source_attrs[0]
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return (name, None) if isinstance(getattr(model, name, None), property) else None
    if not getattr(model_field, "concrete", False) and not model_field.many_to_many:
        return None
    return name, model_field


def _same(field, base, *methods) -> bool:
    """The field reads and formats exactly as `base` does (no subclass override of these methods)."""
    cls = type(field)
    return isinstance(field, base) and all(getattr(cls, m) is getattr(base, m) for m in methods)


def _plain_reader(field, name, model_field):
    if (
        isinstance(model_field, ManyToManyField)
        and type(field) is relations.ManyRelatedField
        and _same(field.child_relation, relations.SlugRelatedField, "to_representation")
    ):
        return _many_slugs_reader(field, name)
    if (
        isinstance(model_field, ForeignKey)
        and _same(field, relations.SlugRelatedField, "to_representation")
        and _same(field, relations.RelatedField, "get_attribute", "use_pk_only_optimization")
    ):
        return _slug_reader(name, field.slug_field)  # the creator, a function's image: their names
    if not _same(field, fields.Field, "get_attribute"):
        return None
    if _same(field, fields.DateTimeField, "to_representation", "enforce_timezone"):
        return _datetime_reader(field, name)
    for base, convert in ((fields.CharField, str), (fields.IntegerField, int), (fields.FloatField, float)):
        if _same(field, base, "to_representation"):
            return _converting(name, convert)
    if _same(field, fields.BooleanField, "to_representation"):
        return _converting(name, bool)
    if _same(field, fields.UUIDField, "to_representation") and field.uuid_format == "hex_verbose":
        return _converting(name, str)
    if _same(field, fields.JSONField, "to_representation") and not field.binary:
        return _converting(name, None)
    if _same(field, fields.ChoiceField, "to_representation"):
        return _converting(name, field.to_representation)
    if _same(field, fields.ListField, "to_representation") and _same(
        field.child, fields.CharField, "to_representation"
    ):
        return _converting(name, lambda items: [None if item is None else str(item) for item in items])
    return None


def _converting(name, convert):
    def read(instance):
        value = getattr(instance, name)
        if value is None or convert is None:
            return value
        return convert(value)

    return read


def _datetime_reader(field, name):
    """DRF's DateTimeField.to_representation for aware datetimes in ISO 8601, with the time zone
    looked up once per request instead of once per cell; anything else goes DRF's way."""
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if output is None or output.lower() != fields.ISO_8601 or zone is None or not settings.USE_TZ:
        return _drf_reader(field)

    def read(instance):
        value = getattr(instance, name)
        if not value:
            return None
        if isinstance(value, str) or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return read


def _slug_reader(name, slug_field):
    if "__" in slug_field:
        return None

    def read(instance):
        try:
            related = getattr(instance, name)
        except ObjectDoesNotExist:
            return None
        return None if related is None else getattr(related, slug_field)

    return read


def _drf_reader(field):
    """Exactly Serializer.to_representation's steps for one field."""

    def read(instance):
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return SKIP
        check = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    read.request_bound = True  # the field may read its serializer's context
    return read


def _many_slugs_reader(field, name):
    """Names of a prefetched many-to-many (secrets), read from the prefetch cache when it is there."""
    slug = field.child_relation.slug_field

    def read(instance):
        if instance.pk is None:
            return []
        return [getattr(row, slug) for row in prefetched_of(instance, name)]

    return read

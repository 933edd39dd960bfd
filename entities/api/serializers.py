"""JSON of applications and every kind; writes are handed to the services, which hold every rule.

Per kind there is one serializer in a naming family (`FunctionSerializer`, `ImageSerializer`, …),
found as `kind.serializer`. EntitySerializer takes the fields from the kind's shape (those every kind
shares, then its own) and makes references and shaped JSON columns from the registry and the model;
a kind has a class of its own below only for what is particular to it.

Unknown fields in a write body are a 400 (a typo must not be silently dropped); fields that are
shown but cannot be written (`id`, `kind`, `url`, `created`, …) are ignored, so a GET body can be
sent back with PUT.
"""

import base64
import binascii
from collections import namedtuple

from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import RegexValidator
from django.db.models import TextField
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications import access
from applications.models import Status
from entities import models as m
from entities import reveal, rules, services
from entities.kinds import KINDS, get_kind, kind_of, surface
from entities.shapes import HTTP_METHODS, PROTOCOLS, ShapedJSONField

from ..selectors import prefetched_of
from .reading import SKIP, bound, read_plan, represent, shared_read_plan

APPLICATION_TAG_KEYS = {"application", "app"}
COMMON_FIELDS = (
    "id",
    "kind",
    "name",
    "applications",
    "tags",
    "status",
    "reason",
    "created",
    "modified",
    "created_by",
    "revision",
    "url",
)
COMMON_READ_ONLY = ("id", "created", "modified")


# --- URLs: one reversed prefix per request, never a reverse() per row ---------------------------


def api_base(context) -> str:
    """The absolute /api/v1/ prefix, reversed once and kept in the serializer context."""
    base = context.get("_api_base")
    if base is None:
        base = reverse("api:api-root")
        request = context.get("request")
        if request is not None:
            base = request.build_absolute_uri(base)
        context["_api_base"] = base
    return base


def entity_url(context, kind, name) -> str:
    return f"{api_base(context)}{kind.plural}/{name}/"


def application_url(context, name) -> str:
    return f"{api_base(context)}applications/{name}/"


# --- fields -------------------------------------------------------------------------------------


class StrictFieldsMixin:
    """Refuse names the resource does not have, with one error per unknown field."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                what = getattr(self, "resource_label", "this resource")
                raise serializers.ValidationError(
                    {name: [f"Unknown field: {what} has no field '{name}'."] for name in unknown}
                )
            with_nul = sorted(name for name, value in data.items() if rules.holds_nul(value))
            if with_nul:
                raise serializers.ValidationError({name: [rules.NUL_MESSAGE] for name in with_nul})
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "enum": [kind.name for kind in KINDS]})
class KindField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return kind_of(type(instance)).name

    def reader(self):
        return self.to_representation


@extend_schema_field(OpenApiTypes.URI)
class EntityURLField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return entity_url(self.context, kind_of(type(instance)), instance.name)

    def reader(self):
        base = api_base(self.context)
        return lambda instance: f"{base}{kind_of(type(instance)).plural}/{instance.name}/"


@extend_schema_field(OpenApiTypes.URI)
class ApplicationURLField(serializers.Field):
    def __init__(self, suffix="", **kwargs):
        self.suffix = suffix
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return application_url(self.context, instance.name) + self.suffix


class NamesField(serializers.ListField):
    """Names from a taggit manager (prefetched), sorted; written as a list of names, as sent."""

    child = serializers.CharField(max_length=100, trim_whitespace=False)

    def to_representation(self, manager):
        return sorted(item.name for item in manager.all())

    def reader(self):
        name = self.source_attrs[0]
        return lambda instance: sorted(item.name for item in prefetched_of(instance, name))


TagsInput = namedtuple("TagsInput", "labels applications")


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "oneOf": [
                {"type": "string", "maxLength": 100},
                {
                    "type": "object",
                    "properties": {"key": {"type": "string"}, "value": {"type": "string"}},
                    "required": ["key"],
                },
            ]
        },
        "description": (
            "Free labels, shown as strings (`role=test`). Written as strings or in Dispatch's form "
            '`{"key": "role", "value": "test"}`; key `Application` (or `app`, any case) names an '
            "application instead of a label."
        ),
    }
)
class TagsField(serializers.Field):
    """Free labels; accepts Dispatch's `[{"key": "Application", "value": "x"}]` form as well."""

    default_error_messages = {
        "not_a_list": "Give tags as a list of strings or of {{key, value}} objects.",
        "invalid": 'Tag {item!r} is invalid; use a string or {{"key": …, "value": …}}.',
    }

    def to_representation(self, manager):
        return sorted(tag.name for tag in manager.all())

    def reader(self):
        name = self.source_attrs[0]
        return lambda instance: sorted(tag.name for tag in prefetched_of(instance, name))

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        labels, applications = [], []
        for item in data:
            if isinstance(item, str):
                labels.append(item)
                continue
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("key"), str)
                or set(item)
                - {
                    "key",
                    "value",
                }
            ):
                self.fail("invalid", item=item)
            key, value = item["key"].strip(), item.get("value", "")
            if not isinstance(value, str | int | float | bool):
                self.fail("invalid", item=item)
            if key.lower() in APPLICATION_TAG_KEYS:
                applications.append(str(value))
            else:
                labels.append(f"{key}={value}" if str(value) != "" else key)
        return TagsInput(labels, applications)


class NameReferenceField(serializers.SlugRelatedField):
    """A reference to another entity by name, resolved among what the caller may see.

    An entity the caller may not see reads as one that does not exist: the same 400 either way.
    """

    def __init__(self, kind_name: str, **kwargs):
        self.kind_name = kind_name
        super().__init__(slug_field="name", **kwargs)

    def get_queryset(self):
        model = get_kind(self.kind_name).model
        request = self.context.get("request")
        if request is None:
            return model._default_manager.none()
        return access.visible_entities(model, request.user)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(
                f"Give the name of {rules.a(get_kind(self.kind_name).label)} as a string."
            )
        try:
            return self.get_queryset().get(name=data)
        except ObjectDoesNotExist:
            raise serializers.ValidationError(
                f"{rules.A(get_kind(self.kind_name).label)} named '{data}' does not exist."
            ) from None


def _strings_schema(**items) -> dict:
    return {"type": "array", "items": {"type": "string", **items}}


def _pairs_schema(first: str, second: str) -> dict:
    properties = {first: {"type": "string", "minLength": 1}, second: {"type": "string"}}
    return {"type": "array", "items": {"type": "object", "properties": properties, "required": [first]}}


SHAPE_SCHEMAS = {
    "reason": _strings_schema(minLength=1, maxLength=1000),
    "system_dependencies": _pairs_schema("name", "version"),
    "config": _pairs_schema("key", "value"),
    "schema": {"type": "object", "additionalProperties": True},
    "methods": _strings_schema(enum=list(HTTP_METHODS)),
    "protocols": _strings_schema(enum=list(PROTOCOLS)),
    "uris": _strings_schema(pattern="^/", maxLength=1024),
    "hosts": _strings_schema(maxLength=253),
}


# The API field of each shape of JSON column, documented in the OpenAPI schema by the shape; the
# column's own validators (entities/shapes.py) check it, so the API refuses what every other surface
# refuses, with the same message, and shows whatever is stored as it is.
SHAPED_FIELDS = {
    shape: extend_schema_field(schema)(type(f"{shape.title()}Field", (serializers.JSONField,), {}))
    for shape, schema in SHAPE_SCHEMAS.items()
}


def _plain(value):
    """Validated nested data (OrderedDicts) as plain JSON values for the JSON columns."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


# --- entities -----------------------------------------------------------------------------------


class EntitySerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """The fields every kind shares, and writes through entities.services."""

    id = serializers.UUIDField(read_only=True)
    kind = KindField()
    name = serializers.CharField(max_length=63, validators=[m.entity_name_validator], trim_whitespace=False)
    applications = NamesField(
        required=False,
        help_text="Names of the applications it belongs to; omitted in an update: unchanged.",
    )
    tags = TagsField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="The username of who made it."
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Increases with every change. Send the one you read with an update: a stale one is a 409.",
    )
    url = EntityURLField()

    class Meta:
        model = None
        fields = COMMON_FIELDS
        read_only_fields = COMMON_READ_ONLY

    def __init_subclass__(cls, **kwargs):
        """A kind's fields are its shape's, after those every kind shares."""
        super().__init_subclass__(**kwargs)
        kind = kind_of(cls.Meta.model)
        cls.Meta.fields = COMMON_FIELDS + kind.fields
        cls.Meta.read_only_fields = COMMON_READ_ONLY + kind.read_only_fields

    @property
    def kind_record(self):
        return kind_of(self.Meta.model)

    @property
    def resource_label(self):
        return rules.a(self.kind_record.label)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        wanted = request.query_params.get("fields") if request is not None else None
        self.trimmed = bool(wanted and request.method == "GET")
        if self.trimmed:
            keep = {name.strip() for name in wanted.split(",")} | {"kind", "name"}
            for name in list(self.fields):
                if name not in keep:
                    self.fields.pop(name)

    def build_relational_field(self, field_name, relation_info):
        """The kind's references are by name, among what the caller may see."""
        reference = self.kind_record.reference(field_name)
        if reference is None:
            return super().build_relational_field(field_name, relation_info)
        return NameReferenceField, {
            "kind_name": reference.kind,
            "many": reference.many,
            "required": not reference.many,
        }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, ShapedJSONField):
            field_class = SHAPED_FIELDS[model_field.shape]
        if isinstance(model_field, TextField):
            kwargs["trim_whitespace"] = False  # source code and manifests keep their whitespace
        if any(isinstance(v, RegexValidator) for v in model_field.validators):
            kwargs["trim_whitespace"] = False  # "ticker.tick\n" is refused by the pattern, not trimmed
        return field_class, kwargs

    # Writes ----------------------------------------------------------------------------------

    def _service_arguments(self, validated: dict):
        validated = dict(validated)
        validated.pop("revision", None)
        applications = validated.pop("applications", None)
        tags = validated.pop("tags", None)
        labels = None
        if tags is not None:
            labels = tags.labels
            if tags.applications:
                applications = sorted(set(applications or []) | set(tags.applications))
        fields = {key: _plain(value) for key, value in validated.items()}
        return fields, applications, labels

    def create(self, validated_data):
        fields, applications, labels = self._service_arguments(validated_data)
        return services.entity_create(
            kind=self.kind_record,
            user=self.context["request"].user,
            fields=fields,
            applications=applications,
            tags=labels,
        )

    def update(self, instance, validated_data):
        revision = validated_data.get("revision", self.context.get("if_match_revision"))
        fields, applications, labels = self._service_arguments(validated_data)
        return services.entity_update(
            entity=instance,
            user=self.context["request"].user,
            fields=fields,
            applications=applications,
            tags=labels,
            revision=revision,
        )

    @classmethod
    def prepare(cls, instances, context) -> None:
        """Work done once for a page (or one entity) before it is serialized; see SecretSerializer."""

    def to_representation(self, instance):
        # The fields' readers are worked out once per kind and URL prefix (reading.shared_read_plan),
        # or once per serializer when `?fields=` chose some (a list's child: once per page).
        plan = self.__dict__.get("_read_plan")
        if plan is None:
            if self.trimmed:
                plan = read_plan(self)
            else:
                plan = shared_read_plan(self, (type(self), api_base(self.context)))
            self._read_plan = plan = bound(plan, self.context)
        return represent(plan, instance)


class BaseImageSerializer(EntitySerializer):
    language = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="python3, nodejs, powershell or java (Dispatch's words such as nodejs6 too); "
        "left out: told from the name or Docker URL.",
    )

    class Meta(EntitySerializer.Meta):
        model = m.BaseImage


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": (
            "The secret's values. Written in full; shown only with ?reveal=true, to developers and "
            "admins of the secret's application."
        ),
    }
)
class SecretValuesField(serializers.DictField):
    child = serializers.CharField(allow_blank=True, max_length=65536)

    def get_attribute(self, instance):
        revealable = self.context.get("revealable")
        if revealable is None or instance.pk not in revealable:
            raise serializers.SkipField()
        return instance.values

    def context_reader(self):
        """get_attribute and to_representation, with the page's revealable secrets read once."""

        def bind(context):
            revealable = context.get("revealable")

            def read(secret):
                if revealable is None or secret.pk not in revealable:
                    return SKIP
                values = secret.values
                return None if values is None else self.to_representation(values)

            return read

        return bind


class SecretSerializer(EntitySerializer):
    keys = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The names of its values."
    )
    values = SecretValuesField(required=False)

    class Meta(EntitySerializer.Meta):
        model = m.Secret

    @classmethod
    def prepare(cls, instances, context) -> None:
        """With ?reveal=true, find once which of these secrets the caller may read in clear.

        The same answer as access.may_reveal_secret (its developers and admins, and staff who may
        change secrets) for the whole page in one query, instead of one per secret.
        """
        request = context.get("request")
        if request is None or not wants_reveal(request):
            return
        by_name = bool(context.get("detail"))  # one secret, asked for by name: a refusal is a 403
        context["revealable"] = reveal.revealed_secrets(request.user, instances, by_name=by_name)


def wants_reveal(request) -> bool:
    return reveal.asked(request.query_params)


class Base64Field(serializers.CharField):
    """Bytes sent as base64 text (write only: lists stay small; bundles carry the bytes)."""

    def __init__(self, **kwargs):
        super().__init__(write_only=True, required=False, allow_blank=True, trim_whitespace=True, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Give the bytes as base64 text.") from None


class FunctionSerializer(EntitySerializer):
    source_archive = Base64Field(
        max_length=(m.MAX_SOURCE_ARCHIVE_BYTES + 2) // 3 * 4,
        help_text="A source folder as a gzipped tar, in base64 (write only); the handler names a file in "
        "it and `source` must then be empty. Empty: no folder.",
    )
    source_files = serializers.ListField(
        source="source_file_names",
        child=serializers.CharField(),
        read_only=True,
        help_text="The paths of the source folder's files, if any.",
    )

    class Meta(EntitySerializer.Meta):
        model = m.Function


class EventDriverSerializer(EntitySerializer):
    name = serializers.CharField(
        max_length=63, trim_whitespace=False, validators=[m.event_driver_name_validator]
    )
    driver_url = serializers.CharField(
        source="url",
        read_only=True,
        help_text="Where the driver listens when exposed (its `url` in Dispatch).",
    )

    class Meta(EntitySerializer.Meta):
        model = m.EventDriver


class SubscriptionSerializer(EntitySerializer):
    topic = serializers.CharField(
        read_only=True, help_text="`<application>.<event type>`, or the bare event type when unassigned."
    )

    class Meta(EntitySerializer.Meta):
        model = m.Subscription


@extend_schema_field({"type": "string", "nullable": True})
class RunFunctionField(serializers.Field):
    """The run's function by name, or null when the caller may not see it (or it was deleted)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, run):
        return self.context_reader()(self.context)(run)

    def context_reader(self):
        def bind(context):
            names = context.get("visible_functions", {})
            return lambda run: names.get(run.function_id)

        return bind


class FunctionRunSerializer(EntitySerializer):
    """Runs are read here; they are made by POST /functions/{name}/runs/ (entities/api/runs.py)."""

    name = serializers.CharField(read_only=True, help_text="A run is named by its id.")
    function = RunFunctionField()
    function_name = serializers.CharField(read_only=True, help_text="The function's name when it ran.")
    duration = serializers.FloatField(read_only=True, allow_null=True, help_text="Seconds.")

    class Meta(EntitySerializer.Meta):
        model = m.FunctionRun

    @classmethod
    def prepare(cls, instances, context) -> None:
        """Which of the page's functions the caller may see, with their names, in one query."""
        from entities.runs.selectors import visible_function_names

        request = context.get("request")
        if request is not None:
            context["visible_functions"] = visible_function_names(request.user, instances)


SERIALIZERS = surface(EntitySerializer)


class ErrorSerializer(serializers.Serializer):
    """Every error under /api/, whatever its status."""

    code = serializers.IntegerField(help_text="The HTTP status.")
    message = serializers.CharField(help_text="One sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Field errors: {"name": ["…"]}; non_field_errors for the others; {} when none.',
    )

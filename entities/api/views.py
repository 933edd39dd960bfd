"""The API's views. Concrete entity viewsets are configuration generated from KINDS (see urls.py).

Reads start from the access gate (`access.visible_entities`, `access.visible_applications`), so
what a caller may not see is a 404 and is in no list, count or filter. Writes go through the
services, so every domain rule holds here unchanged.
"""

from django.db.models import CharField, Value
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.response import Response

from applications import access
from applications.exceptions import StaleRevision
from applications.selectors import attach_tags
from dispatch_site.parsing import parse_whole_number
from entities import services

from ..kinds import KINDS, Kind
from ..selectors import (
    ForeignCursor,
    KindBlocks,
    count_in_application,
    entity_in_application,
    entity_queryset,
    listed_entities,
    unfiltered_blocks,
)
from . import serializers as s
from .exceptions import PreconditionFailed
from .filters import AllEntitiesFilterSet
from .pagination import CURSOR

REVEAL = OpenApiParameter(
    "reveal",
    OpenApiTypes.BOOL,
    description="Secrets only: include the values (developers and admins of the secret's application).",
)
FIELDS = OpenApiParameter(
    "fields", OpenApiTypes.STR, description="Comma-separated fields to return (kind and name always come)."
)
APPLICATION_OF_ONE = OpenApiParameter(
    "application",
    OpenApiTypes.STR,
    many=True,
    description="Only if it is in this application (else 404).",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag a GET returned ("<revision>"); a stale one is a 412 and nothing is written.',
)
ETAG_HEADER = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 201], description='"<revision>"'
)


def etag(instance) -> str:
    return f'"{instance.revision}"'


def if_match_revision(request, instance) -> int | None:
    """The revision If-Match names, checked against the stored one: 412 when it is stale."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        return None
    revisions = {tag.removeprefix("W/").strip('"') for tag in tags}
    if str(instance.revision) not in revisions:
        raise PreconditionFailed(
            f"If-Match names revision {', '.join(sorted(revisions))} but it is at revision "
            f"{instance.revision}; read it again and repeat your change."
        )
    return instance.revision


class RevisionedMixin:
    """ETag on reads and writes; If-Match (412) and body `revision` (409) on writes."""

    def attach(self, objects) -> None:
        """Work done once for a page before it is serialized (entities: applications and labels)."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.attach([instance])
        context = self.get_serializer_context()
        context["detail"] = True
        self.get_serializer_class().prepare([instance], context)
        response = Response(self.get_serializer(instance, context=context).data)
        response["ETag"] = etag(instance)
        return response

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.attach(page)
        context = self.get_serializer_context()
        self.get_serializer_class().prepare(page, context)
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        context = self.get_serializer_context()
        context["if_match_revision"] = if_match_revision(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial, context=context)
        serializer.is_valid(raise_exception=True)
        try:
            instance = serializer.save()
        except StaleRevision as exc:
            if "revision" in serializer.validated_data:
                raise
            raise PreconditionFailed(str(exc)) from None
        self.get_serializer_class().prepare([instance], context)
        response = Response(self.get_serializer(instance, context=context).data)
        response["ETag"] = etag(instance)
        return response

    def create(self, request, *args, **kwargs):
        context = self.get_serializer_context()
        serializer = self.get_serializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        self.get_serializer_class().prepare([instance], context)
        data = self.get_serializer(instance, context=context).data
        return Response(
            data, status=status.HTTP_201_CREATED, headers={"Location": data["url"], "ETag": etag(instance)}
        )


class StrictFilterBackend(DjangoFilterBackend):
    """Django-filter, with a stable order: ties of the requested ordering are broken by name."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        narrowed_to = getattr(view, "narrowed_to", None)
        return kwargs if narrowed_to is None else {**kwargs, "narrowed_to": narrowed_to}

    def filter_queryset(self, request, queryset, view):
        if not self._read_by_its_only_filter(request, view):
            queryset = super().filter_queryset(request, queryset, view)
        order = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        if not any(field.lstrip("-") == "name" for field in order):
            queryset = queryset.order_by(*order, "name")
        return queryset

    @staticmethod
    def _read_by_its_only_filter(request, view) -> bool:
        """The list was read by the one application asked for (`listed_entities`) and nothing else of
        the request is a filter: the filterset would only check that name again (~1 ms a list)."""
        return getattr(view, "narrowed_to", None) is not None and view.only_application_filter() is not None


class EntityViewSet(RevisionedMixin, viewsets.ModelViewSet):
    """One kind: list, retrieve, create, update, partial update and delete, by name.

    Subclasses set `kind` and nothing else; `for_kind` makes them from the registry.
    """

    kind: Kind = None
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    filter_backends = [StrictFilterBackend]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    @classmethod
    def for_kind(cls, kind: Kind):
        serializer_class = kind.serializer
        filterset_class = kind.filterset
        read_only = kind.read_only  # runs are started by entities/api/runs.py
        attrs = {
            "kind": kind,
            "serializer_class": serializer_class,
            "filterset_class": filterset_class,
            "queryset": kind.model._default_manager.all(),  # for the schema; get_queryset narrows it
            "__doc__": f"{kind.label_plural.capitalize()}, looked up by name.",
        }
        if read_only:
            attrs["http_method_names"] = ["get", "delete", "head", "options"]
        viewset = type(f"{kind.model_name}ViewSet", (cls,), attrs)
        plural = kind.label_plural
        return extend_schema_view(
            list=extend_schema(summary=f"List {plural}", parameters=[FIELDS, REVEAL], tags=[kind.plural]),
            retrieve=extend_schema(
                summary=f"Get one of the {plural} by name",
                parameters=[APPLICATION_OF_ONE, FIELDS, REVEAL, ETAG_HEADER],
                tags=[kind.plural],
            ),
            create=extend_schema(summary=f"Create one of the {plural}", tags=[kind.plural]),
            update=extend_schema(
                summary=f"Replace one of the {plural}", parameters=[IF_MATCH], tags=[kind.plural]
            ),
            partial_update=extend_schema(
                summary=f"Change one of the {plural}", parameters=[IF_MATCH], tags=[kind.plural]
            ),
            destroy=extend_schema(
                summary=f"Delete one of the {plural}",
                parameters=[
                    IF_MATCH,
                    OpenApiParameter(
                        "revision", OpenApiTypes.INT, description="Delete only at this revision."
                    ),
                ],
                tags=[kind.plural],
            ),
        )(viewset)

    def get_queryset(self):
        names = self.request.query_params.getlist("application")
        queryset, self.narrowed_to = listed_entities(self.kind, self.request.user, names)
        return queryset

    def attach(self, objects) -> None:
        attach_tags(objects, references=True)

    def get_object(self):
        # `functions/hello/?application=X` is a 404 when hello is not in X, and also when X is a
        # name the caller cannot use: a detail URL answers with the entity or with nothing.
        name = self.kwargs[self.lookup_field]
        application = self.only_application_filter()
        member_of = application and access.member_application_named(self.request.user, [application])
        if member_of:  # the usual case: read by that application's items
            obj = entity_in_application(self.kind, self.request.user, member_of, name)
        else:
            obj = self._gated(application).filter(name=name).first()
        if obj is None:
            raise exceptions.NotFound(f"{self.kind.label.capitalize()} '{name}' does not exist.")
        return obj

    def _gated(self, application: str | None):
        """The entities get_object looks in when the caller is not a member of `application`: with it,
        in the entity's own query; without it, filtered as the list is (bad filters: nothing)."""
        if application is not None:
            return self.get_queryset().filter(
                access.in_application_named(self.kind.model, self.request.user, application)
            )
        try:
            return self.filter_queryset(self.get_queryset())
        except exceptions.ValidationError:
            raise exceptions.NotFound() from None

    @property
    def keyset_page(self):
        """Pages by `?cursor=` for kinds listed by name (not runs: they are listed newest first)."""
        return self._page_after if list(self.kind.model._meta.ordering) == ["name"] else None

    def _page_after(self, queryset, after, size) -> list:
        if after:
            kind, name = after
            if kind != self.kind.name:
                raise ForeignCursor(f"belongs to another list than the {self.kind.label_plural}")
            queryset = queryset.filter(name__gt=name)
        return list(queryset.order_by("name")[:size])

    def items_count(self) -> int | None:
        """The list's count read from its application's items alone (one index range), when the list
        is every entity of the kind in it: read by that application (`narrowed_to`) and nothing else
        asked. None when something else narrows it."""
        if self.narrowed_to is None or self.only_application_filter() is None:
            return None
        return count_in_application(self.kind, self.narrowed_to)

    def only_application_filter(self) -> str | None:
        """The application's name when `?application=<one name>` is the request's only filter.

        Then the filterset (its set-up, and a query for the application) is not needed: the entity's
        own query checks that it is in an application of that name the caller may see."""
        params = self.request.query_params
        names = params.getlist("application")
        used = {key for key in params if key in self.filterset_class.base_filters}
        if used != {"application"} or len(names) != 1 or not names[0].strip():
            return None
        return names[0]

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        header_revision = if_match_revision(request, instance)
        query_revision = request.query_params.get("revision")
        if query_revision is not None:  # the query form of a body revision: stale is a 409
            revision = parse_whole_number(query_revision, name="revision")
            services.entity_delete(entity=instance, user=request.user, revision=revision)
        else:
            try:
                services.entity_delete(entity=instance, user=request.user, revision=header_revision)
            except StaleRevision as exc:
                raise PreconditionFailed(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- every kind in one list ---------------------------------------------------------------------

ENTITY_POLYMORPHIC = PolymorphicProxySerializer(
    component_name="AnyEntity",
    serializers={kind.name: kind.serializer for kind in KINDS},
    resource_type_field_name="kind",
    many=True,
)
ALL_ENTITIES_PARAMETERS = [
    OpenApiParameter(
        "application",
        OpenApiTypes.STR,
        many=True,
        description="Application name; repeat for any of several. Empty: unassigned entities.",
    ),
    OpenApiParameter("unassigned", OpenApiTypes.BOOL, description="true: only entities in no application."),
    OpenApiParameter("kind", OpenApiTypes.STR, many=True, enum=[kind.name for kind in KINDS]),
    OpenApiParameter("tag", OpenApiTypes.STR, description="A free label, e.g. role=test."),
    OpenApiParameter("status", OpenApiTypes.STR, many=True),
    OpenApiParameter("name", OpenApiTypes.STR, description="Exact name."),
    OpenApiParameter("search", OpenApiTypes.STR, description="Part of the name."),
    OpenApiParameter("created_after", OpenApiTypes.DATETIME),
    OpenApiParameter("created_before", OpenApiTypes.DATETIME),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        description="name (default), kind, status, created, modified; '-' first for descending.",
    ),
    OpenApiParameter("limit", OpenApiTypes.INT, description="At most 1000; 50 when left out."),
    OpenApiParameter("offset", OpenApiTypes.INT),
    OpenApiParameter(
        CURSOR,
        OpenApiTypes.STR,
        description="Page from this cursor (a `next` link's); empty: from the start. Not with offset or "
        "ordering. count is then null.",
    ),
    REVEAL,
]


def entity_page(view, application=None):
    """One page of entities of every kind, in a fixed number of queries whatever the page size.

    Without `ordering`, the list is grouped by kind (the registry's order), then by name, and paged by
    KindBlocks: 1 query counts every kind (unfiltered in an application: on the application's through
    table alone), then per kind the page overlaps (usually one or two) its rows with their references
    (`entity_queryset`); then 1 query for every row's applications, labels and secrets (attach_tags).
    With `ordering`, the page of a UNION ALL of (kind, id, …) rows is ordered in the database: 1 COUNT,
    1 page of ids, then the same per-kind reads.
    """
    request = view.request
    filterset = _filters_asked(request)
    kinds = [kind for kind in KINDS if application is None or not kind.is_system]
    # else filtering each kind's queryset leaves it as it is
    narrows = filterset is not None and filterset.narrows()
    blocks = []
    for kind in filterset.selected_kinds(kinds) if filterset is not None else kinds:
        # the caller sees `application`: it was looked up through the gate
        queryset = entity_queryset(kind, request.user, application=application, many_references=False)
        queryset = queryset.order_by()
        blocks.append((kind, filterset.filter_kind_queryset(queryset) if narrows else queryset))
    if filterset is not None and filterset.form.cleaned_data.get("ordering"):
        objects = _ordered_union_page(view, filterset, blocks)
    else:
        every = unfiltered_blocks(blocks, request.user, application) if not narrows else KindBlocks(blocks)
        objects = view.paginate_queryset(every)
    return view.get_paginated_response(_serialize_mixed(view, objects))


def _filters_asked(request) -> AllEntitiesFilterSet | None:
    """The request's filters, validated once (each kind's queryset is given later); None when it names
    none: building and validating the filterset's form was a tenth of an unfiltered page."""
    if not set(request.query_params) & set(AllEntitiesFilterSet.base_filters):
        return None
    placeholder = KINDS[0].model._default_manager.none()
    filterset = AllEntitiesFilterSet(request.query_params, queryset=placeholder, request=request)
    if not filterset.is_valid():
        raise exceptions.ValidationError(filterset.errors)
    return filterset


def _ordered_union_page(view, filterset, blocks) -> list:
    """The page of entities of several kinds in an explicit order, read through a UNION ALL of ids."""
    if not blocks:
        return view.paginate_queryset([])
    parts = [
        queryset.annotate(kind=Value(kind.name, output_field=CharField())).values_list(
            "kind", "id", "name", "status", "created", "modified"
        )
        for kind, queryset in blocks
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    ordering = filterset.ordering_fields()
    tie_breakers = [
        field for field in ("name", "kind", "id") if field not in {o.lstrip("-") for o in ordering}
    ]
    page = view.paginate_queryset(union.order_by(*ordering, *tie_breakers))
    wanted: dict[str, list] = {}
    for row in page:
        wanted.setdefault(row[0], []).append(row[1])
    querysets = {kind.name: queryset for kind, queryset in blocks}
    by_id = {obj.pk: obj for name, ids in wanted.items() for obj in querysets[name].filter(pk__in=ids)}
    return [by_id[row[1]] for row in page if row[1] in by_id]


def _serialize_mixed(view, objects) -> list:
    """Entities of several kinds, each by its kind's serializer, in the order given."""
    attach_tags(objects, references=True)
    context = view.get_serializer_context()
    by_kind: dict[Kind, list] = {}
    for obj in objects:
        by_kind.setdefault(obj.kind, []).append(obj)
    data = {}
    for kind, group in by_kind.items():
        serializer_class = kind.serializer
        serializer_class.prepare(group, context)
        for obj, item in zip(group, serializer_class(group, many=True, context=context).data, strict=True):
            data[obj.pk] = item
    return [data[obj.pk] for obj in objects]


class EntityListView(generics.GenericAPIView):
    """Every entity the caller may see, of every kind, in one list (`dispatch get --all-applications`)."""

    serializer_class = s.EntitySerializer
    filter_backends = []  # entity_page filters each kind with AllEntitiesFilterSet

    @extend_schema(
        summary="List entities of every kind",
        parameters=ALL_ENTITIES_PARAMETERS,
        responses=ENTITY_POLYMORPHIC,
        tags=["entities"],
    )
    def get(self, request):
        return entity_page(self)

"""The API's applications and their members: /api/v1/applications/ and its sub-resources.

Part of applications' own API surface (`applications.api`), built on the entities' API, which it
imports (the revision mixin, the one page of every kind's entities); entities never import it back:
entities.api.urls only routes to it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from applications import access
from applications import services as app_services
from applications.models import Application, Membership
from applications.selectors import attach_tags
from entities.api.filters import ApplicationFilterSet
from entities.api.parsers import query_flag
from entities.api.serializers import EntitySerializer
from entities.api.views import (
    ALL_ENTITIES_PARAMETERS,
    ENTITY_POLYMORPHIC,
    ETAG_HEADER,
    IF_MATCH,
    RevisionedMixin,
    StrictFilterBackend,
    entity_page,
    if_match_revision,
)

from . import serializers as s

CASCADE = OpenApiParameter(
    "cascade",
    OpenApiTypes.STR,
    enum=list(app_services.CASCADES),
    description="delete (default): entities only it holds are deleted, shared ones lose the tag; "
    "orphan: only the tags go.",
)
DRY_RUN = OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="true: return the plan, change nothing.")


@extend_schema_view(
    list=extend_schema(summary="List applications", tags=["applications"]),
    retrieve=extend_schema(
        summary="Get an application",
        parameters=[ETAG_HEADER],
        tags=["applications"],
    ),
    create=extend_schema(summary="Create an application (staff)", tags=["applications"]),
    update=extend_schema(summary="Replace an application", parameters=[IF_MATCH], tags=["applications"]),
    partial_update=extend_schema(
        summary="Change an application", parameters=[IF_MATCH], tags=["applications"]
    ),
    destroy=extend_schema(
        summary="Delete an application, or preview what that does",
        parameters=[CASCADE, DRY_RUN, IF_MATCH],
        responses={200: s.DeletePlanSerializer},
        tags=["applications"],
    ),
)
class ApplicationViewSet(RevisionedMixin, viewsets.ModelViewSet):
    """Applications the caller is a member of (staff: all), by name, with their entities and members."""

    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilterSet
    filter_backends = [StrictFilterBackend]
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    queryset = Application.objects.all()

    def get_queryset(self):
        return access.visible_applications(self.request.user).select_related("created_by")

    def attach(self, objects) -> None:
        attach_tags(objects)

    def get_object(self):
        name = self.kwargs[self.lookup_field]
        known = access.known_visible_applications(self.request.user)
        if self.action == "entities" and known is not None:  # its id is all the list needs
            obj = next((application for application in known if application.name == name), None)
        else:
            if self.action in ("retrieve", "update", "partial_update"):
                queryset = self.get_queryset()
            else:  # the sub-resources need the application only, not its labels
                queryset = access.visible_applications(self.request.user)
            obj = queryset.filter(name=name).first()
        if obj is None:
            raise exceptions.NotFound(f"Application '{name}' does not exist.")
        return obj

    def destroy(self, request, *args, **kwargs):
        application = self.get_object()
        if_match_revision(request, application)
        plan = app_services.application_delete(
            application=application,
            user=request.user,
            cascade=request.query_params.get("cascade", "delete"),
            dry_run=query_flag(request, "dry_run"),
        )
        return Response(s.DeletePlanSerializer(plan.as_dict()).data)

    @extend_schema(
        summary="List the entities of an application, every kind in one list",
        parameters=[p for p in ALL_ENTITIES_PARAMETERS if p.name not in {"application", "unassigned"}],
        responses=ENTITY_POLYMORPHIC,
        tags=["applications"],
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=EntitySerializer)
    def entities(self, request, name=None):
        return entity_page(self, application=self.get_object())

    @extend_schema(
        methods=["GET"],
        summary="List an application's members",
        responses=s.MembershipSerializer(many=True),
        tags=["applications"],
    )
    @extend_schema(
        methods=["POST"],
        summary="Give a user or a group a role (application admins)",
        request=s.MembershipSerializer,
        responses={200: s.MembershipSerializer, 201: s.MembershipSerializer},
        tags=["applications"],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=None,
        serializer_class=s.MembershipSerializer,
    )
    def members(self, request, name=None):
        application = self.get_object()
        if request.method == "GET":
            memberships = application.memberships.select_related("user", "group").order_by("role", "id")
            return Response(s.MembershipSerializer(memberships, many=True).data)
        serializer = s.MembershipSerializer(
            data=request.data, context={"request": request, "application": application}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = Membership.objects.filter(
            application=application, user=data.get("user"), group=data.get("group")
        ).exists()
        membership = serializer.save()
        return Response(
            s.MembershipSerializer(membership).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    def _membership(self, application, member_id):
        membership = application.memberships.select_related("user", "group").filter(pk=member_id).first()
        if membership is None:
            raise exceptions.NotFound(f"Application '{application.name}' has no member {member_id}.")
        return membership

    @extend_schema(
        methods=["PATCH"],
        summary="Change a member's role (application admins)",
        request=s.MembershipRoleSerializer,
        responses=s.MembershipSerializer,
        tags=["applications"],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove a member (application admins)",
        responses={204: None},
        tags=["applications"],
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"members/(?P<member_id>[0-9]+)",
        filter_backends=[],
        pagination_class=None,
        serializer_class=s.MembershipSerializer,
    )
    def member(self, request, name=None, member_id=None):
        application = self.get_object()
        membership = self._membership(application, member_id)
        if request.method == "DELETE":
            app_services.membership_delete(membership=membership, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = s.MembershipRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = app_services.membership_set(
            application=application,
            user=request.user,
            role=serializer.validated_data["role"],
            member_user=membership.user,
            member_group=membership.group,
        )
        return Response(s.MembershipSerializer(membership).data)


# --- tokens -------------------------------------------------------------------------------------

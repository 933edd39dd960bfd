"""/api/v1/events/: emit an event (POST) and read the event log (GET).

POST takes a CloudEvent in any form `entities.events.parsing` reads (structured JSON, binary `ce-*`
headers, Dispatch 0.1 names) into `?application=` (or the caller's only application) and answers
202 with the stored event and the runs its delivery started. GET lists the events the caller may
see, newest first, filtered by `application`, `type` and `since`.
"""

from django.core.exceptions import RequestDataTooBig
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from ..events import parsing, services
from ..events.filtersets import EventFilterSet
from ..events.selectors import events_for
from ..models import Event, FunctionRun


class RawParser(BaseParser):
    """Any body: the view reads the raw bytes, since the CloudEvents package parses them."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return None


class EventRunSerializer(serializers.ModelSerializer):
    function = serializers.CharField(source="function_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = FunctionRun
        fields = ["name", "function", "status", "url"]

    def get_url(self, run) -> str:
        return f"{self.context['runs_prefix']}{run.name}/"


class EventSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.name", default=None)
    emitted_by = serializers.CharField(source="emitted_by.username", default=None)
    driver = serializers.CharField(source="driver.name", default=None)
    runs = EventRunSerializer(many=True)

    class Meta:
        model = Event
        fields = [
            "uid", "application", "topic", "type", "id", "source", "specversion", "time", "subject",
            "datacontenttype", "attributes", "data", "received", "emitted_by", "driver", "runs",
        ]  # fmt: skip


APPLICATION = OpenApiParameter(
    "application", OpenApiTypes.STR, description="The application to emit into (default: your only one)."
)


class EventListView(generics.ListAPIView):
    """The event log, and the place to emit events."""

    serializer_class = EventSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilterSet
    parser_classes = [RawParser]
    queryset = Event.objects.none()  # for the schema; get_queryset narrows it

    def get_queryset(self):
        return events_for(self.request.user)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "runs_prefix": self.request.build_absolute_uri("/api/v1/runs/"),
        }

    @extend_schema(
        summary="Emit an event",
        parameters=[APPLICATION],
        request={
            "application/cloudevents+json": OpenApiTypes.OBJECT,
            "application/json": OpenApiTypes.OBJECT,
        },
        responses={
            202: EventSerializer,
            404: OpenApiResponse(
                description="The `application` named does not exist, or the caller may not see it."
            ),
        },
        tags=["events"],
    )
    def post(self, request, *args, **kwargs):
        try:
            body = request.body
        except RequestDataTooBig:
            raise exceptions.ValidationError(
                {"data": ["The body is too large; an event carries at most a few megabytes."]}
            ) from None
        application = services.resolve_application(
            user=request.user, name=request.query_params.get("application")
        )
        event = parsing.read(headers=dict(request.headers), body=body)
        stored = services.emit(user=request.user, application=application, event=event)
        stored = events_for(request.user).get(pk=stored.pk)
        return Response(self.get_serializer(stored).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="List events", tags=["events"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

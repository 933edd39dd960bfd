"""GET /api/v1/applications/{name}/metrics/: the series of the application's dashboard, as JSON."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from applications import access, metrics

PARAMETERS = [
    OpenApiParameter(
        "since", OpenApiTypes.DATETIME, description="Start (ISO 8601); default: `range` before until."
    ),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="End (ISO 8601); default: now."),
    OpenApiParameter(
        "range", OpenApiTypes.STR, enum=list(metrics.RANGES), description="1h (default), 24h or 7d."
    ),
    OpenApiParameter(
        "step", OpenApiTypes.STR, enum=list(metrics.STEPS), description="Bucket size; default by span."
    ),
    OpenApiParameter("function", OpenApiTypes.STR, description="Only the runs of this function (by name)."),
]


class ApplicationMetricsView(APIView):
    """Runs per step, error rate by error type, duration percentiles, events in and runs caused by
    events, slowest and most failing functions, recent failures and the use of each quota, for an
    application the caller may see."""

    @extend_schema(
        summary="Metrics of an application's runs", parameters=PARAMETERS, responses=OpenApiTypes.OBJECT
    )
    def get(self, request, name):
        application = access.visible_applications(request.user).filter(name=name).first()
        if application is None:
            raise exceptions.NotFound(f"Application '{name}' does not exist.")
        window = metrics.parse_window(request.query_params)
        function = (request.query_params.get("function") or "").strip() or None
        return Response(
            metrics.application_metrics(application=application, window=window, function=function)
        )

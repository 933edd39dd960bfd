"""Starting runs: POST /api/v1/functions/{name}/runs/ and POST /api/v1/runs/ {"function": name}.

A blocking run (the default) answers when it is finished: 200, or 422 when the input failed (an
InputError), 502 when the function failed, 503 when the platform did. An async run answers 202 at
once with the run INITIALIZED and its URL in `Location`; a worker executes it. Reading runs is the
generic runs resource (and GET on the function's runs/), behind the same access gate.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from applications import access
from dispatch_site.errors import STATUS_OF_RUN_ERROR
from entities import models as m
from entities.kinds import get_kind
from entities.runs import services as run_services
from entities.runs.selectors import runnable

from . import serializers as s
from .views import EntityViewSet


class RunStartSerializer(s.StrictFieldsMixin, serializers.Serializer):
    resource_label = "a run"

    function = serializers.CharField(required=False, help_text="The function's name (POST /runs/ only).")
    input = serializers.JSONField(required=False, allow_null=True, help_text="The handler's payload.")
    blocking = serializers.BooleanField(
        required=False, default=True, help_text="Wait for the run to finish (default) or answer 202 at once."
    )
    secrets = serializers.ListField(
        child=serializers.CharField(max_length=63),
        required=False,
        default=list,
        help_text="Names of secrets given to this run beside the function's own.",
    )


RUN_RESPONSES = {
    200: s.FunctionRunSerializer,
    202: OpenApiResponse(s.FunctionRunSerializer, description="Async: the run, INITIALIZED."),
    422: OpenApiResponse(s.FunctionRunSerializer, description="The run, ended by an InputError."),
    502: OpenApiResponse(s.FunctionRunSerializer, description="The run, ended by a FunctionError."),
    503: OpenApiResponse(s.FunctionRunSerializer, description="The run, ended by a SystemError."),
}


def http_context(request) -> dict:
    """What `context.httpContext` holds for a run started through the API (no credentials)."""
    return {"method": request.method, "path": request.path, "user": request.user.get_username()}


RunsBase = EntityViewSet.for_kind(get_kind("run"))


@extend_schema_view(
    create=extend_schema(
        summary="Run a function", request=RunStartSerializer, responses=RUN_RESPONSES, tags=["runs"]
    )
)
class RunViewSet(RunsBase):
    """Function runs, looked up by id; POST starts one (`function` names it)."""

    http_method_names = ["get", "post", "delete", "head", "options"]

    def function(self, data):
        """The function named in the body, among those the caller may see: a 400 otherwise."""
        name = data.get("function")
        if not name:
            raise exceptions.ValidationError({"function": ["Name the function to run."]})
        function = runnable(access.visible_entities(m.Function, self.request.user)).filter(name=name).first()
        if function is None:
            raise exceptions.ValidationError({"function": [f"Function '{name}' does not exist."]})
        return function

    def create(self, request, *args, **kwargs):
        start = RunStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        data = start.validated_data
        run = run_services.start_run(
            user=request.user,
            function=self.function(data),
            input=data.get("input"),
            blocking=data["blocking"],
            secrets=data["secrets"],
            http_context=http_context(request),
        )
        # Answered as made, not read back: the service filled its applications and labels, its function
        # is the one the caller just ran through the gate (visible), its creator is the caller.
        visible = {run.function_id: run.function.name}
        context = {**self.get_serializer_context(), "detail": True, "visible_functions": visible}
        body = self.get_serializer(run, context=context).data
        if not run.blocking:
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
        return Response(body, status=STATUS_OF_RUN_ERROR.get(run.error_type, status.HTTP_200_OK))


@extend_schema_view(
    list=extend_schema(summary="List a function's runs", tags=["runs"]),
    create=extend_schema(
        summary="Run the function", request=RunStartSerializer, responses=RUN_RESPONSES, tags=["runs"]
    ),
)
class FunctionRunsViewSet(RunViewSet):
    """The runs of one function (GET) and a new one (POST), at /functions/{name}/runs/."""

    http_method_names = ["get", "post", "head", "options"]

    def the_function(self):
        """The function in the URL (and in ?application=X when given), else a 404."""
        name = self.kwargs["function"]
        functions = runnable(access.visible_entities(m.Function, self.request.user)).filter(name=name)
        application = self.request.query_params.get("application")
        if application:  # as for any entity's ?application=: one the caller may see
            in_it = access.in_application_named(m.Function, self.request.user, application)
            functions = functions.filter(in_it)
        function = functions.first()
        if function is None:
            where = f" in application '{application}'" if application else ""
            raise exceptions.NotFound(f"Function '{name}' does not exist{where}.")
        return function

    def function(self, data):
        if data.get("function") not in (None, self.kwargs["function"]):
            raise exceptions.ValidationError({"function": ["The URL names the function; leave it out."]})
        return self.the_function()

    def get_queryset(self):
        return super().get_queryset().filter(function=self.the_function())

    def items_count(self) -> None:
        return None  # the function narrows the list: its application's items count more

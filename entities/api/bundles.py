"""Bundles over HTTP: `POST|DELETE /api/v1/bundles/` and `GET /api/v1/applications/{name}/export/`.

Thin views over entities.bundles, which holds the rules (all or nothing, dry run, secret values for
admins only). A bundle is sent as YAML (`Content-Type: application/yaml`, as the `dispatch` CLI does)
or as a JSON list of documents; the export answers YAML unless JSON is asked for
(`Accept: application/json` or `?format=json`). Errors are JSON in the API's one shape, with the
failing document's position, kind and name.
"""

from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import parsers, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from entities import bundles

from .parsers import JSONParser, query_flag, read_body


class YAMLParser(parsers.BaseParser):
    """The request body as text; entities.bundles parses it, so its errors name the document."""

    media_type = "application/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        data = read_body(stream)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise bundles.BundleError("The bundle is not UTF-8 text; save the file as UTF-8.") from None


class XYAMLParser(YAMLParser):
    media_type = "application/x-yaml"


class TextYAMLParser(YAMLParser):
    media_type = "text/yaml"


class YAMLRenderer(renderers.BaseRenderer):
    """An export as multi-document YAML, the format it re-imports from."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return bundles.dump(data).encode("utf-8")


class BundleAPIView(APIView):
    """Token or session auth, signed-in users only (the API's defaults); bundle errors as JSON."""

    def handle_exception(self, exc):
        if isinstance(exc, bundles.BundleError):
            return Response(exc.as_dict(), status=exc.status)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(response, Response):
            # errors are JSON on every endpoint under /api/, whatever format the answer had
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


REPORT = OpenApiResponse(
    inline_serializer(
        "BundleReport",
        {
            "dry_run": serializers.BooleanField(),
            "counts": serializers.DictField(child=serializers.IntegerField(), help_text='{"created": 2, …}'),
            "results": inline_serializer(
                "BundleResult",
                {
                    "position": serializers.IntegerField(
                        help_text="The document's place in the file, from 1."
                    ),
                    "kind": serializers.CharField(help_text="As in the bundle: Function, Secret, …"),
                    "name": serializers.CharField(),
                    "action": serializers.ChoiceField(choices=bundles.ACTIONS),
                },
                many=True,
            ),
        },
    ),
    description="What each document did, or would do in a dry run, in file order.",
)
ERROR = OpenApiResponse(
    inline_serializer(
        "BundleError",
        {
            "code": serializers.IntegerField(),
            "message": serializers.CharField(help_text="One sentence naming the document."),
            "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            "document": inline_serializer(
                "BundleErrorDocument",
                {
                    "position": serializers.IntegerField(),
                    "kind": serializers.CharField(),
                    "name": serializers.CharField(),
                },
                required=False,
            ),
        },
    ),
    description="Nothing was written.",
)
DRY_RUN = OpenApiParameter(
    "dry_run", bool, description="Report what each document would do (created, updated, …) and write nothing."
)


class BundleView(BundleAPIView):
    """Apply (POST) or delete (DELETE) a multi-document YAML bundle in Dispatch's format, all or nothing."""

    parser_classes = [YAMLParser, XYAMLParser, TextYAMLParser, JSONParser]

    def _bundle(self, request):
        data = request.data
        if isinstance(data, dict) and "documents" in data:
            data = data["documents"]
        if not isinstance(data, str | list):
            raise bundles.BundleError("Send the bundle as YAML text or a JSON list of documents.")
        return data

    @extend_schema(
        operation_id="bundles_apply",
        request={"application/yaml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        parameters=[
            DRY_RUN,
            OpenApiParameter(
                "application", str, description="Where documents without an Application tag go."
            ),
        ],
        responses={200: REPORT, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request):
        report = bundles.apply_bundle(
            user=request.user,
            bundle=self._bundle(request),
            application=request.query_params.get("application") or None,
            dry_run=query_flag(request, "dry_run"),
        )
        return Response(report.as_dict())

    @extend_schema(
        operation_id="bundles_delete",
        request={"application/yaml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        parameters=[DRY_RUN],
        responses={200: REPORT, 400: ERROR, 403: ERROR},
    )
    def delete(self, request):
        report = bundles.delete_bundle(
            user=request.user, bundle=self._bundle(request), dry_run=query_flag(request, "dry_run")
        )
        return Response(report.as_dict())


class ApplicationExportView(BundleAPIView):
    """An application and everything it manages as a bundle that re-imports to the same state."""

    renderer_classes = [YAMLRenderer, renderers.JSONRenderer]

    @extend_schema(
        operation_id="applications_export",
        parameters=[
            OpenApiParameter(
                "include_secret_values",
                bool,
                description="Include secret values in clear (the application's admins only).",
            ),
        ],
        responses={
            (200, "application/yaml"): OpenApiTypes.STR,
            # a list of documents, the JSON form of the YAML file
            (200, "application/json"): build_array_type(build_basic_type(OpenApiTypes.OBJECT)),
            (403, "application/json"): ERROR,
            (404, "application/json"): ERROR,
        },
    )
    def get(self, request, name: str):
        documents = bundles.export_application(
            user=request.user, name=name, include_secret_values=query_flag(request, "include_secret_values")
        )
        response = Response(documents)
        if isinstance(request.accepted_renderer, YAMLRenderer):
            response["Content-Disposition"] = f'inline; filename="{name}.yaml"'
        return response

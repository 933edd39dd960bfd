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
from rest_framework import exceptions, parsers, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from applications import access
from entities import bundles
from entities.kinds import get_kind

from .filters import ApplicationFilterSet
from .pagination import Pagination
from .parsers import JSONParser, query_flag, read_body
from .serializers import SecretSerializer, wants_reveal


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
    """Apply (POST) or delete (DELETE) a multi-document YAML bundle in Dispatch's format, all or nothing;
    read (GET) the documents of one kind, as `dispatch get … -o yaml` prints them."""

    parser_classes = [YAMLParser, XYAMLParser, TextYAMLParser, JSONParser]

    def _bundle(self, request):
        data = request.data
        if isinstance(data, dict) and "documents" in data:
            data = data["documents"]
        if not isinstance(data, str | list):
            raise bundles.BundleError("Send the bundle as YAML text or a JSON list of documents.")
        return data

    @extend_schema(
        operation_id="bundles_documents",
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                required=True,
                description="application, function, base-image, … (a name, plural or bundle kind).",
            ),
            OpenApiParameter(
                "reveal", bool, description="Secret values, for the developers of the secret's application."
            ),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    "BundleDocuments",
                    {
                        "count": serializers.IntegerField(),
                        "next": serializers.URLField(allow_null=True),
                        "previous": serializers.URLField(allow_null=True),
                        "results": serializers.ListField(child=serializers.DictField()),
                    },
                ),
                description="Documents in Dispatch's shape with id, status, reason, createdTime, "
                "modifiedTime and revision; the kind's list filters apply (application, name, …).",
            ),
            400: ERROR,
            403: ERROR,
        },
    )
    def get(self, request):
        """One kind's documents, filtered and paged like its list; the same shape bundles export."""
        word = request.query_params.get("kind", "")
        paginator = Pagination()
        if word.strip().lower() in ("application", "applications", "app", "apps"):
            filterset = ApplicationFilterSet(
                request.query_params, queryset=access.visible_applications(request.user), request=request
            )
            if not filterset.is_valid():
                raise exceptions.ValidationError(filterset.errors)
            page = paginator.paginate_queryset(filterset.qs.prefetch_related("tags"), request, view=self)
            return paginator.get_paginated_response(bundles.application_documents(page))
        try:
            kind = get_kind(word)
        except KeyError as exc:
            raise exceptions.ValidationError({"kind": [exc.args[0]]}) from None
        filterset = kind.filterset(
            request.query_params, queryset=bundles.document_queryset(kind, request.user), request=request
        )
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        revealable = set()
        if kind.holds_secret and wants_reveal(request):
            context = {"request": request, "detail": "name" in request.query_params and len(page) == 1}
            SecretSerializer.prepare(page, context)
            revealable = context.get("revealable", set())
        documents = bundles.documents_of(user=request.user, kind=kind, entities=page, revealable=revealable)
        return paginator.get_paginated_response(documents)

    @extend_schema(
        operation_id="bundles_apply",
        request={"application/yaml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        parameters=[
            DRY_RUN,
            OpenApiParameter(
                "application", str, description="Where documents without an Application tag go."
            ),
            OpenApiParameter(
                "must_exist",
                bool,
                description="Refuse (404) a document that names nothing instead of creating it "
                "(`dispatch update -f`).",
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
            must_exist=query_flag(request, "must_exist"),
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

"""The OpenAPI schema describes the real errors: every operation lists the error statuses it can
answer, each with the one error body (ErrorSerializer)."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..kinds import KINDS
from .serializers import ErrorSerializer, TagsField

# The shared FilterSets filter applications by name through a method, which the schema generator
# cannot type by itself: tell it the values are strings (names).
for _kind in KINDS:
    extend_schema_field(OpenApiTypes.STR)(_kind.filterset.base_filters["application"])

ERROR_DESCRIPTIONS = {
    "400": "Bad input: a malformed URL or JSON, wrong types, unknown fields or filters, broken rules; "
    "field errors in `errors`.",
    "401": "Not signed in, or the token is unknown or revoked.",
    "403": "Visible, but the caller's role does not allow this.",
    "404": "It does not exist, or the caller may not see it (the two look the same).",
    "409": "The `revision` sent is stale: read again and repeat the change.",
    "412": "The `If-Match` ETag is stale: read again and repeat the change.",
    "415": "The body is not JSON.",
    "429": "Too many attempts: wait and try again.",
}


class AutoSchema(BaseAutoSchema):
    def _error_codes(self) -> list[str]:
        from .views import RevisionedMixin

        method = self.method.upper()
        codes = ["401"] if self.get_auth() else []
        if getattr(self.view, "throttle_scope", None):
            codes.append("429")
        codes.append("400")  # any URL can be malformed (e.g. the NUL character); lists: bad filters
        if method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if self.get_auth() and method != "GET":
            codes.append("403")
        if "{" in self.path:
            codes.append("404")
        if method in ("PUT", "PATCH", "DELETE") and isinstance(self.view, RevisionedMixin):
            if getattr(self.view, "action", None) not in ("members", "member"):
                codes += ["409", "412"]
        if method == "DELETE":
            codes.append("400")  # e.g. still used by another entity
        return sorted(set(codes))

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, TagsField) and direction == "response":  # written in two forms, read in one
            return {
                "type": "array",
                "items": {"type": "string"},
                "description": "Free labels, e.g. role=test.",
            }
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _map_basic_serializer(self, serializer, direction):
        from .serializers import EntitySerializer

        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, EntitySerializer):
            # `kind` names the one kind, so that exactly one member of AnyEntity's oneOf matches;
            # `?fields=` may leave out anything but kind and name, so only those two are required.
            schema["properties"]["kind"] = {
                **schema["properties"]["kind"],
                "enum": [serializer.kind_record.name],
            }
            schema["required"] = [name for name in schema.get("required", []) if name in ("kind", "name")]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        declared = [code for code in responses if code >= "400"]
        for code in sorted(set(self._error_codes()) | set(declared)):
            # Whatever a view declares for an error status, its body is the one error shape.
            description = responses.get(code, {}).get("description") or ERROR_DESCRIPTIONS.get(code, "")
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = description
            responses[code] = response
        return responses

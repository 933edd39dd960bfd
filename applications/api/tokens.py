"""The API's sign-in and the caller's tokens: /api/v1/auth/token and /api/v1/auth/tokens/."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from applications import signin, tokens
from applications.models import APIToken

from . import serializers as s


class TokenView(APIView):
    """POST username and password, get a new token (shown once). Anyone may try; it is throttled."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        summary="Make a token from a username and password",
        request=s.TokenRequestSerializer,
        responses={
            201: s.NewTokenSerializer,
            401: OpenApiResponse(description="Wrong username or password."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        wait = signin.wait_seconds(request, data["username"])
        if wait:
            raise exceptions.Throttled(wait, detail=signin.refusal(wait))
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("Wrong username or password.")
        token, key = tokens.token_create(user=user, name=data["name"])
        body = s.NewTokenSerializer(token).data
        body["token"] = key
        return Response(body, status=status.HTTP_201_CREATED)

    def get_authenticate_header(self, request):
        return "Token"


@extend_schema_view(
    list=extend_schema(summary="List your tokens", tags=["auth"]),
    destroy=extend_schema(summary="Revoke one of your tokens", tags=["auth"]),
)
class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own tokens (never their keys), and revoking one."""

    serializer_class = s.TokenSerializer
    pagination_class = None
    filter_backends = []
    queryset = APIToken.objects.all()

    def get_queryset(self):
        return APIToken.objects.filter(user=self.request.user).order_by("-created", "-id")

    def perform_destroy(self, instance):
        tokens.token_revoke(token=instance, user=self.request.user)

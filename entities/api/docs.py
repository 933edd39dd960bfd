"""Swagger UI from local static files (drf-spectacular-sidecar): the docs work offline."""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SwaggerView(SpectacularSwaggerSplitView):
    """The docs page; a signed-out browser is sent to sign in rather than shown a JSON 401. Its start-up
    script is a separate request (`?script`), not inline, so the Content-Security-Policy allows it."""

    permission_classes = [AllowAny]  # checked below, to redirect instead

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)

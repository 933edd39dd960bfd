"""Root URLs: the admin now; the API, pages and health endpoint join as their issues land."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from applications import prometheus, signin
from entities.api import exceptions as api_errors
from entities.api.docs import SwaggerView
from entities.events import views as event_views
from entities.gateway import views as gateway


def health(request):
    """For load balancers and `make run`: answers without signing in and without the database."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/login/", signin.throttled(admin.site.login)),  # before the admin's own, to throttle it
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("metrics", prometheus.metrics_view, name="prometheus-metrics"),
    path("api/v1/", include("entities.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("events/in/<str:token>/", event_views.webhook, name="event-webhook"),
    re_path(r"^gateway/(?P<application>[^/]+)/(?P<uri>.*)$", gateway.by_application, name="gateway"),
    path("", include("applications.pages.urls")),
]

# Under /api/ these answer JSON ({"code", "message", "errors"}); elsewhere the HTML view given to
# each, Django's default until the pages pass their own, e.g. api_or_html_404(pages.views.not_found).
handler400 = api_errors.api_or_html_400()
handler403 = api_errors.api_or_html_403()
handler404 = api_errors.api_or_html_404()
handler500 = api_errors.api_or_html_500()

"""/api/v1/: one resource per kind, generated from KINDS, plus applications, entities/ and auth.

To add endpoints, register a viewset on `router` or append to `urlpatterns` below; the names live
in the "api" namespace (e.g. reverse("api:function-detail", args=["hello"])).
"""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from applications.api import applications, tokens
from applications.api.metrics import ApplicationMetricsView

from ..kinds import KINDS
from . import bundles, events, runs, views

app_name = "api"


class Router(DefaultRouter):
    """DRF's router; its root view lists every resource and the extra lists below."""

    include_format_suffixes = False


router = Router()
router.register("applications", applications.ApplicationViewSet, basename="application")
for kind in KINDS:
    viewset = runs.RunViewSet if kind.read_only else views.EntityViewSet.for_kind(kind)
    router.register(kind.plural, viewset, basename=kind.name)
router.register("auth/tokens", tokens.TokenViewSet, basename="token")

urlpatterns = [
    path("entities/", views.EntityListView.as_view(), name="entity-list"),
    re_path(r"^auth/token/?$", tokens.TokenView.as_view(), name="auth-token"),
    path("bundles/", bundles.BundleView.as_view(), name="bundles"),
    path("events/", events.EventListView.as_view(), name="event-list"),
    path(
        "functions/<str:function>/runs/",
        runs.FunctionRunsViewSet.as_view({"get": "list", "post": "create"}),
        name="function-runs",
    ),
    path(
        "applications/<str:name>/export/", bundles.ApplicationExportView.as_view(), name="application-export"
    ),
    path("applications/<str:name>/metrics/", ApplicationMetricsView.as_view(), name="application-metrics"),
    *router.urls,
]

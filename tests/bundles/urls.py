"""The bundle routes alone, so these tests do not depend on the rest of the API while it is built."""

from django.urls import path

from entities.api.bundles import ApplicationExportView, BundleView

urlpatterns = [
    path("api/v1/bundles/", BundleView.as_view()),
    path("api/v1/applications/<str:name>/export/", ApplicationExportView.as_view()),
]

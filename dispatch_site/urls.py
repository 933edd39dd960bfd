"""Root URLs: the admin now; the API, pages and health endpoint join as their issues land."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import path
from django.views.generic import RedirectView


def health(request):
    """For load balancers and `make run`: answers without signing in and without the database."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
]

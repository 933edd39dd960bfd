"""The developers' pages, under the namespace `pages`: home, sign in/out, profile, the switcher,
applications, and every kind's pages (generated from the registry in entities/pages/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from applications import signin
from entities.events.pages import application_events

from . import dashboard, views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        signin.throttled(
            auth_views.LoginView.as_view(template_name="pages/login.html", redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("switch/", views.switch_application, name="switch"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<str:name>/", views.application_detail, name="application-detail"),
    path("applications/<str:name>/edit/", views.application_edit, name="application-edit"),
    path("applications/<str:name>/delete/", views.application_delete, name="application-delete"),
    path("applications/<str:name>/members/", views.application_members, name="application-members"),
    path("applications/<str:name>/dashboard/", dashboard.application_dashboard, name="application-dashboard"),
    path("applications/<str:name>/events/", application_events, name="application-events"),
    path("", include("entities.pages.urls")),
]

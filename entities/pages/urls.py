"""Page URLs of every kind, generated from the registry: /functions/, /functions/new/,
/functions/hello/, /functions/hello/edit/, /functions/hello/delete/. Read-only kinds (runs) get
only the list and detail pages."""

from django.urls import path

from entities.kinds import KINDS, get_kind

from .everything import AllEntitiesView
from .generic import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView, form_class
from .runs import FunctionRunView, RunView


def kind_urls(kind):
    plural = kind.plural
    urls = [path(f"{plural}/", ObjectListView.as_view(kind=kind), name=f"{plural}-list")]
    if form_class(kind) is not None:
        urls.append(path(f"{plural}/new/", ObjectEditView.as_view(kind=kind), name=f"{plural}-create"))
    detail = RunView if kind.read_only else ObjectView
    urls.append(path(f"{plural}/<str:name>/", detail.as_view(kind=kind), name=f"{plural}-detail"))
    if form_class(kind) is not None:
        urls += [
            path(f"{plural}/<str:name>/edit/", ObjectEditView.as_view(kind=kind), name=f"{plural}-edit"),
            path(
                f"{plural}/<str:name>/delete/", ObjectDeleteView.as_view(kind=kind), name=f"{plural}-delete"
            ),
        ]
    return urls


run_function = FunctionRunView.as_view(kind=get_kind("function"))
urlpatterns = [url for kind in KINDS for url in kind_urls(kind)] + [
    path("functions/<str:name>/run/", run_function, name="functions-run"),
    path("entities/", AllEntitiesView.as_view(), name="entities-list"),
]

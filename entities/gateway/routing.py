"""Which API answers a gateway request: by application and URI, or by Host and URI.

Only enabled APIs answer. The application is looked up without the access gate, since a public API
answers anyone; whether the caller may use a non-public one is decided by views.py, which answers a
refusal exactly like a missing API.
"""

from django.db.models import Exists

from applications import access
from applications.models import Application

from ..models import API


def normalize(uri: str) -> str:
    return "/" + uri.strip("/")


def _answers(api: API, uri: str, method: str) -> bool:
    methods = {m.upper() for m in api.methods or []}
    return normalize(uri) in {normalize(u) for u in api.uris or []} and (not methods or method in methods)


def _match(apis, uri: str, method: str) -> API | None:
    return next((api for api in apis if _answers(api, uri, method)), None)


def _enabled_apis():
    return API.objects.filter(enabled=True).select_related("function").order_by("name")


def api_in_application(application_name: str, uri: str, method: str) -> tuple[API | None, Application | None]:
    """The enabled API of the application that answers METHOD uri (two queries)."""
    application = Application.objects.filter(name=application_name).first()
    if application is None:
        return None, None
    apis = _enabled_apis().filter(Exists(access.application_items(API).filter(tag=application)))
    return _match(apis, uri, method), application


def allowed_methods(application: Application, uri: str) -> list[str]:
    """Every method some enabled API of the application answers at uri (for CORS preflights)."""
    apis = _enabled_apis().filter(Exists(access.application_items(API).filter(tag=application)))
    found = set()
    for api in apis:
        if normalize(uri) in {normalize(u) for u in api.uris or []}:
            found |= {m.upper() for m in api.methods or []}
    return sorted(found)


def api_for_host(host: str, uri: str, method: str) -> tuple[API | None, Application | None]:
    """The enabled API that names `host` and answers METHOD uri, with its application."""
    named = _enabled_apis().exclude(hosts=[]).prefetch_related("applications")
    candidates = [api for api in named if host in {str(h).lower() for h in api.hosts or []}]
    api = _match(candidates, uri, method)
    if api is None:
        return None, None
    applications = list(api.applications.all())
    return api, applications[0] if applications else None

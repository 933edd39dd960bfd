"""Which API answers a gateway request: by application and URI, or by Host and URI.

Only enabled APIs answer. The application is looked up without the access gate, since a public API
answers anyone; whether the caller may use a non-public one is decided by views.py, which answers a
refusal exactly like a missing API.
"""

import time

from django.db.models import Exists
from django.db.models.signals import post_delete, post_save

from applications import access
from applications.models import Application

from ..models import API

HOSTS_TTL = 10.0  # seconds a worker trusts its list of API hosts; saves of an API clear it at once
_hosts: dict = {"expires": 0.0, "hosts": frozenset()}


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


def hosts() -> frozenset:
    """Every host some enabled API names, cached for HOSTS_TTL seconds per process."""
    if _hosts["expires"] < time.monotonic():
        names = set()
        for host_list in API.objects.filter(enabled=True).exclude(hosts=[]).values_list("hosts", flat=True):
            names |= {str(h).lower() for h in host_list or []}
        _hosts.update(hosts=frozenset(names), expires=time.monotonic() + HOSTS_TTL)
    return _hosts["hosts"]


def forget_hosts(**kwargs) -> None:
    _hosts["expires"] = 0.0


post_save.connect(forget_hosts, sender=API, dispatch_uid="gateway-hosts-save")
post_delete.connect(forget_hosts, sender=API, dispatch_uid="gateway-hosts-delete")


def api_for_host(host: str, uri: str, method: str) -> tuple[API | None, Application | None]:
    """The enabled API that names `host` and answers METHOD uri, with its application."""
    named = _enabled_apis().exclude(hosts=[]).prefetch_related("applications")
    candidates = [api for api in named if host in {str(h).lower() for h in api.hosts or []}]
    api = _match(candidates, uri, method)
    if api is None:
        return None, None
    applications = list(api.applications.all())
    return api, applications[0] if applications else None

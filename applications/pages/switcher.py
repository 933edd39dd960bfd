"""The application switcher: the current application lives in the session and filters every list.

"All applications" is stored as no application. A name the user may no longer see (membership
removed, application deleted) counts as "All applications" rather than an error.
"""

from django.utils.functional import cached_property

from applications import access
from applications.models import Application

SESSION_KEY = "dispatch_application"
_CACHE = "_dispatch_current_application"


def current_application(request) -> Application | None:
    """The visible application chosen in the session, looked up once per request."""
    if not hasattr(request, _CACHE):
        name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        found = None
        if name and request.user.is_authenticated:
            found = access.visible_applications(request.user).filter(name=name).first()
        setattr(request, _CACHE, found)
    return getattr(request, _CACHE)


def set_current_application(request, application: Application | None) -> None:
    if application is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = application.name
    setattr(request, _CACHE, application)


class Navigation:
    """What the layout shows: the sections and the switcher. Lazy, so pages that do not draw the
    layout (the admin, the API) pay no query for it."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def sections(self) -> list[dict]:
        """Home, applications and one section per kind, with the one the user is in marked."""
        from entities.kinds import KINDS
        from entities.rules import upper_first

        links = [("/", "Home"), ("/applications/", "Applications")]
        links += [(f"/{kind.plural}/", upper_first(kind.label_plural)) for kind in KINDS]
        path = self.request.path
        return [
            {"url": url, "label": label, "current": path == url or (url != "/" and path.startswith(url))}
            for url, label in links
        ]

    @cached_property
    def applications(self):
        """Visible applications for the switcher, with the current one from the same query."""
        apps = list(access.visible_applications(self.request.user).only("id", "name").order_by("name"))
        name = self.request.session.get(SESSION_KEY) if hasattr(self.request, "session") else None
        if not hasattr(self.request, _CACHE):
            setattr(self.request, _CACHE, next((a for a in apps if a.name == name), None))
        return apps

    @cached_property
    def current(self):
        return current_application(self.request)


def navigation(request):
    """Context processor: `nav` for templates/base.html."""
    return {"nav": Navigation(request)}

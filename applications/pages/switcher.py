"""The application switcher: the current application lives in the session and filters every list.

"All applications" is stored as no application. A name the user may no longer see (membership
removed, application deleted) counts as "All applications" rather than an error.
"""

from django.db.models import Q
from django.utils.functional import cached_property

from applications import access
from applications.models import Application

SESSION_KEY = "dispatch_application"
_CURRENT = "_dispatch_current_application"
_VISIBLE = "_dispatch_visible_applications"


def visible_applications(request) -> list[Application]:
    """The applications the switcher offers (id and name, and `develops`: whether the user is a
    developer or admin of it), loaded once per request. The list filter's choices and check and
    "may create" read it too, so a page asks the memberships once: a member's come with the user
    (`access.known_visible_applications`), staff's in one query."""
    if not hasattr(request, _VISIBLE):
        apps = []
        if request.user.is_authenticated:
            developer_of = access.developer_application_ids(request.user)
            apps = access.known_visible_applications(request.user)
            if apps is None:
                apps = list(
                    access.visible_applications(request.user)
                    .only("id", "name")
                    .annotate(develops=Q(id__in=developer_of))
                    .order_by("name")
                )
            else:
                for app in apps:
                    app.develops = app.pk in developer_of
        setattr(request, _VISIBLE, apps)
    return getattr(request, _VISIBLE)


def develops_somewhere(request) -> bool:
    """A developer or admin of at least one application: who may be offered to create an entity in
    one (the form then lists only those: `access.developer_application_ids`). Read from the switcher's
    list, since every application the user has a role in is one they see."""
    return any(app.develops for app in visible_applications(request))


def current_application(request) -> Application | None:
    """The visible application chosen in the session; found in the switcher's list, so the layout
    and the page share one query."""
    if not hasattr(request, _CURRENT):
        name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        found = None
        if name:
            found = next((app for app in visible_applications(request) if app.name == name), None)
        setattr(request, _CURRENT, found)
    return getattr(request, _CURRENT)


def set_current_application(request, application: Application | None) -> None:
    if application is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = application.name
    setattr(request, _CURRENT, application)


class Navigation:
    """What the layout shows: the sections and the switcher. Lazy, so pages that do not draw the
    layout (the admin, the API) pay no query for it."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def sections(self) -> list[dict]:
        """Home, applications, all entities and one section per kind, with the one the user is in marked."""
        from entities.kinds import KINDS
        from entities.rules import upper_first

        links = [("/", "Home"), ("/applications/", "Applications"), ("/entities/", "All entities")]
        links += [(f"/{kind.plural}/", upper_first(kind.label_plural)) for kind in KINDS]
        path = self.request.path
        return [
            {"url": url, "label": label, "current": path == url or (url != "/" and path.startswith(url))}
            for url, label in links
        ]

    @property
    def applications(self):
        return visible_applications(self.request)

    @property
    def current(self):
        return current_application(self.request)


def navigation(request):
    """Context processor: `nav` for templates/base.html."""
    return {"nav": Navigation(request)}

"""Links from a page to the same thing on the other surfaces: its API resource for everyone who sees
the page (the API answers them the same), and its admin change page for staff who may open it."""

from django.urls import reverse

from applications import access


def other_surfaces(user, obj, *, api_basename: str) -> list[tuple[str, str]]:
    """(label, URL) of the object's API resource and, for staff, of its admin change page."""
    links = [("API resource", reverse(f"api:{api_basename}-detail", args=[obj.name]))]
    if access.may_use_admin(user, type(obj)):
        meta = obj._meta
        links.append(("Admin", reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])))
    return links

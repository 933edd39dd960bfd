"""A status reads the same on every page, as the API writes it (READY, ERROR): in the badges of the
lists, detail, run, home and application pages, and in the choices of the filters and the application
form, whose labels would otherwise be the model's "Ready"."""

from django.utils.html import format_html

from applications.models import Status

CHOICES = [(value, value) for value in Status.values]


def badge(value: str) -> str:
    """The badge of a status in a table cell; templates include pages/_status.html, the same markup."""
    return format_html('<span class="status status-{}">{}</span>', value.lower(), value)

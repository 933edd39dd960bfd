"""A status's badge, the same on every page: the lists, detail, run, home and application pages (its
label is the value the API writes, READY; see applications.models.Status)."""

from entities.pages.markup import format_html


def badge(value: str) -> str:
    """The badge of a status in a table cell; templates include pages/_status.html, the same markup."""
    return format_html('<span class="status status-{}">{}</span>', value.lower(), value)

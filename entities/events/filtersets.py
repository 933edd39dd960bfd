"""The event log's filters, shared by the API and the application's events page."""

import django_filters

from entities.filtersets import UTCDateTimeFilter, _visible_applications


class EventFilterSet(django_filters.FilterSet):
    """application, type and since; the application filter offers only visible applications, so a
    hidden one is refused exactly like a missing one."""

    application = django_filters.ModelChoiceFilter(
        label="Application",
        to_field_name="name",
        queryset=_visible_applications,
        help_text="Application name.",
    )
    type = django_filters.CharFilter(label="Type", help_text="Exact event type, e.g. build.failed.")
    since = UTCDateTimeFilter(field_name="received", lookup_expr="gte", label="Since")

    class Meta:
        fields: list[str] = []

"""FilterSets shared by the REST API and the pages, one per kind (`FunctionFilterSet`, …), found as
`kind.filterset`. EntityFilterSet adds a filter by name per reference of the kind (`?image=`,
`?secret=`); a kind has a class of its own below only for its other filters and search fields.

Every filter works on a queryset the access gate already narrowed, and the application filter only
offers applications the user may see, so no filter can reveal what a user may not see. Filters by
application use EXISTS on the through table: no join, no DISTINCT.
"""

import datetime

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import capfirst

from applications import access
from applications.models import Status
from dispatch_site.parsing import ParseError, parse_flag
from entities import models as m
from entities.kinds import kind_of, surface


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time, converted to UTC: PostgreSQL refuses offsets beyond ±15:59, which
    Python accepts (e.g. +20:21), and a date that leaves years 1-9999 in UTC is bad input, not a 500."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("Give a date and time between the years 1 and 9999.") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class FlagField(forms.NullBooleanField):
    """Yes, no or any: empty is any; true/false, 1/0, yes/no as every flag of every surface
    (dispatch_site.parsing.parse_flag); anything else, `ture`, is an error rather than "any"."""

    widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        try:
            return parse_flag(str(value), name=str(self.label or "The flag"))
        except ParseError as exc:
            # the value goes in as a parameter: a '%' in it must not be read as a format
            raise ValidationError("%(reason)s", code="invalid", params={"reason": str(exc)}) from None

    def validate(self, value):
        pass


class FlagFilter(django_filters.BooleanFilter):
    field_class = FlagField


def _visible_applications(request):
    return access.visible_applications(getattr(request, "user", None) or AnonymousUser())


class ApplicationsField(django_filters.fields.ModelMultipleChoiceField):
    """The application filter's field. A page hands it the applications the switcher already read for
    the request (the same gate: `visible_applications`), so checking the names asked for and drawing
    the choices cost no query; without them (the API) it asks its queryset, as Django's field does."""

    known: list | None = None

    def use_known(self, applications: list) -> None:
        self.known = applications
        self.widget.choices = self.choices

    def _check_values(self, value):
        if self.known is None:
            return super()._check_values(value)
        try:
            names = frozenset(value)
        except TypeError:
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        by_name = {application.name: application for application in self.known}
        for name in names:
            self.validate_no_null_characters(name)
            if str(name) not in by_name:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": name}
                )
        return [by_name[str(name)] for name in names]

    def _get_choices(self):
        if self.known is None:
            return super()._get_choices()
        return [(application.name, self.label_from_instance(application)) for application in self.known]

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class ApplicationsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ApplicationsField


def given(value) -> bool:
    """Whether a cleaned filter value asks for something; applications are a queryset, asked whether it
    is empty without being read."""
    if isinstance(value, QuerySet):
        return not value.query.is_empty()
    return bool(value) or value is False


class EntityFilterSet(django_filters.FilterSet):
    """The filters every kind has: application, tag, status, name, search, created range, ordering."""

    search_fields: tuple[str, ...] = ("name",)

    application = ApplicationsFilter(
        label="Application",
        to_field_name="name",
        queryset=_visible_applications,
        method="filter_application",
        help_text="Application name; repeat for any of several. Empty: unassigned entities.",
    )
    unassigned = FlagFilter(
        label="Unassigned", method="filter_unassigned", help_text="true: only entities in no application."
    )
    tag = django_filters.CharFilter(
        label="Tag", method="filter_tag", help_text="A free label, e.g. role=test."
    )
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label="Status")
    name = django_filters.CharFilter(field_name="name", label="Name", help_text="Exact name.")
    search = django_filters.CharFilter(label="Search", method="filter_search", help_text="Part of the name.")
    created_after = UTCDateTimeFilter(field_name="created", lookup_expr="gte", label="Created after")
    created_before = UTCDateTimeFilter(field_name="created", lookup_expr="lt", label="Created before")
    ordering = django_filters.OrderingFilter(
        fields=("name", "status", "created", "modified"), help_text="name, -created, …"
    )

    class Meta:
        fields: list[str] = []

    def __init_subclass__(cls, **kwargs):
        """A filter by name per reference of the kind."""
        super().__init_subclass__(**kwargs)
        if not hasattr(cls.Meta, "model"):
            return  # the API's all-entities filters: no kind of their own
        references = {}
        for ref in kind_of(cls.Meta.model).references:
            name = ref.kind if ref.many else ref.field  # `?secret=` for a function's secrets
            label = capfirst(name.replace("_", " ").replace("-", " "))
            references[name] = django_filters.CharFilter(field_name=f"{ref.field}__name", label=label)
        # The shared filters first, then references, then the kind's own (which win: runs' function).
        cls.declared_filters = {**EntityFilterSet.declared_filters, **references, **cls.declared_filters}

    def _items(self):
        return access.application_items(self.queryset.model)

    def filter_application(self, queryset, name, applications):
        if not applications or [a.pk for a in applications] == [self.narrowed_to]:
            return queryset  # nothing asked, or what the queryset already holds alone
        return queryset.filter(Exists(self._items().filter(tag__in=[a.pk for a in applications])))

    def filter_unassigned(self, queryset, name, value):
        if value is None:
            return queryset
        exists = Exists(self._items())
        return queryset.filter(~exists if value else exists)

    def filter_tag(self, queryset, name, value):
        content_type = ContentType.objects.get_for_model(queryset.model)
        labels = m.LabelItem.objects.filter(
            content_type=content_type, object_id=OuterRef("pk"), tag__name=value
        )
        return queryset.filter(Exists(labels))

    def filter_search(self, queryset, name, value):
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    def __init__(self, data=None, *args, narrowed_to: int | None = None, **kwargs):
        # The id of the application the queryset was read by (`entities_in_application`), whose
        # filter would only repeat it.
        self.narrowed_to = narrowed_to
        # `application=` with only empty values asks for unassigned entities, as in the design.
        self.blank_application = False
        if data is not None and hasattr(data, "getlist") and "application" in data:
            values = [v for v in data.getlist("application") if v.strip()]
            if not values:
                data = data.copy()
                data.pop("application")
                self.blank_application = True
        super().__init__(data, *args, **kwargs)

    @property
    def form(self):
        """The filters' form; the application filter checks names against the applications read with
        the user when there are (`access.known_visible_applications`), so it asks no query."""
        if not hasattr(self, "_form"):
            form = super().form
            known = access.known_visible_applications(getattr(self.request, "user", None) or AnonymousUser())
            if known is not None and "application" in form.fields:
                form.fields["application"].use_known(known)
        return self._form

    def filter_queryset(self, queryset):
        if self.blank_application:
            queryset = queryset.filter(~Exists(self._items()))
        return super().filter_queryset(queryset)

    def asks_only_its_application(self) -> bool:
        """Whether the application the queryset was read by (`narrowed_to`) is all the (valid) filters
        ask: the list is then every entity of the kind in that application."""
        if self.narrowed_to is None or self.blank_application:
            return False
        cleaned = self.form.cleaned_data
        others = [cleaned[name] for name in cleaned if name not in ("application", "ordering")]
        return not any(given(value) for value in others)


class BaseImageFilterSet(EntityFilterSet):
    search_fields = ("name", "docker_url")
    language = django_filters.ChoiceFilter(choices=m.Language.choices)

    class Meta(EntityFilterSet.Meta):
        model = m.BaseImage


class ImageFilterSet(EntityFilterSet):
    search_fields = ("name", "docker_url")
    language = django_filters.ChoiceFilter(choices=m.Language.choices)

    class Meta(EntityFilterSet.Meta):
        model = m.Image


class FunctionFilterSet(EntityFilterSet):
    search_fields = ("name", "handler")

    class Meta(EntityFilterSet.Meta):
        model = m.Function


class APIFilterSet(EntityFilterSet):
    authentication = django_filters.ChoiceFilter(choices=m.Authentication.choices)
    enabled = FlagFilter(label="Enabled")

    class Meta(EntityFilterSet.Meta):
        model = m.API


class EventDriverTypeFilterSet(EntityFilterSet):
    search_fields = ("name", "image")

    class Meta(EntityFilterSet.Meta):
        model = m.EventDriverType


class SubscriptionFilterSet(EntityFilterSet):
    search_fields = ("name", "event_type")
    event_type = django_filters.CharFilter(label="Event type")

    class Meta(EntityFilterSet.Meta):
        model = m.Subscription


class FunctionRunFilterSet(EntityFilterSet):
    function = django_filters.CharFilter(field_name="function_name", label="Function")

    class Meta(EntityFilterSet.Meta):
        model = m.FunctionRun


FILTERSETS = surface(EntityFilterSet)

"""FilterSets of the API's own lists: applications, and every kind at once (`entities/`).

The per-kind FilterSets live in entities/filtersets.py and are shared with the pages.
"""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from taggit.models import TaggedItem

from applications.models import Application, Status
from entities.filtersets import EntityFilterSet, given
from entities.kinds import KINDS
from entities.rules import upper_first

ENTITY_ORDERING = ("name", "kind", "status", "created", "modified")


class AllEntitiesFilterSet(EntityFilterSet):
    """The filters every kind shares, plus `kind`. It filters one kind's queryset at a time.

    `kind` chooses which kinds take part and `ordering` orders the union of them; both are read
    from the cleaned data by the view, not applied per kind.
    """

    kind = django_filters.MultipleChoiceFilter(
        choices=[(kind.name, upper_first(kind.label)) for kind in KINDS],
        method="applied_by_the_view",
        label="Kind",
        help_text="A kind; repeat for several.",
    )
    ordering = django_filters.OrderingFilter(
        fields=ENTITY_ORDERING, method="applied_by_the_view", help_text="name, kind, -created, …"
    )

    def applied_by_the_view(self, queryset, name, value):
        return queryset

    def filter_kind_queryset(self, queryset):
        """Apply the filters to one kind's queryset (the form is validated once for all kinds)."""
        self.queryset = queryset
        return self.filter_queryset(queryset)

    def narrows(self) -> bool:
        """Whether a filter other than `kind` and `ordering` was given (`unassigned=false` too)."""
        cleaned = self.form.cleaned_data
        return self.blank_application or any(
            given(value) for name, value in cleaned.items() if name not in {"kind", "ordering"}
        )

    def selected_kinds(self, kinds):
        wanted = set(self.form.cleaned_data.get("kind") or ())
        return [kind for kind in kinds if not wanted or kind.name in wanted]

    def ordering_fields(self) -> list[str]:
        ordering = [field for field in (self.form.cleaned_data.get("ordering") or ()) if field]
        return ordering or ["name"]


class ApplicationFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(help_text="Exact name.")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the name or description.")
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    tag = django_filters.CharFilter(method="filter_tag", help_text="A free label, e.g. team=payments.")
    ordering = django_filters.OrderingFilter(fields=("name", "created", "modified"))

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))

    def filter_tag(self, queryset, name, value):
        labels = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=OuterRef("pk"),
            tag__name=value,
        )
        return queryset.filter(Exists(labels))

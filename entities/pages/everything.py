"""The all-entities page, /entities/: every kind the user may see in one table, filtered by kind,
application, status and search (the pages' counterpart of `GET /api/v1/entities/` and of
`dispatch get --all-applications`).

It pages like the API's list, through KindBlocks: one query counts every kind, then a page reads only
the kinds it overlaps, so a deep page does not sort every entity."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View
from django_tables2.data import TableData

from entities.api.filters import AllEntitiesFilterSet
from entities.kinds import KINDS
from entities.selectors import KindBlocks, entity_queryset

from .generic import ListFilters
from .tables import AllEntitiesTable

PRIMARY_FILTERS = ("search", "kind", "application", "status")


class KindBlocksData(TableData):
    """KindBlocks as django-tables2 data: counted and sliced by KindBlocks, in its order (kind, name)."""

    def __len__(self):
        return self.data.count()

    def order_by(self, aliases):
        """A `?sort=` changes nothing: the table is not sortable (see AllEntitiesTable)."""


class AllEntitiesView(LoginRequiredMixin, View):
    def get(self, request):
        filters = ListFilters(request, primary=PRIMARY_FILTERS)
        # Validated once (one query for the application names); each kind's queryset is given below.
        placeholder = KINDS[0].model._default_manager.none()
        filterset = AllEntitiesFilterSet(filters.data, queryset=placeholder, request=request)
        valid = filters.prepare(filterset)
        blocks = []
        for kind in filterset.selected_kinds(KINDS) if valid else ():
            queryset = entity_queryset(kind, request.user, many_references=False).order_by()
            blocks.append((kind, filterset.filter_kind_queryset(queryset)))
        table = filters.paginate(AllEntitiesTable(KindBlocksData(KindBlocks(blocks))))
        context = {"title_plural": "All entities", "list_url": request.path, **filters.context(table)}
        return render(request, "pages/object_list.html", context, status=200 if valid else 400)

"""Reads of many kinds at once: the lists behind `entities/` and an application's entities."""

from django.db.models import Count, IntegerField, Value


class KindBlocks:
    """Entities of several kinds as one list, ordered by kind (the registry's order) then by name, that
    pages without a UNION over every row.

    One query counts every kind (a UNION ALL of one COUNT per kind); a page then reads only the kinds it
    overlaps, each with an index-ordered LIMIT/OFFSET on its own table. A deep page therefore costs what
    a deep page of one kind costs, not a sort of every entity (DRF's pagination calls count() and slices).
    """

    def __init__(self, blocks):
        self.blocks = list(blocks)  # [(kind, queryset ready to be read: filtered, optimised)]
        self._counts = None

    def counts(self) -> list[int]:
        if self._counts is None:
            parts = [
                queryset.order_by()
                .annotate(block=Value(index, output_field=IntegerField()))
                .values("block")
                .annotate(rows=Count("pk"))
                .values_list("block", "rows")
                for index, (_, queryset) in enumerate(self.blocks)
            ]
            found = dict(parts[0].union(*parts[1:], all=True)) if parts else {}
            self._counts = [found.get(index, 0) for index in range(len(self.blocks))]
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        if not isinstance(window, slice) or window.step not in (None, 1):
            raise TypeError("KindBlocks takes a slice without a step.")
        start, stop = window.start or 0, window.stop if window.stop is not None else self.count()
        rows, first = [], 0
        for (_, queryset), size in zip(self.blocks, self.counts(), strict=True):
            low, high = max(start - first, 0), min(stop - first, size)
            if low < high:
                rows += list(queryset.order_by("name", "pk")[low:high])
            first += size
            if first >= stop:
                break
        return rows

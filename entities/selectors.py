"""Reads of entities: the one queryset every surface starts from, and lists of many kinds at once (the
lists behind `entities/` and an application's entities)."""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, Model, Prefetch, QuerySet, Value

from applications import access
from applications.access import Actor
from applications.models import Application, ApplicationItem
from applications.selectors import entity_counts
from dispatch_site.plans import planned_for
from dispatch_site.prepared import Prepared

from .kinds import Kind, get_kind


def entity_queryset(
    kind: Kind,
    user: Actor,
    *,
    application: Application | None = None,
    queryset: QuerySet | None = None,
    labels: bool = False,
    many_references: bool = True,
) -> QuerySet:
    """The entities of one kind a user may see, with what showing them needs, in a fixed number of queries.

    The one read path of the API, the pages, the admin and bundles, so that the access gate and the
    loading of references cannot drift apart between surfaces: the rows joined to their creator and FK
    references (one query), one query per many-to-many reference (only its id and name, all any surface
    shows of it), and with `labels` one query each for applications and tags (a single object; lists of
    many rows leave them to `attach_tags`, which is cheaper than taggit's prefetch).

    `application` narrows to the entities of an application the caller was already shown through the
    gate (`access.entities_in_application`, cheaper than the general gate); `queryset` is, without it,
    a starting queryset (the admin's, or the functions' manager with the archive);
    `many_references=False` leaves many-to-many references unread, for lists that show none of them
    (the admin's).
    """
    if application is not None:
        rows = access.entities_in_application(kind.model, user, application)
    else:
        rows = access.visible_entities(kind.model, user, queryset)
    return _with_references(kind, rows, labels=labels, many_references=many_references)


# References that no surface shows from the joined row. A run shows its frozen function_name, and its
# function's current name from the query that checks the function is visible (visible_function_names);
# joining every run's function came before a page's LIMIT, for all 1,000 runs of an application: 1.9 of
# the list's 6.6 ms in PostgreSQL, and 50 Function instances built for nothing.
NOT_JOINED = {("run", "function")}


def _with_references(kind: Kind, rows: QuerySet, *, labels: bool, many_references: bool) -> QuerySet:
    single = [
        ref.field for ref in kind.references if not ref.many and (kind.name, ref.field) not in NOT_JOINED
    ]
    many = [
        Prefetch(ref.field, queryset=get_kind(ref.kind).model.objects.only("id", "name"))
        for ref in kind.references
        if ref.many and many_references
    ]
    return rows.select_related("created_by", *single).prefetch_related(
        *(["applications", "tags"] if labels else []), *many
    )


def listed_entities(kind: Kind, user: Actor, application_names: list[str]) -> tuple[QuerySet, int | None]:
    """What a list of one kind starts from (API and pages), and the id of the application it was read
    by, if one: when the names asked for are one application the user is a member of, the list reads
    by that application's index alone (membership implies the gate), and its application filter need
    not ask again. References are left to attach_tags, read with the rows' labels."""
    application = access.member_application_named(user, application_names)
    queryset = entity_queryset(kind, user, application=application, many_references=False)
    return queryset, application.pk if application is not None else None


def entity_in_application(kind: Kind, user: Actor, application: Application, name: str) -> Model | None:
    """The entity of that name among `entity_queryset(kind, user, application=…)`'s, or None.

    When the application's items are all the gate asks (`access.application_items_suffice`: the caller
    is a member), its SQL is compiled once per kind: naming one entity of one application is the
    commonest API request, and compiling its query took longer than running it."""
    if not access.application_items_suffice(kind.model, user):
        rows = entity_queryset(kind, user, application=application, many_references=False)
        return rows.filter(name=name).first()
    content_type = ContentType.objects.get_for_model(kind.model)  # cached by Django
    return _named_in_application(kind).first(application.pk, content_type.pk, name)


@functools.cache
def _named_in_application(kind: Kind) -> Prepared:
    return Prepared(
        lambda application_id, content_type_id, name: _in_application(kind, application_id, content_type_id)
        .filter(name=name)[:1],
        int,
        int,
        str,
    )


def prepared_windows(kinds: list[Kind], user: Actor, application: Application | None) -> list | None:
    """Per kind, a reader of the rows low..high (by name) of `entity_queryset(kind, user,
    application=…)`, in SQL compiled once per kind and window, for KindBlocks. Only where the gate adds
    nothing for this user: in an application, when its items suffice (`access.application_items_suffice`),
    and without one, when the user may view every entity of the kinds; else None. Compiling the pages'
    queries was half of reading a first page of entities."""
    if application is None:
        if not all(access.sees_every_entity(kind.model, user) for kind in kinds):
            return None
        return [functools.partial(_window, kind, ()) for kind in kinds]
    if not all(access.application_items_suffice(kind.model, user) for kind in kinds):
        return None
    return [functools.partial(_window_in_application, kind, application.pk) for kind in kinds]


def count_in_application(kind: Kind, application_id: int) -> int:
    """How many entities of the kind the application holds, from its items' (tag, content type) index
    in SQL compiled once: the count of a list that shows all of them (as `entity_counts` counts)."""
    content_type = ContentType.objects.get_for_model(kind.model)  # cached by Django
    return _items_of_a_kind.first(application_id, content_type.pk) or 0


_items_of_a_kind = Prepared(
    lambda application_id, content_type_id: ApplicationItem.objects.filter(
        tag_id=application_id, content_type_id=content_type_id
    )
    .order_by()
    .values("tag_id")
    .annotate(n=Count("pk"))
    .values_list("n", flat=True),
    int,
    int,
)


def counts_of_every_entity(kinds: tuple[Kind, ...]) -> list[int]:
    """How many entities of each kind there are, in SQL compiled once per set of kinds: KindBlocks'
    count for whoever `prepared_windows` gives windows without an application."""
    return _counts_of(_prepared_counts(kinds)(), len(kinds)) if kinds else []


@functools.cache
def _prepared_counts(kinds: tuple[Kind, ...]) -> Prepared:
    return Prepared(lambda: _count_union([_every(kind) for kind in kinds]))


def unfiltered_blocks(
    blocks: list[tuple[Kind, QuerySet]], user: Actor, application: Application | None
) -> "KindBlocks":
    """KindBlocks of querysets no filter narrowed, read as cheaply as this user allows: an application's
    counts from its through table (`counts_in_application`), and windows and counts compiled once where
    the gate adds nothing (`prepared_windows`)."""
    kinds = [kind for kind, _ in blocks]
    windows = prepared_windows(kinds, user, application)
    counts: list[int] | Callable[[], list[int]] | None = None
    if application is not None:
        counts = counts_in_application(kinds, user, application)
    elif windows is not None:  # the user may view every entity of the kinds
        counts = functools.partial(counts_of_every_entity, tuple(kinds))
    return KindBlocks(blocks, counts, windows)


def _window_in_application(kind: Kind, application_id: int, low: int, high: int) -> list:
    content_type = ContentType.objects.get_for_model(kind.model)  # cached by Django
    return _window(kind, (application_id, content_type.pk), low, high)


def _window(kind: Kind, values: tuple, low: int, high: int) -> list:
    return _prepared_window(kind, low, high, bool(values))(*values)


@functools.lru_cache(maxsize=512)  # pages of lists of every kind, the first ones over and over
def _prepared_window(kind: Kind, low: int, high: int, in_application: bool) -> Prepared:
    if in_application:
        return Prepared(
            lambda application_id, content_type_id: _in_application(kind, application_id, content_type_id)
            .order_by("name", "pk")[low:high],
            int,
            int,
        )
    return Prepared(lambda: _every(kind).order_by("name", "pk")[low:high])


def _every(kind: Kind) -> QuerySet:
    """`entity_queryset(kind, user, many_references=False)` for a user who may view every entity."""
    return _with_references(kind, kind.model._default_manager.all(), labels=False, many_references=False)


def _in_application(kind: Kind, application_id: int, content_type_id: int) -> QuerySet:
    """`entity_queryset(kind, user, application=…, many_references=False)` for a user the application's
    items suffice for."""
    rows = access.application_entities(kind.model, application_id, content_type_id)
    return _with_references(kind, rows, labels=False, many_references=False)


def prefetched(manager: Any) -> Any:
    """The rows of a to-many manager from its prefetch cache (a page's prefetch, or attach_tags'),
    without the queryset that `manager.all()` clones for every row; a query when nothing is cached."""
    return prefetched_of(manager.instance, manager.prefetch_cache_name)


def prefetched_of(instance: Any, name: str) -> Any:
    """The rows of the instance's to-many relation `name` from its prefetch cache, without making its
    manager (a new object per row and relation: a tenth of serializing a page); a query when nothing
    is cached."""
    cached = instance.__dict__.get("_prefetched_objects_cache", {}).get(name)
    return cached if cached is not None else getattr(instance, name).all()


def counts_in_application(kinds: list[Kind], user: Actor, application: Application) -> list[int] | None:
    """How many entities of each kind `entity_queryset(kind, user, application=…)` holds, read from the
    through table's (tag, content type) index in one query, when the gate adds nothing to it for this
    user (`access.application_items_suffice`); None when it does. A UNION of a count per kind's table
    took 3.8 ms on the benchmark's application, this 0.5."""
    if not all(access.application_items_suffice(kind.model, user) for kind in kinds):
        return None
    found = entity_counts([application.pk], kinds).get(application.pk, {})
    return [found.get(kind, 0) for kind in kinds]


class ForeignCursor(ValueError):
    """A cursor that names a place the list does not have (the API answers 400)."""


class KindBlocks:
    """Entities of several kinds as one list, ordered by kind (the registry's order) then by name, that
    pages without a UNION over every row.

    One query counts every kind (a UNION ALL of one COUNT per kind); a page then reads only the kinds it
    overlaps, each with an index-ordered LIMIT/OFFSET on its own table. A deep page therefore costs what
    a deep page of one kind costs, not a sort of every entity (DRF's pagination calls count() and slices).
    """

    def __init__(
        self,
        blocks: Iterable[tuple[Kind, QuerySet]],
        counts: list[int] | Callable[[], list[int]] | None = None,
        windows: list | None = None,
    ) -> None:
        self.blocks = list(blocks)  # [(kind, queryset ready to be read: filtered, optimised)]
        # known already (counts_in_application), or read when first needed: by `counts` if a function,
        # else by a UNION ALL of a COUNT per block
        self._counts = counts
        # per block, windows(low, high) reads the queryset's rows low..high by name in SQL compiled once
        # (windows_in_application); else the queryset is sliced
        self._windows = windows or [functools.partial(_window_of, queryset) for _, queryset in self.blocks]

    def counts(self) -> list[int]:
        if callable(self._counts):  # a prepared count (counts_of_every_entity)
            self._counts = self._counts()
        if self._counts is None:
            querysets = [queryset for _, queryset in self.blocks]
            self._counts = _counts_of(_count_union(querysets), len(querysets)) if querysets else []
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    def keyset_page(self, after: tuple[str, str] | tuple[()], size: int) -> list:
        """Up to `size` rows after (kind name, entity name), or from the start for (): per kind from
        the cursor's on, `name > …` in the cursor's kind, by each table's name index; no count."""
        names = [kind.name for kind, _ in self.blocks]
        start = 0
        if after:
            if after[0] not in names:
                raise ForeignCursor("names a kind this list does not hold")
            start = names.index(after[0])
        rows: list = []
        for index, (_, queryset) in enumerate(self.blocks[start:], start):
            ordered = queryset.order_by("name", "pk")
            if after and index == start:
                ordered = ordered.filter(name__gt=after[1])
            rows += list(ordered[: size - len(rows)])
            if len(rows) >= size:
                break
        return rows

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice) or window.step not in (None, 1):
            raise TypeError("KindBlocks takes a slice without a step.")
        start, stop = window.start or 0, window.stop if window.stop is not None else self.count()
        rows, first = [], 0
        for read, size in zip(self._windows, self.counts(), strict=True):
            low, high = max(start - first, 0), min(stop - first, size)
            if low < high:
                with planned_for(size):  # a kind's rows in a large application: by its name index
                    rows += read(low, high)
            first += size
            if first >= stop:
                break
        return rows


def _count_union(querysets: list[QuerySet]) -> QuerySet:
    """One UNION ALL of a COUNT per queryset (one at least), as rows (the queryset's index, its count)."""
    parts = [
        queryset.order_by()
        .annotate(block=Value(index, output_field=IntegerField()))
        .values("block")
        .annotate(rows=Count("*"))
        .values_list("block", "rows")
        for index, queryset in enumerate(querysets)
    ]
    return parts[0].union(*parts[1:], all=True)


def _counts_of(rows: Iterable, blocks: int) -> list[int]:
    found = dict(rows)
    return [found.get(index, 0) for index in range(blocks)]


def _window_of(queryset: QuerySet, low: int, high: int) -> list:
    return list(queryset.order_by("name", "pk")[low:high])

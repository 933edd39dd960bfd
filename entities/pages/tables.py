"""The list tables of each kind (`FunctionTable`, …), found as `kind.table`: which columns a list shows
is each kind's choice.

Row links are built from one reversed prefix per column, not one `reverse()` per row (DESIGN.md 6),
and the applications and tags columns read the prefetch cache: a page of 50 rows costs the same
queries as a page of one.

django-tables2 draws the headers, sorting and pagination; the rows are drawn by `EntityTable.rows_html`,
which works out once per column what tables2 works out for every cell (the render method's arguments,
found by inspecting its signature; the accessor; the cell's attributes), then fills the cells with the
same render methods: the same HTML for a fraction of the time (about half of the page's before).
"""

import inspect

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.template.context import Context
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django_tables2.utils import A

from entities import models as m
from entities.kinds import get_kind, kind_of, surface
from entities.pages import status as status_display
from entities.pages.markup import escaped, format_html, format_html_join
from entities.rules import upper_first
from entities.selectors import prefetched, prefetched_of


def _prefix(table, url_name: str) -> str:
    """`/functions/` from the list URL's name, reversed once per table: detail URLs are prefix + name."""
    cache = table.__dict__.setdefault("_url_prefixes", {})
    if url_name not in cache:
        cache[url_name] = reverse(url_name)
    return cache[url_name]


def _rows(value):
    """A to-many column's rows: the list CellWriter read from the prefetch cache, or, drawn the
    tables2 way, the prefetch cache of the manager it gives."""
    return prefetched(value) if hasattr(value, "prefetch_cache_name") else value


class NameColumn(tables.Column):
    """The entity's name, linked to its page (of the row's kind: the all-entities table mixes kinds)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "name"}})
        super().__init__(**kwargs)

    def render(self, value, record, table):
        prefix = _prefix(table, f"pages:{record.kind.plural}-list")
        return format_html('<a href="{}{}/">{}</a>', prefix, value, value)


class ReferenceColumn(tables.Column):
    """A reference to another kind's entity, linked to its page."""

    def __init__(self, kind: str, **kwargs):
        super().__init__(**kwargs)
        self.target = get_kind(kind)

    def render(self, value, table):
        prefix = _prefix(table, f"pages:{self.target.plural}-list")
        return format_html('<a href="{}{}/">{}</a>', prefix, value.name, value.name)


class ManyReferenceColumn(tables.Column):
    """Many references (e.g. secrets), from the prefetch cache."""

    def __init__(self, kind: str, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)
        self.target = get_kind(kind)

    def render(self, value, table):
        prefix = _prefix(table, f"pages:{self.target.plural}-list")
        items = sorted(e.name for e in _rows(value))
        return format_html_join(", ", '<a href="{}{}/">{}</a>', ((prefix, n, n) for n in items)) or "—"


class ApplicationsColumn(tables.Column):
    def __init__(self, **kwargs):
        super().__init__(accessor="applications", orderable=False, empty_values=(), **kwargs)

    def render(self, value, table):
        prefix = _prefix(table, "pages:application-list")
        names = sorted(app.name for app in _rows(value))
        if not names:
            return format_html('<span class="muted">{}</span>', "unassigned")
        return format_html_join(", ", '<a href="{}{}/">{}</a>', ((prefix, n, n) for n in names))


class TagsColumn(tables.Column):
    def __init__(self, **kwargs):
        super().__init__(accessor="tags", orderable=False, empty_values=(), **kwargs)

    def render(self, value):
        names = sorted(tag.name for tag in _rows(value))
        return format_html_join(" ", '<span class="label">{}</span>', ((n,) for n in names)) or ""


class TimeColumn(tables.Column):
    """A timestamp in the site's time zone, as `Y-m-d H:i` (or the strftime `format` given).
    tables2's DateTimeColumn compiles a template for every cell (~0.4 ms each, 20 ms for a page of
    50), and Django's dateformat looks each letter up; strftime does it in C."""

    def __init__(self, format="%Y-%m-%d %H:%M", **kwargs):
        super().__init__(**kwargs)
        self.format = format

    def render(self, value):
        return timezone.localtime(value).strftime(self.format)


class StatusColumn(tables.Column):
    """The status as its badge (pages/_status.html's markup)."""

    def render(self, record):
        return status_display.badge(record.status)


class CellWriter:
    """One column's cells: `cell(record, row)` gives what tables2's BoundRow.get_cell gives, with the
    arguments of the render method, the accessor and the <td> attributes found once."""

    def __init__(self, table, bound_column, context):
        self.bound_column = bound_column
        self.column = bound_column.column
        self.table = table
        self.context = context
        self.render = bound_column.render
        self.wants = set(inspect.signature(self.render).parameters)
        self.accessor = A(bound_column.accessor)
        label = conditional_escape(bound_column.header)
        self.opening = f'<td {bound_column.attrs["td"].as_html()} data-label="{label}">'
        self.displays = {}  # model -> its get_FOO_display name, or None
        self.simple = "." not in self.accessor and "__" not in self.accessor
        self.many = {}  # model -> whether the accessor names a to-many relation of it

    def _learn(self, model) -> None:
        """tables2 shows a model field with choices by its get_FOO_display(); a to-many relation is
        read from the prefetch cache without making its manager."""
        try:
            field = model._meta.get_field(self.accessor)
        except FieldDoesNotExist:
            field = None
        choices = getattr(field, "choices", ())
        self.displays[model] = f"get_{self.accessor}_display" if choices else None
        self.many[model] = bool(getattr(field, "many_to_many", False))

    def value(self, record):
        if self.simple and isinstance(record, models.Model):
            model = type(record)
            if model not in self.displays:
                self._learn(model)
            if self.displays[model]:
                return getattr(record, self.displays[model])()
            if self.many[model]:
                return prefetched_of(record, self.accessor)
        if self.simple:  # what Accessor.resolve does for one attribute
            value = getattr(record, self.accessor)
            if callable(value) and not getattr(value, "do_not_call_in_templates", False):
                value = value()
            return value
        penultimate, remainder = self.accessor.penultimate(record)
        if isinstance(penultimate, models.Model) and remainder:
            display = getattr(penultimate, f"get_{remainder}_display", None)
            try:
                field = self.accessor.get_field(record)
            except FieldDoesNotExist:
                field = None
            if display is not None and getattr(field, "choices", ()):
                return display()
        return self.accessor.resolve(record) if remainder else None

    def cell(self, record, row) -> str:
        value = self.value(record)
        if value in self.column.empty_values:
            content = self.bound_column.default
        else:
            arguments = {
                "value": value,
                "record": record,
                "column": self.column,
                "bound_column": self.bound_column,
                "bound_row": row,
                "table": self.table,
            }
            content = self.render(**{name: arguments[name] for name in self.wants if name in arguments})
        if isinstance(content, SafeData):  # what the template's {{ cell }} does, without its detours
            return f"{self.opening}{content}</td>"
        if type(content) is str:  # nothing to localize
            return f"{self.opening}{escaped(content)}</td>"
        return f"{self.opening}{render_value_in_context(content, self.context)}</td>"


class EntityTable(tables.Table):
    """Columns every kind shares; a kind's table adds its own between name and applications."""

    name = NameColumn()
    applications = ApplicationsColumn()
    status = StatusColumn()
    tags = TagsColumn()
    modified = TimeColumn(verbose_name="Modified")

    class Meta:
        fields = ("name",)
        sequence = ("name", "...", "applications", "status", "tags", "modified")
        attrs = {"class": "table stack"}
        template_name = "pages/table.html"
        order_by_field = "sort"
        empty_text = "Nothing matches; change the filters or the application."

    def __init_subclass__(cls, **kwargs):
        """A column that is one of the kind's references links to what it names."""
        super().__init_subclass__(**kwargs)
        model = getattr(cls._meta, "model", None)
        for ref in kind_of(model).references if model is not None else ():
            if ref.field in cls.base_columns and not cls.base_columns[ref.field]._explicit:
                cls.base_columns[ref.field] = (
                    ManyReferenceColumn(ref.kind)
                    if ref.many
                    else ReferenceColumn(ref.kind, order_by=f"{ref.field}__name")
                )

    def rows_html(self):
        """The page's rows as HTML (see the module's docstring), or None for the template to draw them
        the tables2 way (no rows; row attributes, or a column that links or localizes: none of ours)."""
        columns = list(self.columns)
        if self.row_attrs or any(c.link or c.localize is not None for c in columns):
            return None
        context = Context()
        writers = [CellWriter(self, column, context) for column in columns]
        rows = []
        for index, row in enumerate(self.paginated_rows):
            cells = "".join(writer.cell(row.record, row) for writer in writers)
            rows.append(f'<tr class="{"odd" if index % 2 else "even"}">\n  {cells}\n</tr>')
        return mark_safe("\n".join(rows))


class BaseImageTable(EntityTable):
    class Meta(EntityTable.Meta):
        model = m.BaseImage
        fields = ("name", "language", "docker_url")


class ImageTable(EntityTable):
    class Meta(EntityTable.Meta):
        model = m.Image
        fields = ("name", "base_image", "language")


class SecretTable(EntityTable):
    keys = tables.Column(empty_values=(), orderable=False, verbose_name="Keys")

    class Meta(EntityTable.Meta):
        model = m.Secret
        fields = ("name", "keys")

    def render_keys(self, value):
        return ", ".join(value) or "—"


class FunctionTable(EntityTable):
    class Meta(EntityTable.Meta):
        model = m.Function
        fields = ("name", "image", "handler", "timeout", "secrets")


class APITable(EntityTable):
    methods = tables.Column(orderable=False, empty_values=())
    uris = tables.Column(verbose_name="URIs", orderable=False, empty_values=())

    class Meta(EntityTable.Meta):
        model = m.API
        fields = ("name", "function", "methods", "uris", "authentication", "enabled")

    def render_methods(self, value):
        return ", ".join(value) or "—"

    def render_uris(self, value):
        return ", ".join(value) or "—"


class EventDriverTypeTable(EntityTable):
    class Meta(EntityTable.Meta):
        model = m.EventDriverType
        fields = ("name", "image", "expose", "built_in")


class EventDriverTable(EntityTable):
    class Meta(EntityTable.Meta):
        model = m.EventDriver
        fields = ("name", "type", "expose", "secrets")


class SubscriptionTable(EntityTable):
    topic = tables.Column(empty_values=(), orderable=False)

    class Meta(EntityTable.Meta):
        model = m.Subscription
        fields = ("name", "event_type", "topic", "function")


class FunctionRunTable(EntityTable):
    # The frozen name, as text: the function may since have moved out of the reader's sight.
    function_name = tables.Column(verbose_name="Function")
    created = TimeColumn(format="%Y-%m-%d %H:%M:%S", verbose_name="Started")
    duration = tables.Column(empty_values=(), orderable=False, verbose_name="Seconds")

    class Meta(EntityTable.Meta):
        model = m.FunctionRun
        fields = ("name", "function_name", "created", "duration")
        sequence = ("name", "function_name", "created", "duration", "applications", "status", "tags")
        exclude = ("modified",)

    def render_duration(self, value):
        return "—" if value is None else f"{value:.3f}"


class KindColumn(tables.Column):
    """The row's kind, linked to that kind's list."""

    def __init__(self, **kwargs):
        super().__init__(accessor="kind", orderable=False, empty_values=(), verbose_name="Kind", **kwargs)

    def render(self, value, table):
        url = _prefix(table, f"pages:{value.plural}-list")
        return format_html('<a href="{}">{}</a>', url, upper_first(value.label))


class AllEntitiesTable(EntityTable):
    """Entities of every kind in one table (the all-entities page), in KindBlocks' order: by kind, then
    by name. Not sortable by header: a sort across kinds is the API's `?ordering=`."""

    kind = KindColumn()

    class Meta(EntityTable.Meta):
        fields = ("name",)
        sequence = ("kind", "name", "applications", "status", "tags", "modified")
        orderable = False


TABLES = surface(EntityTable)

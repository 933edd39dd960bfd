"""The list tables' rows, drawn by EntityTable.rows_html, are the cells django-tables2 draws itself."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django_tables2 import RequestConfig

from applications.selectors import attach_tags
from entities.kinds import KINDS
from entities.pages.tables import AllEntitiesTable
from entities.selectors import entity_queryset
from tests import factories as f

pytestmark = pytest.mark.django_db

# The row block the list template had before rows_html: tables2 renders every cell.
TABLES2_ROWS = Template(
    "{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>"
    "{% for column, cell in row.items %}"
    '<td {{ column.attrs.td.as_html }} data-label="{{ column.header }}">{{ cell }}</td>'
    "{% endfor %}</tr>{% endfor %}"
)


def drawn_by_tables2(table) -> str:
    html = TABLES2_ROWS.render(Context({"table": table}))
    return _comparable(html)


def _comparable(html: str) -> str:
    # tables2 counts rows across every iteration of the table, so its even/odd depends on what
    # iterated it before; rows_html starts every page at "even".
    return re.sub(r'class="(even|odd)"', "", re.sub(r"\s+", "", html))


def table_of(table_class, rows):
    table = table_class(rows)
    RequestConfig(RequestFactory().get("/"), paginate={"per_page": 50}).configure(table)
    attach_tags(row.record for row in table.page.object_list)
    return table


def populate(people):
    secret = f.SecretFactory(name="s-<1>", applications=[people.app_a], values={"a": "1"})
    function = f.FunctionFactory(name="fn", applications=[people.app_a, people.app_b])
    function.secrets.set([secret])
    function.tags.add("role=<test>", "team")
    for kind in KINDS:
        if not kind.model.objects.exists():
            f.FACTORIES[kind.name](applications=[] if kind.is_system else [people.app_a])


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_each_kinds_rows_are_the_cells_tables2_draws(people, kind):
    populate(people)
    table_class = kind.table
    table = table_of(table_class, entity_queryset(kind, people.superuser))
    ours = table.rows_html()
    assert ours and ours.count("<tr") == kind.model.objects.count()
    assert _comparable(ours) == drawn_by_tables2(table)


def test_the_all_entities_rows_are_the_cells_tables2_draws(people):
    populate(people)
    rows = [obj for kind in KINDS for obj in entity_queryset(kind, people.superuser)]
    table = table_of(AllEntitiesTable, rows)
    assert _comparable(table.rows_html()) == drawn_by_tables2(table)
    assert ">READY<" in table.rows_html()  # the status as the API writes it, as on every page

"""The applications list table."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from applications.models import Application
from entities.pages import status as status_display
from entities.pages.tables import TimeColumn


class ApplicationTable(tables.Table):
    name = tables.Column(attrs={"td": {"class": "name"}})
    description = tables.Column(orderable=False)
    entity_count = tables.Column(verbose_name="Entities")
    role = tables.Column(verbose_name="Your role", empty_values=(), orderable=False)
    status = tables.Column()
    modified = TimeColumn()

    class Meta:
        model = Application
        fields = ("name", "description", "entity_count", "role", "status", "modified")
        attrs = {"class": "table stack"}
        template_name = "pages/table.html"
        order_by_field = "sort"
        empty_text = "No application matches; change the search."

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles or {}
        self.prefix_url = reverse("pages:application-list")

    def render_name(self, value):
        return format_html('<a href="{}{}/">{}</a>', self.prefix_url, value, value)

    def render_role(self, record):
        return self.roles.get(record.pk, "—")

    def render_status(self, record):
        return status_display.badge(record.status)

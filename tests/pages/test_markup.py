"""The list pages' format_html is Django's, escaping included, for every kind of argument."""

from unittest import mock

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.loader import render_to_string
from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from entities.pages import markup

ARGUMENTS = [
    '<script>alert("x")</script>',
    "Tom & Jerry's",
    mark_safe("<b>kept</b>"),
    42,
    None,
    gettext_lazy("Name"),
]


@pytest.mark.parametrize("argument", ARGUMENTS, ids=repr)
def test_it_escapes_each_argument_as_django_does(argument):
    template = '<a href="/x/{}/">{}</a>'
    ours = markup.format_html(template, argument, argument)
    assert ours == django_html.format_html(template, argument, argument)
    assert isinstance(ours, SafeString)


def test_it_joins_rows_as_django_does():
    rows = [(a, a) for a in ARGUMENTS]
    template = '<span title="{}">{}</span>'
    for separator in (", ", "<br>", mark_safe("<br>")):
        ours = markup.format_html_join(separator, template, iter(rows))
        assert ours == django_html.format_html_join(separator, template, iter(rows))
    assert markup.format_html_join(", ", template, iter([])) == ""


CHOICES = [
    [("READY", "Ready"), ("ERROR", "<Error> & co")],
    [("Group", [("a", "A"), ("b", "B")]), ("c", "C")],
    [(1, "one"), (2, gettext_lazy("two"))],
    [],
]


@pytest.mark.parametrize("choices", CHOICES, ids=range(len(CHOICES)))
@pytest.mark.parametrize("value", [None, [], ["READY"], ["a", "c"], [1]], ids=repr)
@pytest.mark.parametrize("attrs", [None, {"id": "id_status"}, {"id": "id_x", "class": "c"}], ids=repr)
def test_the_checkbox_list_draws_what_djangos_templates_draw(choices, value, attrs):
    widget = forms.CheckboxSelectMultiple(choices=choices)
    ours = widget.render("status", value, attrs=attrs, renderer=markup.WidgetRenderer())
    assert ours == widget.render("status", value, attrs=attrs, renderer=DjangoTemplates())


SPECIAL = '<b> & "quotes" \'s'
WIDGETS = [
    (forms.TextInput(), None),
    (forms.TextInput(attrs={"placeholder": SPECIAL, "required": True, "disabled": False}), SPECIAL),
    (forms.TextInput(), mark_safe("<i>safe</i>")),
    (forms.TextInput(), ""),
    (forms.NumberInput(attrs={"min": 1}), 42),
    (forms.EmailInput(), "a@example.com"),
    (forms.URLInput(), "https://example.com/?a=1&b=2"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.PasswordInput(), "secret"),
    (forms.HiddenInput(), 7),
    (forms.DateInput(), "2026-12-07"),
    (forms.DateTimeInput(), "2026-12-07 10:00"),
    (forms.TimeInput(), "10:00"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]), "true"),
    (forms.Select(choices=[("a", SPECIAL), ("b", gettext_lazy("Name"))]), "b"),
    (forms.Select(choices=[("Group", [("a", "A"), ("b", "B")]), ("c", "C")]), "b"),
    (forms.Select(choices=[(1, "one"), (2, "two")]), 2),
    (forms.Select(choices=[(1, 1000), (2, 2.5)]), 1),  # labels that are not text: drawn by the templates
    (forms.Select(choices=[]), None),
    (forms.NullBooleanSelect(), None),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]), ["a", "b"]),
    (forms.Textarea(), "not ours: drawn by the templates"),
    (forms.RadioSelect(choices=[("a", "A")]), "a"),
]


@pytest.mark.parametrize("widget, value", WIDGETS, ids=lambda item: repr(item)[:40])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_x"}, {"id": "id_x", "class": "c", "aria-describedby": "h"}]
)
def test_the_widget_renderer_draws_what_djangos_templates_draw(widget, value, attrs):
    ours = widget.render("field", value, attrs=attrs, renderer=markup.WidgetRenderer())
    assert ours == widget.render("field", value, attrs=attrs, renderer=DjangoTemplates())


def test_forms_use_the_widget_renderer():
    assert isinstance(get_default_renderer(), markup.WidgetRenderer)


@pytest.mark.parametrize("index", [0, 1, 4, 10, 13, 15, 16, 17, 21, 22, 24])
def test_inputs_and_selects_are_drawn_without_templates(index):
    widget, value = WIDGETS[index]
    with mock.patch.object(DjangoTemplates, "render", side_effect=AssertionError("a template")):
        assert widget.render("field", value, renderer=markup.WidgetRenderer())


class FieldsForm(forms.Form):
    name = forms.CharField(label="Name <b>", help_text="Exact name & more.")
    search = forms.CharField(required=False, label=gettext_lazy("Search"))
    enabled = forms.BooleanField(required=False, label="Enabled")
    status = forms.MultipleChoiceField(
        required=False, choices=[("READY", "Ready")], widget=forms.CheckboxSelectMultiple, label="Status"
    )
    kind = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, help_text=mark_safe("<i>x</i>"))
    count = forms.IntegerField(required=False, min_value=1)


@pytest.mark.parametrize("data", [None, {}, {"name": "<x>", "count": "0", "enabled": "on", "kind": "zz"}])
@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_field_groups_are_drawn_as_the_field_template_draws_them(data, auto_id):
    for field in FieldsForm(data, auto_id=auto_id):
        template = render_to_string(markup.FIELD_TEMPLATE, {"field": field}).strip()
        assert field.as_field_group() == template, field.name
    with mock.patch.object(DjangoTemplates, "render", side_effect=AssertionError("a template")):
        assert FieldsForm(data, auto_id=auto_id)["name"].as_field_group()

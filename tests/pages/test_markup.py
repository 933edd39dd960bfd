"""The list pages' format_html is Django's, escaping included, for every kind of argument."""

import pytest
from django import forms
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
    ours = markup.CheckboxList(choices=choices).render("status", value, attrs=attrs)
    assert ours == forms.CheckboxSelectMultiple(choices=choices).render("status", value, attrs=attrs)

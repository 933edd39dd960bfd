"""HTML drawn in Python with Django's escaping, where Django's own helpers cost a page's time.

- format_html and format_html_join for the cells of a list page, without their look for lazy strings
  in every argument and in mark_safe (`keep_lazy`: a third of drawing a page's rows, ~1,400 calls for
  50).
- WidgetRenderer (FORM_RENDERER): the common widgets (inputs, selects, checkboxes and radio buttons)
  and our field groups without their nested templates.

The escaping is Django's own: a value with `__html__` is taken as it is, anything else goes through
`html.escape(str(…))`, which is what django.utils.html.escape does. tests/pages/test_markup.py compares
each with Django's output."""

import html
from collections.abc import Callable

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escaped(value) -> str:
    """conditional_escape's text: what an HTML template shows of the value."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def format_html(template: str, *args) -> SafeString:
    return SafeString(template.format(*map(escaped, args)))


def format_html_join(separator: str, template: str, rows) -> SafeString:
    return SafeString(escaped(separator).join(template.format(*map(escaped, row)) for row in rows))


def attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"` for each, a bare name for True, none for False."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


# input.html, and the widget templates that are only `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "input", "number",
        "password", "search", "tel", "text", "time", "url",
    )
}  # fmt: skip
FIELD_TEMPLATE = "pages/_field.html"  # a label, the widget, help and errors: `{{ field.as_field_group }}`
SELECT_TEMPLATE = "django/forms/widgets/select.html"
MULTIPLE_TEMPLATES = {f"django/forms/widgets/{name}.html" for name in ("checkbox_select", "radio")}
OPTION_INPUT_TEMPLATES = {f"django/forms/widgets/{name}_option.html" for name in ("checkbox", "radio")}
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class WidgetRenderer(DjangoTemplates):
    """Django's form renderer, but inputs, selects, lists of checkboxes or radio buttons and our field
    groups (pages/_field.html, the markup they are tested against) are drawn in Python: their templates
    include input.html and attrs.html, or an option template per choice, and a list page's ten filters
    took ~2 ms that way. Any other template (and a widget whose value or label is not text) is
    rendered by the templates."""

    field_template_name = FIELD_TEMPLATE

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        drawn = None
        if widget is not None and template_name in INPUT_TEMPLATES:
            drawn = _input(widget)
        elif widget is not None and template_name == SELECT_TEMPLATE:
            drawn = _select(widget)
        elif widget is not None and template_name in MULTIPLE_TEMPLATES:
            drawn = _multiple(widget)
        elif template_name == FIELD_TEMPLATE and isinstance(context, dict) and "field" in context:
            drawn = _field_group(context["field"])
        return drawn if drawn is not None else super().render(template_name, context, request)


def _field_group(field) -> str:
    """pages/_field.html, its whitespace included."""
    checkbox = field.widget_type == "checkbox"
    classes = "field" + (" has-error" if field.errors else "") + (" field-checkbox" if checkbox else "")
    label = escaped(field.label)
    if checkbox:
        body = f'\n    {field} <label for="{escaped(field.id_for_label)}">{label}</label>\n  '
    elif field.use_fieldset:
        body = f"\n    <fieldset>\n      <legend>{label}</legend>\n      {field}\n    </fieldset>\n  "
    else:
        required = '<span class="required" aria-hidden="true"> *</span>' if field.field.required else ""
        body = f'\n    <label for="{escaped(field.id_for_label)}">{label}{required}</label>\n    {field}\n  '
    helps = ""
    if field.help_text:
        helps = f'<p class="help" id="{escaped(field.auto_id)}_helptext">{escaped(field.help_text)}</p>'
    errors = "".join(f'<p class="error" role="alert">{escaped(error)}</p>' for error in field.errors)
    return f'<div class="{classes}">\n  {body}\n  {helps}\n  {errors}\n</div>'


def _text(value) -> bool:
    return isinstance(value, str | Promise)


def _input(widget: dict) -> str:
    """input.html (with attrs.html); the renderer strips the templates' last newlines."""
    value = widget["value"]
    shown = "" if value is None else f' value="{escaped(value)}"'
    kind, name = escaped(widget["type"]), escaped(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{attributes(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    """select.html with select_option.html for each choice; None when a choice is not plain text."""
    choices = _choices(
        widget,
        {OPTION_TEMPLATE},
        group_markup=('\n  <optgroup label="{}">', "\n  </optgroup>"),
        option_markup=lambda option: (
            f'\n  <option value="{escaped(option["value"])}"{attributes(option["attrs"])}>'
            f"{escaped(option['label'])}</option>\n"
        ),
    )
    if choices is None:
        return None
    return f'<select name="{escaped(widget["name"])}"{attributes(widget["attrs"])}>{choices}\n</select>'


def _multiple(widget: dict) -> str | None:
    """multiple_input.html (checkboxes, radio buttons), with input_option.html for each choice: they
    include one another for every option, a sixth of a list page's time for its lists of choices. None
    when a choice is drawn by another template or is not plain text."""
    choices = _choices(
        widget,
        OPTION_INPUT_TEMPLATES,
        group_markup=("\n  <div><label>{}</label>", "\n  </div>"),
        option_markup=lambda option: f"<div>\n    {_option(option)}\n</div>",
    )
    if choices is None:
        return None
    own = widget["attrs"]
    outer = attributes({"id": own.get("id") or False, "class": own.get("class") or False})
    return f"<div{outer}>{choices}\n</div>"


def _choices(
    widget: dict, templates: set[str], *, group_markup: tuple[str, str], option_markup: Callable[[dict], str]
) -> str | None:
    """A choice widget's option groups, each group between its opening (the label filled in) and
    closing markup and each option drawn by `option_markup`; None when a group's label or an option is
    not plain text, or an option is drawn by a template other than `templates`."""
    opening, closing = group_markup
    parts = []
    for group, options, _ in widget["optgroups"]:
        if group and not _text(group):
            return None
        if group:
            parts.append(opening.format(escaped(group)))
        for option in options:
            if option["template_name"] not in templates or not _text(option["label"]):
                return None
            parts.append(option_markup(option))
        if group:
            parts.append(closing)
    return "".join(parts)


def _option(option: dict) -> str:
    """input_option.html, with input.html in it; each template's last newline kept."""
    html_input = _input(option) + "\n"
    if not option["wrap_label"]:
        return html_input
    label_for = attributes({"for": option["attrs"].get("id") or False})
    return f"<label{label_for}>{html_input} {escaped(option['label'])}</label>\n"

"""Django's format_html and format_html_join for the cells of a list page, without their look for lazy
strings in every argument and in mark_safe (`keep_lazy`: a third of drawing a page's rows, ~1,400
calls for 50). The escaping is Django's own: an argument with `__html__` is taken as it is, anything
else goes through `html.escape(str(…))`, which is what django.utils.html.escape does."""

import html

from django import forms
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


class CheckboxList(forms.CheckboxSelectMultiple):
    """A filter's few choices as checkboxes, drawn in Python: the same HTML as Django's templates
    (multiple_input.html, input_option.html, input.html, attrs.html), which include one another for
    every option, a sixth of a list page's time for its two or three lists of choices."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        own = widget["attrs"]
        parts = [f"<div{attributes({'id': own.get('id') or False, 'class': own.get('class') or False})}>"]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{escaped(group)}</label>")
            for option in options:
                parts.append(f"<div>\n    {_option(option)}\n</div>")
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return SafeString("".join(parts))


def _option(option: dict) -> str:
    """input_option.html, with input.html and attrs.html in it; each template's last newline kept."""
    value = "" if option["value"] is None else f' value="{escaped(option["value"])}"'
    html_input = f'<input type="{escaped(option["type"])}" name="{escaped(option["name"])}"{value}'
    html_input += f"{attributes(option['attrs'])}>\n"
    if not option["wrap_label"]:
        return html_input
    label_for = attributes({"for": option["attrs"].get("id") or False})
    return f"<label{label_for}>{html_input} {escaped(option['label'])}</label>\n"

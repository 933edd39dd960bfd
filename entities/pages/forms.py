"""The page forms of each kind (`FunctionForm`, …), found as `kind.form`.

EntityForm takes the fields from the kind's shape (its writable fields, references as checkboxes when
there may be many); a kind has a class of its own below only for a field it shows its own way.

They are ModelForms only to borrow the models' labels, help texts, choices and widgets: they never
save. The views hand `service_fields()` to `entities.services`, which owns every rule, so a form
shows the same messages as the API and the CLI. Reference fields offer only what the user may see,
by name; the applications field offers only what the user may put entities into.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms.fields import InvalidJSONInput, JSONString
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.html import format_html, format_html_join

from applications import access, scopes
from applications.pages.forms import take_names_as_typed
from applications.selectors import attach_tags
from dispatch_site import parsing
from entities import models as m
from entities.kinds import KINDS, get_kind, kind_of, surface
from entities.rules import NUL_MESSAGE, a, holds_nul


class JSONTextField(forms.JSONField):
    """JSON typed in a form (a schema, system dependencies; in the admin every JSON field), read
    like an API body: nesting bounded before it is decoded, no NaN or Infinity, no NUL character
    (PostgreSQL stores none of them), each a message on the field instead of a 500."""

    def _load(self, text):
        value = parsing.load_json(
            text, limit=settings.DISPATCH_MAX_NESTING, max_values=settings.DISPATCH_MAX_VALUES
        )
        if holds_nul(value):
            raise parsing.ParseError(NUL_MESSAGE)
        return value

    def to_python(self, value):
        if self.disabled or value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        try:
            converted = self._load(value)
        except parsing.ParseError as exc:
            raise ValidationError(str(exc), code="invalid") from None
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data, initial):
        if self.disabled or data is None or not isinstance(data, str):
            return super().bound_data(data, initial)
        try:
            return self._load(data)
        except parsing.ParseError:
            return InvalidJSONInput(data)  # shown again as typed, next to its error


class LFTextField(forms.CharField):
    """Browsers send a textarea's newlines as CRLF; source code keeps the LF it was written with, and its
    leading and trailing whitespace (a final newline, an indented first line)."""

    def __init__(self, *, strip=False, **kwargs):
        super().__init__(strip=strip, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def form_field(model_field, **kwargs):
    """ModelForm's formfield_callback: JSON fields are read by JSONTextField, long text keeps LF."""
    if isinstance(model_field, models.JSONField):
        kwargs.setdefault("form_class", JSONTextField)
    elif isinstance(model_field, models.TextField):
        kwargs.setdefault("form_class", LFTextField)
    return model_field.formfield(**kwargs)


class KeyValueWidget(forms.Widget):
    """Rows of key and value inputs, with a few empty rows to add more; works without JavaScript."""

    extra_rows = 3

    def __init__(self, masked=False, attrs=None):
        super().__init__(attrs)
        self.masked = masked

    def format_value(self, value):
        if isinstance(value, dict):
            return sorted(value.items())
        if isinstance(value, list):
            return [
                (row.get("key", ""), row.get("value", "")) if isinstance(row, dict) else tuple(row)
                for row in value
            ]
        return []

    def value_from_datadict(self, data, files, name):
        return list(zip(data.getlist(f"{name}-key"), data.getlist(f"{name}-value"), strict=False))

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-key" not in data

    def render(self, name, value, attrs=None, renderer=None):
        rows = self.format_value(value) + [("", "")] * self.extra_rows
        value_type = "password" if self.masked else "text"
        body = format_html_join(
            "",
            '<tr><td><input type="text" name="{0}-key" value="{1}" aria-label="Key {3}" '
            'autocomplete="off" spellcheck="false"></td>'
            '<td><input type="{4}" name="{0}-value" value="{2}" aria-label="Value {3}" '
            'autocomplete="off" spellcheck="false"></td></tr>',
            ((name, key, val, index, value_type) for index, (key, val) in enumerate(rows, start=1)),
        )
        return format_html(
            '<table class="key-value" id="{}" data-key-value{}><thead><tr><th scope="col">Key</th>'
            '<th scope="col">Value</th></tr></thead><tbody>{}</tbody></table>',
            (attrs or {}).get("id", f"id_{name}"),
            " data-masked" if self.masked else "",
            body,
        )


class KeyValueField(forms.Field):
    """A string-to-string map (as_map) or Dispatch's list of {key, value} pairs."""

    def __init__(self, *, as_map=True, masked=False, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(widget=KeyValueWidget(masked=masked), **kwargs)
        self.as_map = as_map

    def to_python(self, value):
        pairs = [(str(k).strip(), str(v)) for k, v in (value or []) if str(k).strip() or str(v)]
        keys = [k for k, _ in pairs]
        if "" in keys:
            raise ValidationError("Give every value a key, or clear both.")
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValidationError(f"Key '{duplicates[0]}' appears twice; keep one row per key.")
        return dict(pairs) if self.as_map else [{"key": k, "value": v} for k, v in pairs]


class StringListField(forms.CharField):
    """A JSON list of strings, edited one per line (methods, URIs, hosts…)."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "mono"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class ReferenceChoices(ModelChoiceIterator):
    """A reference's choices labelled with their applications, "hello (app-a)", read with one more
    query (attach_tags, as the lists do; none for system kinds), not one per choice."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        entities = list(self.queryset)
        kind = kind_of(self.queryset.model)
        if not kind.is_system:
            attach_tags(entities)
        for entity in entities:
            label = entity.name
            if not kind.is_system:
                label += f" ({', '.join(app.name for app in entity.applications.all()) or 'unassigned'})"
            yield (ModelChoiceIteratorValue(self.field.prepare_value(entity), entity), label)


class EntityForm(forms.ModelForm):
    """What every kind's form has: name, applications (per the kind's scope), tags and revision."""

    tags = forms.CharField(
        required=False, help_text="Free labels, separated by commas, e.g. role=test, team=web."
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        fields = ["name"]
        formfield_callback = form_field

    def __init_subclass__(cls, **kwargs):
        """A kind's fields are its shape's writable ones but bytes (a function's source folder, sent
        through the API and bundles, not typed on a page); many references are checkboxes."""
        super().__init_subclass__(**kwargs)
        kind = kind_of(cls.Meta.model)
        binary = {f.name for f in cls.Meta.model._meta.fields if isinstance(f, models.BinaryField)}
        cls.Meta.fields = ["name", *(name for name in kind.writable_fields if name not in binary)]
        many = {ref.field: forms.CheckboxSelectMultiple for ref in kind.references if ref.many}
        cls.Meta.widgets = {**many, **getattr(cls.Meta, "widgets", {})}

    def __init__(self, *args, user, current_application=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kind = kind_of(self._meta.model)
        editing = self.instance.pk is not None and not self.instance._state.adding
        self.editing = editing
        for ref in self.kind.references:
            if ref.field in self.fields:
                self._offer_usable(ref)
        self._add_applications_field(current_application)
        if editing:
            self.initial["tags"] = ", ".join(sorted(tag.name for tag in self.instance.tags.all()))
            self.initial["revision"] = self.instance.revision
            for name in set(self._meta.fields) - set(self.initial):  # no column: a secret's values
                self.initial[name] = getattr(self.instance, name)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea) and not isinstance(field, StringListField):
                field.widget.attrs.update(
                    rows=3 if isinstance(field, forms.JSONField) else 8, **{"class": "mono"}
                )
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        take_names_as_typed(self)

    def _offer_usable(self, ref):
        """References offer what the user may point at from this kind (the access layer says which),
        chosen by name and labelled with their applications; an edit keeps offering what the entity
        already uses, so saving it unchanged never fails on a choice that is no longer offered."""
        target = get_kind(ref.kind)
        field = self.fields[ref.field]
        usable = access.usable_entities(target.model, self.user, by_model=self._meta.model)
        if self.editing:
            if ref.many:
                current = [t.pk for t in getattr(self.instance, ref.field).all()]
            else:
                current = [getattr(self.instance, f"{ref.field}_id")]
            usable = usable | access.visible_entities(target.model, self.user).filter(pk__in=current)
        field.iterator = ReferenceChoices  # before the queryset, which makes the widget's choices
        field.queryset = usable.order_by("name")
        field.to_field_name = "name"
        field.error_messages["invalid_choice"] = (
            f"Choose {a(target.label)} from the list (system-scoped, or in an application you develop "
            "in); '%(value)s' is not one of them."
        )
        if self.editing and not ref.many:
            self.initial[ref.field] = getattr(self.instance, ref.field)

    def _add_applications_field(self, current_application):
        scope = self.kind.scope
        if scope not in (scopes.ONE, scopes.MANY):
            return  # system kinds have none; APIs and runs take their function's
        current_ids = [a.pk for a in self.instance.applications.all()] if self.editing else []
        choices = access.visible_applications(self.user).order_by("name")
        if not self.user.is_authenticated:
            choices = choices.none()
        elif not access.may_create(self.user, self._meta.model, []):
            developer_of = access.developer_application_ids(self.user)
            choices = choices.filter(Q(id__in=developer_of) | Q(id__in=current_ids))
        help_text = "Where it belongs; you can choose the applications you develop in."
        if scope == scopes.ONE:
            field = forms.ModelChoiceField(
                choices, to_field_name="name", required=False, empty_label="No application"
            )
            initial = self.instance.applications.all()[0] if current_ids else current_application
        else:
            field = forms.ModelMultipleChoiceField(
                choices, to_field_name="name", required=False, widget=forms.CheckboxSelectMultiple
            )
            initial = list(self.instance.applications.all()) if self.editing else [current_application]
        field.label = "Application" if scope == scopes.ONE else "Applications"
        field.help_text = help_text
        self.fields["applications"] = field
        self.order_fields(["name", "applications"])
        if not self.is_bound and (self.editing or current_application is not None):
            self.initial["applications"] = initial

    def _post_clean(self):
        """No model validation here: the services validate, with the messages every surface shows."""

    def service_fields(self) -> dict:
        """The cleaned fields in the shape `entities.services` expects."""
        fields = {}
        model_fields = {f.name: f for f in self._meta.model._meta.get_fields()}
        for name in self._meta.fields:
            value = self.cleaned_data.get(name)
            model_field = model_fields.get(name)
            if model_field is None:  # a field of the kind's own, e.g. a secret's values
                fields[name] = value
                continue
            if value is None and model_field.has_default():
                value = model_field.get_default()
            if getattr(model_field, "many_to_many", False):
                value = list(value or [])
            fields[name] = value
        return fields

    def service_applications(self):
        """The applications to write, or None to leave them to the kind's scope."""
        if "applications" not in self.fields:
            return None
        value = self.cleaned_data.get("applications")
        if self.kind.scope == scopes.ONE:
            return [value] if value else []
        return list(value or [])

    def service_tags(self) -> list[str]:
        return [tag.strip() for tag in (self.cleaned_data.get("tags") or "").split(",") if tag.strip()]


class SecretForm(EntityForm):
    values = KeyValueField(
        masked=True,
        help_text="Names and values; values are encrypted at rest and hidden in lists.",
    )

    class Meta(EntityForm.Meta):
        model = m.Secret


class APIForm(EntityForm):
    methods = StringListField(help_text="One per line, e.g. GET and POST.")
    protocols = StringListField(help_text="One per line, e.g. https.")
    uris = StringListField(label="URIs", help_text="One per line, e.g. /hello.")
    hosts = StringListField(help_text="One per line; empty for any host.")

    class Meta(EntityForm.Meta):
        model = m.API
        labels = {"cors": "CORS"}


class EventDriverTypeForm(EntityForm):
    config = KeyValueField(as_map=False, help_text="Settings every driver of this type gets.")

    class Meta(EntityForm.Meta):
        model = m.EventDriverType


class EventDriverForm(EntityForm):
    config = KeyValueField(as_map=False, help_text="The driver's settings, e.g. seconds = 2.")

    class Meta(EntityForm.Meta):
        model = m.EventDriver


# Runs have no form: they are runtime records, read-only on the pages.
FORMS = surface(EntityForm, [kind for kind in KINDS if not kind.read_only])

"""Forms of the application pages. Like the entity forms, they only collect input: the writes and
their messages come from `applications.services` and `applications.tokens`."""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import RegexValidator

from applications.models import QUOTA_FIELDS, Application, Role, Status


def take_names_as_typed(form) -> None:
    """Text fields a pattern checks (names, event types) keep what was typed: "hello-py\n" is refused
    by the pattern, not trimmed silently into another name."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    for name, field in form.fields.items():
        validators = list(field.validators)
        if model is not None:
            try:
                validators += model._meta.get_field(name).validators
            except FieldDoesNotExist:
                pass
        if isinstance(field, forms.CharField) and any(isinstance(v, RegexValidator) for v in validators):
            field.strip = False


class ApplicationForm(forms.Form):
    name = forms.CharField(
        max_length=63,
        strip=False,  # the service's pattern refuses "x\n"; trimming it would accept another name
        help_text="Lowercase letters, digits and '-', e.g. example-app; it appears in URLs.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(choices=Status.choices, initial=Status.READY)
    tags = forms.CharField(required=False, help_text="Free labels, separated by commas, e.g. team=payments.")
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, application=None, quotas=False, **kwargs):
        """`quotas`: show the quota fields (to staff, who alone may change them)."""
        super().__init__(*args, **kwargs)
        if quotas and application is not None:
            for name in QUOTA_FIELDS:
                field = Application._meta.get_field(name)
                self.fields[name] = forms.IntegerField(
                    required=False,
                    min_value=0,
                    label=field.verbose_name.capitalize(),
                    help_text=field.help_text,
                )
                self.initial[name] = getattr(application, name)
        if application is None:
            del self.fields["status"]  # a new application is READY
        else:
            self.initial.update(
                name=application.name,
                description=application.description,
                status=application.status,
                tags=", ".join(sorted(tag.name for tag in application.tags.all())),
                revision=application.revision,
            )

    def quotas(self) -> dict | None:
        """The quotas typed in, or None when the form does not show them."""
        if "max_concurrent_runs" not in self.fields:
            return None
        return {name: self.cleaned_data.get(name) for name in QUOTA_FIELDS}

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]


class DeleteApplicationForm(forms.Form):
    cascade = forms.ChoiceField(
        choices=[
            ("delete", "Delete the entities only this application holds; shared ones lose the tag"),
            ("orphan", "Keep every entity; only remove the application's tag from them"),
        ],
        initial="delete",
        widget=forms.RadioSelect,
    )


class MemberForm(forms.Form):
    """Add a member, or change a member's role: a user by username or a group by name."""

    member = forms.CharField(
        max_length=150,
        label="User or group",
        help_text="A username, or group:NAME for a group, e.g. group:payments.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="What it is for, e.g. laptop or ci-deploy."
    )

"""The Django admin for every kind of entity, driven by the kind registry.

`EntityAdmin` holds what every kind shares: the columns (applications, status, tags, created), the
filters (application with "Unassigned", status, tag; they ask the kind's shared FilterSet), search,
autocomplete for references, read-only record fields, writes and deletes through entities.services,
and the bulk actions "Add to application…", "Remove from application…" and "Move to application…".
The per-kind admins at the bottom are configuration: their model and a few extra columns each; the
registry registers every kind, with EntityAdmin for a kind that has nothing of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from taggit.models import Tag

from applications import access, scopes
from applications.admin import ServiceAdmin, ServiceForm
from applications.models import Application
from applications.selectors import attach_tags
from dispatch_site import parsing
from dispatch_site.errors import REFUSALS, reason_of

from . import models as m
from . import rules, services
from .kinds import KINDS, kind_of
from .models import Entity, LabelItem
from .pages.forms import JSONTextField, LFTextField
from .selectors import entity_queryset

COMMON_FIELDS = {f.name for f in Entity._meta.local_fields} | {
    f.name for f in Entity._meta.local_many_to_many
}
RECORD_FIELDS = ("id", "revision", "created", "modified", "created_by")
NEVER_SHOWN = {"encrypted_values"}  # a secret's ciphertext: not even that leaves the database
NEVER_SHOWN |= {"source_archive"}  # a function's folder: its file list (source_file_names) is shown
UNASSIGNED = "_unassigned"  # '_' is not allowed in application names, so this cannot be one


def own_fields(model) -> tuple[list[str], list[str]]:
    """A kind's fields beyond the common ones, as (editable, read-only) names."""
    editable, read_only = [], []
    for f in [*model._meta.fields, *model._meta.many_to_many]:
        if f.name not in COMMON_FIELDS and f.name not in NEVER_SHOWN:
            (editable if f.editable else read_only).append(f.name)
    return editable, read_only


class EntityChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        attach_tags(self.result_list)


# --- list filters -------------------------------------------------------------------------------


class KindFilter(admin.SimpleListFilter):
    """A list filter that asks the kind's FilterSet, so the admin filters exactly like the API and pages."""

    def filter_data(self, value: str) -> dict:
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        data = QueryDict(mutable=True)
        data.update(self.filter_data(self.value()))
        filterset_class = kind_of(queryset.model).filterset
        filterset = filterset_class(data=data, queryset=queryset, request=request)
        return filterset.qs if filterset.is_valid() else queryset.none()


class ApplicationFilter(KindFilter):
    """Every application the user may see, and "Unassigned": EXISTS on the application items."""

    title = "application"
    parameter_name = "application"

    def lookups(self, request, model_admin):
        names = access.visible_applications(request.user).values_list("name", flat=True)
        return [*((name, name) for name in names), (UNASSIGNED, "Unassigned")]

    def filter_data(self, value):
        return {"unassigned": "true"} if value == UNASSIGNED else {"application": value}


class TagFilter(KindFilter):
    """The free labels used by this kind."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        content_type = ContentType.objects.get_for_model(model_admin.model)
        used = LabelItem.objects.filter(content_type=content_type, tag=OuterRef("pk"))
        names = Tag.objects.filter(Exists(used)).order_by("name").values_list("name", flat=True)
        return [(name, name) for name in names]

    def filter_data(self, value):
        return {"tag": value}


class FunctionNameFilter(KindFilter):
    """Runs by the name of their function, among the functions of the runs the user may see."""

    title = "function"
    parameter_name = "function"

    def lookups(self, request, model_admin):
        runs = model_admin.get_queryset(request).order_by("function_name")
        names = runs.values_list("function_name", flat=True).distinct()[:200]
        return [(name, name) for name in names]

    def filter_data(self, value):
        return {"function": value}


# --- forms ----------------------------------------------------------------------------------------


class ApplicationsWidget(FilteredSelectMultiple):
    """The two-box selector, in a box of its own: its script puts the boxes first in the widget's
    parent, which without this box is the row itself, so the "Applications" label landed after them."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html("<div>{}</div>", super().render(name, value, attrs, renderer))


class EntityForm(ServiceForm):
    """Creates and changes an entity through entities.services, with only the fields that changed."""

    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        to_field_name="name",
        required=False,
        widget=ApplicationsWidget("applications", is_stacked=False),
        help_text="A new API or run left without any takes its function's applications.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "applications" not in self.fields:
            return
        visible = access.visible_applications(self.user)
        kind = kind_of(self._meta.model)
        if kind.scope != scopes.ONE:
            self.fields["applications"].queryset = visible
            return
        # One application at most: a single select. Its initial value is the first of the list the
        # form already read for the multiple field (no query of its own), and its choices are the one
        # query of the applications the user may see, as for the multiple field.
        self.fields["applications"] = forms.ModelChoiceField(
            queryset=visible,
            to_field_name="name",
            required=False,
            empty_label="— none (unassigned) —",
            help_text=f"{rules.A(kind.label)} is in one application at most; leave it empty to keep it "
            "in none.",
        )
        self.initial["applications"] = next(iter(self.initial.get("applications") or []), None)

    def chosen_applications(self) -> list[Application]:
        """The applications picked, as a list whether the field is a single or a multiple select."""
        chosen = self.cleaned_data["applications"]
        if isinstance(chosen, Application):
            return [chosen]
        return list(chosen or [])

    def service_fields(self) -> dict:
        kind = kind_of(self._meta.model)
        model_fields = {f.name for f in kind.model._meta.get_fields() if f.concrete}
        many = {ref.field for ref in kind.references if ref.many}
        names = [n for n in self.fields if n in model_fields and n not in ("applications", "tags")]
        if not self.instance._state.adding:
            names = [n for n in names if self.changed(n)]
        return {n: list(self.cleaned_data[n]) if n in many else self.cleaned_data[n] for n in names}

    def write(self):
        kind = kind_of(self._meta.model)
        data = self.cleaned_data
        applications = self.chosen_applications() if self.changed("applications") else None
        tags = list(data["tags"]) if self.changed("tags") else None
        if self.instance._state.adding:
            return services.entity_create(
                kind=kind, user=self.user, fields=self.service_fields(), applications=applications, tags=tags
            )
        return services.entity_update(
            entity=self.instance,
            user=self.user,
            fields=self.service_fields(),
            applications=applications,
            tags=tags,
            revision=data.get("expected_revision"),
        )


class WriteOnlyTextarea(forms.Textarea):
    """Never renders a value: what was typed is not echoed back, not even next to an error."""

    def format_value(self, value):
        return None


def parse_secret_values(text: str) -> dict | None:
    """`KEY=value` lines or a JSON object; None when empty (keep the current values)."""
    if not text.strip():
        return None
    if text.lstrip().startswith("{"):
        try:
            values = parsing.load_json(
                text, limit=settings.DISPATCH_MAX_NESTING, max_values=settings.DISPATCH_MAX_VALUES
            )
        except parsing.ParseError:
            raise ValidationError(
                "The values are not a valid JSON object; write a JSON object or one KEY=value per line."
            ) from None
        if not isinstance(values, dict):
            raise ValidationError("Write the values as a JSON object or as one KEY=value per line.")
        return values
    values = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValidationError(f"Line {number} has no '='; write one KEY=value per line.")
        values[key.strip()] = value
    return values


class SecretForm(EntityForm):
    """Values are write-only: typed in to replace all of them, never shown, never pre-filled."""

    service_error_fields = {"values": "new_values"}

    new_values = forms.CharField(
        label="New values",
        required=False,
        strip=False,
        widget=WriteOnlyTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=(
            "Replaces all the values: one KEY=value per line, or a JSON object. Leave it empty to keep "
            "the current values; they are never shown here."
        ),
    )

    def clean_new_values(self):
        return parse_secret_values(self.cleaned_data.get("new_values") or "")

    def service_fields(self) -> dict:
        fields = super().service_fields()
        if self.cleaned_data.get("new_values") is not None:
            fields["values"] = self.cleaned_data["new_values"]
        return fields


class ApplicationChoiceForm(forms.Form):
    application = forms.ModelChoiceField(
        queryset=Application.objects.none(), to_field_name="name", empty_label=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = access.visible_applications(user)


# --- bulk application changes ---------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationChange:
    """One bulk action on the selected entities' applications: how it changes them, and its words."""

    action: str  # the admin action's name
    verb: str  # "Add", as in "Add functions to an application" and its button "Add to application"
    preposition: str  # "to"
    done: str  # "added to", as in "2 functions added to application 'app-a'."
    left_alone: str  # "already in it": what an entity the change would not alter is
    explanation: str  # what the intermediate page says the action does, with {plural}
    target: Callable[[set[str], str], set[str]]  # (current names, the picked name) -> new names

    def title(self, kind) -> str:
        return f"{self.verb} {kind.label_plural} {self.preposition} an application"

    def button(self) -> str:
        return f"{self.verb} {self.preposition} application"


ADD = ApplicationChange(
    action="add_to_application",
    verb="Add",
    preposition="to",
    done="added to",
    left_alone="already in it",
    explanation="Add these {plural} to the application you pick:",
    target=lambda current, name: current | {name},
)
REMOVE = ApplicationChange(
    action="remove_from_application",
    verb="Remove",
    preposition="from",
    done="removed from",
    left_alone="not in it",
    explanation="Take these {plural} out of the application you pick:",
    target=lambda current, name: current - {name},
)
MOVE = ApplicationChange(
    action="move_to_application",
    verb="Move",
    preposition="to",
    done="moved to",
    left_alone="already only in it",
    explanation="Move these {plural} out of the applications they are in, into the one you pick:",
    target=lambda current, name: {name},
)


@dataclass
class BatchOutcome:
    total: int = 0
    changed: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    refused: list[tuple[object, str]] = field(default_factory=list)  # (entity, reason)


@transaction.atomic
def change_applications(*, entities, user, application, change: ApplicationChange) -> BatchOutcome:
    """Add every entity to the application, take it out, or move it there, through entity_update
    (scope, references and roles apply): all or nothing.

    Each entity is tried, so every refusal is known; if any is refused, the whole batch is rolled
    back and `changed` is empty.
    """
    entities = list(entities)
    outcome = BatchOutcome(total=len(entities))
    for entity in entities:
        current = entity.application_names()
        target = sorted(change.target(set(current), application.name))
        if target == current:
            outcome.unchanged.append(entity)
            continue
        try:
            with transaction.atomic():
                services.entity_update(entity=entity, user=user, applications=target)
        except REFUSALS as exc:
            outcome.refused.append((entity, reason_of(exc)))
        else:
            outcome.changed.append(entity)
    if outcome.refused:
        transaction.set_rollback(True)
        outcome.changed = []
    return outcome


# --- the admin every kind shares --------------------------------------------------------------------


class EntityAdmin(ServiceAdmin):
    """Everything the kinds share; subclasses add `columns` (and a form, for secrets)."""

    form = EntityForm
    formfield_overrides = {
        models.JSONField: {"form_class": JSONTextField},
        models.TextField: {"form_class": LFTextField},
    }
    columns: tuple[str, ...] = ()  # the kind's own list columns
    extra_fields: tuple[str, ...] = ()  # the kind's own extra form/read-only fields
    write_only_fields: tuple[str, ...] = ()  # shown only to those who may change the entity
    extra_readonly: tuple[str, ...] = ()
    list_per_page = 50
    show_full_result_count = False  # saves a second COUNT(*) per page
    actions = ["add_to_application", "remove_from_application", "move_to_application"]
    change_applications_template = "admin/entities/change_applications.html"

    @cached_property
    def kind(self):
        return kind_of(self.model)

    def get_queryset(self, request):
        return entity_queryset(
            self.kind, request.user, queryset=super().get_queryset(request), many_references=False
        )

    def get_changelist(self, request, **kwargs):
        return EntityChangeList

    def view_on_site(self, obj):
        return f"/{self.kind.plural}/{obj.name}/"  # its page on the web pages

    def get_list_display(self, request):
        return ("name", "application_list", "status", *self.columns, "tag_list", "created")

    def get_list_filter(self, request):
        if self.kind.is_system:
            return ("status", TagFilter)
        return (ApplicationFilter, "status", TagFilter)

    def get_search_fields(self, request):
        return self.kind.filterset.search_fields

    def get_autocomplete_fields(self, request):
        return [ref.field for ref in self.kind.references]

    def get_readonly_fields(self, request, obj=None):
        _, read_only = own_fields(self.model)
        name = ("name",) if self.kind.named_by_id else ()
        return (*name, *RECORD_FIELDS, *read_only, *self.extra_readonly)

    def get_fieldsets(self, request, obj=None):
        editable, read_only = own_fields(self.model)
        placement = ["tags"] if self.kind.is_system else ["applications", "tags"]
        # Write-only fields mean nothing on a view-only page.
        writes = obj is None or self.has_change_permission(request, obj)
        revision = ["expected_revision"] if writes else []
        write_only = list(self.write_only_fields) if writes else []
        return [
            (None, {"fields": ["name", "status", *self._reason(obj), *revision]}),
            (capfirst(self.kind.label), {"fields": [*editable, *read_only, *self.extra_fields, *write_only]}),
            ("Applications and tags", {"fields": placement}),
            ("Record", {"fields": list(RECORD_FIELDS)}),
        ]

    @staticmethod
    def _reason(obj) -> list[str]:
        """The reason is why the status is ERROR: an empty `[]` box on every other entity says nothing."""
        return ["reason"] if obj is not None and obj.reason else []

    @admin.display(description="applications")
    def application_list(self, obj):
        # Links filter this list by the application; names come from the prefetch cache.
        names = obj.application_names()
        if not names:
            return "—"
        return format_html_join(", ", '<a href="?application={}">{}</a>', ((n, n) for n in names))

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all())) or "—"

    def delete_through_service(self, request, obj):
        services.entity_delete(entity=obj, user=request.user)

    # --- bulk actions ---

    @admin.action(description="Add to application…", permissions=["change"])
    def add_to_application(self, request, queryset):
        return self._change_applications(request, queryset, ADD)

    @admin.action(description="Remove from application…", permissions=["change"])
    def remove_from_application(self, request, queryset):
        return self._change_applications(request, queryset, REMOVE)

    @admin.action(description="Move to application…", permissions=["change"])
    def move_to_application(self, request, queryset):
        return self._change_applications(request, queryset, MOVE)

    def _change_applications(self, request, queryset, change: ApplicationChange):
        """Pick the application on an intermediate page, then change the whole selection or none of it."""
        entities = list(queryset)
        if not entities:  # deleted meanwhile, or never visible to this user: the same to them
            self.message_user(
                request,
                f"None of the selected {self.kind.label_plural} exist; select them again from the list.",
                messages.WARNING,
            )
            return None
        attach_tags(entities)
        if "apply" in request.POST:
            form = ApplicationChoiceForm(request.POST, user=request.user)
            if form.is_valid():
                application = form.cleaned_data["application"]
                outcome = change_applications(
                    entities=entities, user=request.user, application=application, change=change
                )
                self._report(request, outcome, application, change)
                return None  # back to the list
        else:
            form = ApplicationChoiceForm(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": change.title(self.kind),
            "subtitle": None,
            "opts": self.opts,
            "kind": self.kind,
            "change": change,
            "explanation": change.explanation.format(plural=self.kind.label_plural),
            "left_alone": f"{rules.A(self.kind.label)} that is {change.left_alone} is left alone.",
            "form": form,
            "queryset": entities,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, self.change_applications_template, context)

    def _report(self, request, outcome: BatchOutcome, application, change: ApplicationChange) -> None:
        label = self.kind.label
        refused = len(outcome.refused)
        if outcome.refused:
            for entity, reason in outcome.refused:
                self.message_user(
                    request, f"{capfirst(label)} '{entity}' was refused: {reason}", messages.ERROR
                )
            self.message_user(
                request,
                f"Nothing was changed: {refused} of the {outcome.total} selected {self.kind.label_plural} "
                f"{'was' if refused == 1 else 'were'} refused. Deselect or fix them and try again.",
                messages.WARNING,
            )
            return
        for entity in outcome.changed:
            self.log_change(request, entity, f"{change.done.capitalize()} application '{application.name}'.")
        self.message_user(
            request,
            f"{len(outcome.changed)} {label if len(outcome.changed) == 1 else self.kind.label_plural} "
            f"{change.done} application '{application.name}'.",
            messages.SUCCESS,
        )
        if outcome.unchanged:
            self.message_user(
                request,
                f"Left alone, {change.left_alone}: {', '.join(str(e) for e in outcome.unchanged)}.",
                messages.INFO,
            )


# --- the kinds: configuration only --------------------------------------------------------------------


class BaseImageAdmin(EntityAdmin):
    model = m.BaseImage
    columns = ("language", "docker_url")


class ImageAdmin(EntityAdmin):
    model = m.Image
    columns = ("base_image", "language")


class SecretAdmin(EntityAdmin):
    model = m.Secret
    form = SecretForm
    columns = ("value_keys",)
    extra_fields = ("value_keys",)
    write_only_fields = ("new_values",)
    extra_readonly = ("value_keys",)

    @admin.display(description="keys")
    def value_keys(self, obj):
        return ", ".join(obj.keys) or "—"


class FunctionAdmin(EntityAdmin):
    model = m.Function
    columns = ("image", "handler")


class APIAdmin(EntityAdmin):
    model = m.API
    columns = ("function", "enabled")


class EventDriverTypeAdmin(EntityAdmin):
    model = m.EventDriverType
    columns = ("image", "built_in")


class EventDriverAdmin(EntityAdmin):
    model = m.EventDriver
    columns = ("type",)


class SubscriptionAdmin(EntityAdmin):
    model = m.Subscription
    columns = ("event_type", "function", "topic")


class FunctionRunAdmin(EntityAdmin):
    """Runs are records of what happened: shown, filtered and deleted here, never made or changed."""

    model = m.FunctionRun
    columns = ("function_name", "error_type", "duration")
    actions = []  # a run keeps the applications it was made in

    def get_list_filter(self, request):
        return (ApplicationFilter, "status", FunctionNameFilter, "error_type", TagFilter)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Every kind in the admin: its own class where it has one (its model), else the shared EntityAdmin.
ADMINS = {getattr(cls, "model", None): cls for cls in EntityAdmin.__subclasses__()}
for _kind in KINDS:
    admin.site.register(_kind.model, ADMINS.get(_kind.model, EntityAdmin))


# Labels change on their entities, through the services (which count revisions), not in taggit's own
# admin, where renaming or deleting a label would change many entities behind their backs.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)

from .events import admin as _event_admin  # noqa: E402, F401 - registers the read-only event log

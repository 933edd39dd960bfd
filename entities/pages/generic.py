"""Generic page views, like NetBox's ObjectListView / ObjectView / ObjectEditView / ObjectDeleteView.

A concrete page is one of these configured with a kind from the registry (see urls.py): the kind
brings its model, FilterSet, Table and Form. Reads go through the access gate (what a user may not
see is a 404), writes through `entities.services` (so the rules and messages are the API's).
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_tables2 import RequestConfig

from applications import access, scopes
from applications.pages import switcher
from applications.selectors import attach_tags
from dispatch_site.errors import REFUSALS, add_service_errors, page_status, reason_of, refuse_form
from dispatch_site.parsing import parse_whole_number
from dispatch_site.plans import planned_for
from entities import reveal, services
from entities.kinds import Kind, get_kind, referrers_of
from entities.pages.links import other_surfaces
from entities.rules import upper_first
from entities.selectors import count_in_application, entity_queryset, listed_entities

PER_PAGE = 50
PRIMARY_FILTERS = ("search", "application", "status")
USED_BY_LIMIT = 10
# Derived values worth showing on a detail page, beside the model's fields.
DETAIL_PROPERTIES = {
    "Subscription": ("topic",),
    "FunctionRun": ("duration",),
    "Function": ("source_folder",),  # its files, one a line
}
# Shown elsewhere on the page, secret, or bookkeeping (`unassigned` is the gate's index flag).
HIDDEN_FIELDS = {"id", "name", "status", "reason", "applications", "tags", "revision"} | {
    "encrypted_values",
    "unassigned",
    "source_archive",
    "source_file_names",
}


def form_class(kind: Kind):
    """The kind's page form, or None for read-only kinds (runs)."""
    return None if kind.read_only else kind.form


def list_url(kind: Kind) -> str:
    return reverse(f"pages:{kind.plural}-list")


def detail_url(entity) -> str:
    return f"{list_url(entity.kind)}{entity.name}/"


def may_create_somewhere(request, kind: Kind) -> bool:
    """Show "New …" to staff with the add permission and to developers of some application."""
    if form_class(kind) is None:
        return False
    if access.may_create(request.user, kind.model, []):
        return True
    if kind.is_system or kind.scope not in (scopes.ONE, scopes.MANY, scopes.FOLLOWS_FUNCTION):
        return False
    return switcher.develops_somewhere(request)


def no_store_if_secret(response, holds_secret_values: bool):
    """Pages that show secret values in clear must not stay in a browser's or proxy's cache."""
    if holds_secret_values:
        response["Cache-Control"] = "no-store"
    return response


class KindView(LoginRequiredMixin, View):
    """A page about one kind; `kind` is set by urls.py."""

    kind: Kind = None

    def base_context(self, **extra):
        kind = self.kind
        return {
            "kind": kind,
            "title_singular": upper_first(kind.label),
            "title_plural": upper_first(kind.label_plural),
            "list_url": list_url(kind),
            **extra,
        }

    def get_object(self, request, name):
        """The visible entity by name (and in ?application=X when given), else a 404."""
        queryset = entity_queryset(self.kind, request.user, labels=True)
        application = request.GET.get("application")
        if application:  # in the entity's own query, and only an application the user sees
            in_it = access.in_application_named(self.kind.model, request.user, application)
            queryset = queryset.filter(in_it)
        entity = queryset.filter(name=name).first()
        if entity is None:
            raise Http404(f"There is no {self.kind.label} named '{name}' that you can see.")
        return entity


class ObjectListView(KindView):
    """A sortable, filtered, paginated table; the current application filters it unless the URL says."""

    template_name = "pages/object_list.html"

    def get(self, request):
        kind = self.kind
        filters = ListFilters(request)
        filterset_class = kind.filterset
        # the application asked for, or the current one
        queryset, narrowed_to = listed_entities(kind, request.user, filters.data.getlist("application"))
        filterset = filterset_class(filters.data, queryset=queryset, request=request, narrowed_to=narrowed_to)
        valid = filters.prepare(filterset)
        # A filter that does not parse (an unknown application, a bad date) shows its error and no
        # rows: ignoring it would list more than was asked for.
        rows = filterset.qs if valid else filterset.queryset.none()
        count = None
        if valid and filterset.asks_only_its_application():  # every entity of the kind in one application
            count = count_in_application(kind, narrowed_to)  # from its items: one index range
        table = filters.paginate(kind.table(rows), references=True, count=count)
        may_create = may_create_somewhere(request, kind)
        context = self.base_context(**filters.context(table), may_create=may_create)
        return render(request, self.template_name, context, status=200 if valid else 400)


class CountedPaginator(Paginator):
    """Django's paginator, for a list whose length is known already."""

    def __init__(self, object_list, per_page, *args, count: int, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


class ListFilters:
    """What every list page does with its filters: the current application (the switcher's) unless the
    URL names one, the form's few-choice filters as checkboxes, the primary filters in view and the
    rest folded under "More filters", and one page of the table with its rows' labels attached."""

    def __init__(self, request, primary=PRIMARY_FILTERS):
        self.request = request
        self.primary = primary
        self.data = request.GET.copy()
        self.current = switcher.current_application(request)
        if self.current is not None and "application" not in self.data and not self.data.get("unassigned"):
            self.data.setlist("application", [self.current.name])

    def prepare(self, filterset) -> bool:
        """Shape the filter form for a page; whether the filters are valid."""
        self.form = form = filterset.form
        form.fields["application"].use_known(switcher.visible_applications(self.request))
        form.fields.pop("ordering", None)  # the table's headers sort
        for name in self.primary:  # few choices: checkboxes read better than a list box
            field = form.fields.get(name)
            if field is not None and hasattr(field, "choices"):
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        form.fields["application"].help_text = "None ticked: the current application, or all."
        return filterset.is_valid()

    def paginate(self, table, references: bool = False, count: int | None = None):
        """One page of the table, with its rows' labels (and `references`: many-to-many) attached; the
        table's length is `count` when it is known, else counted."""
        paginate = {"per_page": PER_PAGE}
        if count is not None:
            paginate |= {"paginator_class": CountedPaginator, "count": count}
        RequestConfig(self.request, paginate=paginate).configure(table)
        with planned_for(table.paginator.count):  # the page's rows are read here
            attach_tags((row.record for row in table.page.object_list), references=references)
        return table

    def context(self, table) -> dict:
        form, request = self.form, self.request
        more = [form[name] for name in form.fields if name not in self.primary]
        return {
            "table": table,
            "filter_form": form,
            "primary_filters": [form[name] for name in self.primary if name in form.fields],
            "more_filters": more,
            "more_filters_used": any(request.GET.get(field.name) for field in more),
            "current_application": self.current,
            "filtered_by_session": self.current is not None and "application" not in request.GET,
        }


def detail_rows(entity, kind: Kind) -> list[tuple[str, object, str]]:
    """(label, value, how to show it) for every field a detail page lists."""
    rows = []
    references = {ref.field: ref for ref in kind.references}
    for field in kind.model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.name in HIDDEN_FIELDS:
            continue
        if field.auto_created and not field.many_to_many:
            continue
        label = upper_first(str(getattr(field, "verbose_name", field.name)))
        if field.name in references:
            target = get_kind(references[field.name].kind)
            value = getattr(entity, field.name)
            targets = list(value.all()) if field.many_to_many else [value]
            links = [(f"{list_url(target)}{t.name}/", t.name) for t in targets if t is not None]
            rows.append((label, links, "links"))
        elif field.get_internal_type() == "JSONField":
            rows.append((label, json.dumps(getattr(entity, field.name), indent=2, ensure_ascii=False), "pre"))
        elif field.get_internal_type() == "DateTimeField":
            value = getattr(entity, field.name)
            rows.append((label, value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else None, "text"))
        elif field.get_internal_type() == "BooleanField":
            rows.append((label, "Yes" if getattr(entity, field.name) else "No", "text"))
        elif field.get_internal_type() == "TextField":
            rows.append((label, getattr(entity, field.name), "pre"))
        elif field.name == "created_by":
            user = getattr(entity, field.name)
            rows.append((label, user.get_username() if user else "", "text"))
        else:
            display = getattr(entity, f"get_{field.name}_display", None)
            rows.append((label, display() if display else getattr(entity, field.name), "text"))
    for name in DETAIL_PROPERTIES.get(kind.model_name, ()):
        value = getattr(entity, name)
        if value == "":  # e.g. no source folder: the source is text, shown above
            continue
        rows.append((upper_first(name.replace("_", " ")), value, "pre" if "\n" in str(value) else "text"))
    return rows


def used_by(entity, kind: Kind, user) -> list[dict]:
    """Visible entities of other kinds that reference this one: one query per referring kind."""
    groups = []
    for other, ref in referrers_of(kind):
        users = list(
            access.visible_entities(other.model, user)
            .filter(**{ref.field: entity})
            .order_by("name")
            .values_list("name", flat=True)[: USED_BY_LIMIT + 1]
        )
        if not users:
            continue
        filterset = other.filterset
        param = ref.field if ref.field in filterset.base_filters else ref.kind
        groups.append(
            {
                "kind": other,
                "title": upper_first(other.label_plural),
                "prefix": list_url(other),
                "names": users[:USED_BY_LIMIT],
                "more_url": f"{list_url(other)}?{param}={entity.name}",
                "more": len(users) > USED_BY_LIMIT,
            }
        )
    return groups


class ObjectView(KindView):
    """Every field, applications, tags, references as links and what uses it."""

    template_name = "pages/object_detail.html"

    def get(self, request, name):
        kind = self.kind
        entity = self.get_object(request, name)
        is_secret = kind.holds_secret
        # ?reveal=true as on the API: a bad flag is a 400, a viewer who asks a 403 (entities/reveal.py)
        revealed = is_secret and reveal.asked(request.GET)
        if revealed:
            reveal.revealed_secrets(request.user, [entity], by_name=True)
        may_reveal = revealed or (is_secret and access.may_reveal_secret(request.user, entity))
        context = self.base_context(
            object=entity,
            rows=detail_rows(entity, kind),
            used_by=used_by(entity, kind, request.user),
            application_names=entity.application_names(),
            tag_names=sorted(tag.name for tag in entity.tags.all()),
            may_change=form_class(kind) is not None and access.may_change(request.user, entity),
            may_delete=form_class(kind) is not None and access.may_delete(request.user, entity),
            secret_values=sorted(entity.values.items()) if is_secret else None,
            may_reveal=may_reveal,
            revealed=revealed,
            run_form=None,  # always set: a missing variable is logged with the whole context
            surface_links=other_surfaces(request.user, entity, api_basename=kind.name),
        )
        if kind.runnable:
            from .runs import run_form_context  # runs.py builds on this module

            context.update(run_form_context(request.user, entity))
        return no_store_if_secret(render(request, self.template_name, context), context["revealed"])


class TrialWrite(Exception):
    """Rolls back a write that was only tried, to collect the services' refusals."""


class ObjectEditView(KindView):
    """Create (no name in the URL) or edit an entity through the services."""

    template_name = "pages/object_edit.html"

    def get_form(self, request, entity=None, data=None):
        return form_class(self.kind)(
            data,
            instance=entity,
            user=request.user,
            current_application=switcher.current_application(request),
        )

    def get_entity(self, request, name):
        if name is None:
            if not may_create_somewhere(request, self.kind):
                raise PermissionDenied(
                    f"You need the developer role in an application to create {self.kind.label_plural}."
                )
            return None
        entity = self.get_object(request, name)
        if not access.may_change(request.user, entity):
            raise PermissionDenied(
                f"You need the developer role in an application of {self.kind.label} '{entity.name}' "
                "to change it."
            )
        return entity

    def respond(self, request, form, entity, status=200):
        context = self.base_context(form=form, object=entity)
        response = render(request, self.template_name, context, status=status)
        return no_store_if_secret(response, self.kind.holds_secret)

    def get(self, request, name=None):
        entity = self.get_entity(request, name)
        return self.respond(request, self.get_form(request, entity), entity)

    def save(self, request, form, entity):
        if entity is None:
            return services.entity_create(
                kind=self.kind,
                user=request.user,
                fields=form.service_fields(),
                applications=form.service_applications(),
                tags=form.service_tags(),
            )
        return services.entity_update(
            entity=entity,
            user=request.user,
            fields=form.service_fields(),
            applications=form.service_applications(),
            tags=form.service_tags(),
            revision=form.cleaned_data.get("revision"),
        )

    def add_errors_of_the_services(self, request, form, entity) -> None:
        """The services' refusals of the fields the form did accept, beside the form's own errors, so
        that one submission shows every problem (a taken name beside bad JSON). The write is tried in a
        transaction that is always rolled back; a refusal that is not about fields (a permission, a
        stale revision) is left to the submission that has no form error. Without a valid single
        reference (an API's function) there is nothing to try: the services start from it."""
        if any(ref.field in form.errors for ref in self.kind.references if not ref.many):
            return
        try:
            with transaction.atomic():
                self.save(request, form, entity)
                raise TrialWrite
        except TrialWrite:
            pass
        except ValidationError as error:
            other_fields = {
                field: messages
                for field, messages in error.update_error_dict({}).items()
                if field not in form.errors
            }
            if other_fields:
                add_service_errors(form, ValidationError(other_fields))
        except REFUSALS:
            pass  # not about fields: the submission without form errors reports it

    def post(self, request, name=None):
        entity = self.get_entity(request, name)
        form = self.get_form(request, entity, data=request.POST)
        if not form.is_valid():
            self.add_errors_of_the_services(request, form, entity)
            return self.respond(request, form, entity, status=400)
        try:
            saved = self.save(request, form, entity)
        except REFUSALS as error:
            return self.respond(request, form, entity, status=refuse_form(form, error))
        verb = "created" if entity is None else "saved"
        messages.success(request, f"{upper_first(self.kind.label)} '{saved.name}' {verb}.")
        return redirect(detail_url(saved))


class ObjectDeleteView(KindView):
    """A confirmation page that says what uses the entity, then the delete through the services."""

    template_name = "pages/object_delete.html"

    def get_entity(self, request, name):
        entity = self.get_object(request, name)
        if not access.may_delete(request.user, entity):
            raise PermissionDenied(
                f"You need the developer role in every application of {self.kind.label} "
                f"'{entity.name}' to delete it."
            )
        return entity

    def respond(self, request, entity, error=None, status=200):
        context = self.base_context(
            object=entity, used_by=used_by(entity, self.kind, request.user), error=error
        )
        return render(request, self.template_name, context, status=status)

    def get(self, request, name):
        return self.respond(request, self.get_entity(request, name))

    def post(self, request, name):
        entity = self.get_entity(request, name)
        revision = request.POST.get("revision") or None
        try:
            if revision is not None:
                revision = parse_whole_number(revision, name="revision")
            services.entity_delete(entity=entity, user=request.user, revision=revision)
        except REFUSALS as error:
            return self.respond(request, entity, error=reason_of(error), status=page_status(error))
        messages.success(request, f"{upper_first(self.kind.label)} '{entity.name}' deleted.")
        return redirect(list_url(self.kind))

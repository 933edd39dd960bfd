"""The Django admin for applications, their members, users, groups and API tokens.

It also holds the plumbing every Dispatch admin shares: forms that write through the services while
they validate (so a refused write shows on the form, not as a 500), and deletes through the services
whose refusals come back as messages. Entity admins build on it in entities/admin.py.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from dispatch_site.errors import REFUSALS, add_refusal, reason_of

from . import access, services, tokens
from .models import QUOTA_FIELDS, APIToken, Application, Membership, Role, application_name_validator
from .pages.forms import take_names_as_typed

admin.site.site_header = "Dispatch administration"
admin.site.site_title = "Dispatch admin"
admin.site.index_title = "Applications, entities and people"

APPLICATION_PAGE = "/applications/{name}/"  # the application's page on the web pages (issue 4)


class Refused(Exception):
    """A service refused a delete or a batch: the admin shows the message and changes nothing."""


class ServiceForm(forms.ModelForm):
    """A ModelForm that writes through a service while it validates.

    Validation is the last moment the admin can still put an error on the form, so `write()` runs
    there, in a savepoint; ServiceAdmin rolls it back if anything else on the page is invalid.
    `save()` only hands back the written object: the service already saved it and its relations.
    """

    user = None  # set per request by ServiceAdmin.get_form
    service_error_fields: dict[str, str] = {}  # service field name -> form field name

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        take_names_as_typed(self)
        if self.instance.pk is not None:
            self.fields["expected_revision"].initial = self.instance.revision

    def write(self):
        """Create or update through the service; returns the saved object."""
        raise NotImplementedError

    def changed(self, name: str) -> bool:
        return name in self.changed_data

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                saved = self.write()
        except REFUSALS as exc:
            add_refusal(self, exc, field_names=self.service_error_fields)
        else:
            self._adopt(saved)

    def _adopt(self, saved) -> None:
        """Make the form's instance the saved object, which inline formsets already point at."""
        state = self.instance._state
        self.instance.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        state.adding, state.db = False, saved._state.db

    def save(self, commit=True):
        self.save_m2m = lambda: None  # the service wrote the relations already
        return self.instance


class DeletesThroughServices(admin.ModelAdmin):
    """Deletes call `delete_through_service`; a refusal comes back as a message and changes nothing."""

    def delete_through_service(self, request, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        try:
            self.delete_through_service(request, obj)
        except REFUSALS as exc:
            raise Refused(
                f"{capfirst(obj._meta.verbose_name)} '{obj}' was not deleted: {reason_of(exc)}"
            ) from exc

    def delete_queryset(self, request, queryset):
        """All or nothing: every refusal is reported and none of the selection is deleted."""
        refusals = []
        for obj in queryset:
            try:
                with transaction.atomic():
                    self.delete_through_service(request, obj)
            except REFUSALS as exc:
                refusals.append(f"{capfirst(obj._meta.verbose_name)} '{obj}': {reason_of(exc)}")
        if refusals:
            raise Refused("Nothing was deleted. " + " ".join(refusals))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except Refused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[object_id]))

    def response_action(self, request, queryset):
        with transaction.atomic():
            try:
                return super().response_action(request, queryset)
            except Refused as exc:
                transaction.set_rollback(True)  # also the deletion log entries written before the refusal
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())


class ServiceAdmin(DeletesThroughServices):
    """A ModelAdmin whose forms write through services (ServiceForm), and whose deletes do too."""

    save_as = False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The form wrote while validating; a re-rendered page means an inline was invalid: undo it.
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if not getattr(request, "dispatch_saved", False):
                transaction.set_rollback(True)
        return response

    def response_add(self, request, obj, post_url_continue=None):
        request.dispatch_saved = True
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        request.dispatch_saved = True
        return super().response_change(request, obj)

    def save_model(self, request, obj, form, change):
        """Nothing to do: the form's service call saved it."""


# --- memberships ----------------------------------------------------------------------------------


class MembershipForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if "user" in self.fields and "group" in self.fields:
            if bool(cleaned.get("user")) == bool(cleaned.get("group")):
                raise ValidationError("Choose either a user or a group for each member, one of the two.")
        return cleaned


class MembershipFormSet(forms.BaseInlineFormSet):
    """Memberships edited together: a change that would leave an application without an admin is
    refused on the page, by the services' own rule, before anything is written."""

    actor = None  # set per request by MembershipsThroughServices.get_formset

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        stored = Membership.objects.select_related("application", "user", "group").in_bulk(
            [form.instance.pk for form in self.forms if form.instance.pk]
        )
        losing, gaining = {}, set()
        for form in self.forms:
            before = stored.get(form.instance.pk)
            deleted = form in self.deleted_forms
            if before is not None and (deleted or form.has_changed()):
                losing.setdefault(before.application, []).append(before)
            if not deleted and form.has_changed() and form.instance.role == Role.ADMIN:
                gaining.add(form.instance.application_id)
        for application, memberships in losing.items():
            try:
                services.check_admins_remain(
                    user=self.actor,
                    application=application,
                    losing=memberships,
                    gaining=application.pk in gaining,
                )
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None


class MembershipInline(admin.TabularInline):
    """Members of one application: a user or a group, with a role."""

    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    fields = ("user", "group", "role")
    autocomplete_fields = ("user", "group")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "user", "group")


class UserMembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    fields = ("application", "role")
    autocomplete_fields = ("application",)
    extra = 0
    verbose_name = "application membership"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "user", "group")


class GroupMembershipInline(UserMembershipInline):
    pass


class MembershipsThroughServices:
    """Saves membership inlines with membership_set / membership_delete, so the role rules hold.
    New admins are made before old ones go, so handing an application over in one save works."""

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if issubclass(formset, MembershipFormSet):
                formset = type(formset.__name__, (formset,), {"actor": request.user})
            yield formset, inline

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # works out new, changed and deleted rows for the history; writes nothing
        for membership in formset.new_objects:
            self._set(request, membership)
        for membership, changed_fields in formset.changed_objects:
            self._set(request, membership)
            if {"application", "user", "group"} & set(changed_fields):
                # Who or where changed: the new row was made above, the old one goes.
                services.membership_delete(
                    membership=Membership.objects.get(pk=membership.pk), user=request.user
                )
        for membership in formset.deleted_objects:
            services.membership_delete(membership=membership, user=request.user)

    def _set(self, request, membership):
        services.membership_set(
            application=membership.application,
            user=request.user,
            role=membership.role,
            member_user=membership.user if membership.user_id else None,
            member_group=membership.group if membership.group_id else None,
        )


# --- applications ---------------------------------------------------------------------------------


def entity_kinds():
    """The kinds that can be in an application, from the registry (imported late: entities needs us)."""
    from entities.kinds import KINDS

    return [kind for kind in KINDS if not kind.is_system]


def count_annotations() -> dict:
    """One COUNT per kind over the application's items, computed in the application query itself."""
    kinds = entity_kinds()
    types = ContentType.objects.get_for_models(*[kind.model for kind in kinds])
    return {
        f"count_{kind.model_name.lower()}": Count("items", filter=Q(items__content_type=types[kind.model]))
        for kind in kinds
    }


_changelist_urls: dict[str, str] = {}


def changelist_url(model) -> str:
    """An admin changelist URL, reversed once per model rather than once per row."""
    key = model._meta.label_lower
    if key not in _changelist_urls:
        _changelist_urls[key] = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return _changelist_urls[key]


class ApplicationForm(ServiceForm):
    name = forms.CharField(
        max_length=63,
        validators=[application_name_validator],
        help_text="A lowercase DNS label, e.g. billing.",
    )

    class Meta:
        model = Application
        fields = ("name", "description", "status", "tags", *QUOTA_FIELDS)

    def write(self):
        data = self.cleaned_data
        tags = list(data["tags"]) if self.changed("tags") else None
        if self.instance._state.adding:
            return services.application_create(
                user=self.user, name=data["name"], description=data.get("description", ""), tags=tags
            )
        return services.application_update(
            application=self.instance,
            user=self.user,
            name=data["name"],
            description=data.get("description"),
            status=data.get("status"),
            tags=tags,
            revision=data.get("expected_revision"),
            quotas={name: data[name] for name in QUOTA_FIELDS if name in data},
        )


@admin.register(Application)
class ApplicationAdmin(MembershipsThroughServices, ServiceAdmin):
    form = ApplicationForm
    inlines = [MembershipInline]
    list_display = ("name", "status", "entity_counts", "page_link", "created")
    list_filter = ("status",)
    search_fields = ("name", "description")
    readonly_fields = ("entity_counts", "revision", "created", "modified", "created_by")
    show_full_result_count = False  # saves a second COUNT(*) per page
    actions = None  # deleting an application shows its plan first, one at a time

    def get_fields(self, request, obj=None):
        if obj is None:  # new applications are READY; the creator becomes their first admin
            return ("name", "description", "tags", "expected_revision")
        revision = ("expected_revision",) if self.has_change_permission(request, obj) else ()
        return (
            "name",
            "description",
            "status",
            "tags",
            *QUOTA_FIELDS,
            *revision,
            "entity_counts",
            "revision",
            "created",
            "modified",
            "created_by",
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(**count_annotations())
            .select_related("created_by")
            .prefetch_related("tags")
        )

    @admin.display(description="entities")
    def entity_counts(self, obj):
        counts = [(kind, getattr(obj, f"count_{kind.model_name.lower()}", 0) or 0) for kind in entity_kinds()]
        counts = [(kind, n) for kind, n in counts if n]
        if not counts:
            return "none"
        return format_html_join(
            ", ",
            '<a href="{}?application={}">{} {}</a>',
            (
                (changelist_url(kind.model), obj.name, n, kind.label if n == 1 else kind.label_plural)
                for kind, n in counts
            ),
        )

    @admin.display(description="page")
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', APPLICATION_PAGE.format(name=obj.name), obj.name)

    def view_on_site(self, obj):
        return APPLICATION_PAGE.format(name=obj.name)

    def delete_view(self, request, object_id, extra_context=None):
        application = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if application is not None and request.method != "POST":
            extra_context["plans"] = self._plans(application)
        return super().delete_view(request, object_id, extra_context)

    def _plans(self, application) -> list[dict]:
        plans = []
        for cascade in services.CASCADES:
            try:
                plan, _ = services.plan_application_delete(application=application, cascade=cascade)
            except ValidationError as exc:
                plans.append({"cascade": cascade, "refused": reason_of(exc)})
            else:
                plans.append({"cascade": cascade, **plan.as_dict()})
        return plans

    def get_deleted_objects(self, objs, request):
        # The plan (shown by the template) says what goes; Django's collector would miss the entities.
        return [], {}, set(), []

    def delete_through_service(self, request, obj):
        cascade = request.POST.get("cascade", "delete")
        services.application_delete(application=obj, user=request.user, cascade=cascade)


# --- users, groups and API tokens -----------------------------------------------------------------

admin.site.unregister(User)
admin.site.unregister(Group)


class KeepsApplicationAdmins:
    """Users and groups are application admins too: deactivating or deleting the last one, or taking
    them out of the group that is an application's only admin path, would leave it without an admin.
    Unless the actor may change applications, such a change is undone and the page says why."""

    def _keeping_admins(self, request, change):
        if request.method != "POST" or access.manages_every_application(request.user):
            return change()
        with transaction.atomic():
            before = services.applications_with_an_admin()
            response = change()
            lost = before - services.applications_with_an_admin()
            if not lost:
                return response
            transaction.set_rollback(True)
        list(messages.get_messages(request))  # drop the "changed successfully" of the undone change
        names = ", ".join(
            f"'{name}'" for name in Application.objects.filter(pk__in=lost).values_list("name", flat=True)
        )
        self.message_user(
            request,
            f"Nothing was changed: application {names} would have no admin left; make another member "
            "admin first, or ask staff.",
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._keeping_admins(
            request,
            lambda: super(KeepsApplicationAdmins, self).changeform_view(
                request, object_id, form_url, extra_context
            ),
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._keeping_admins(
            request,
            lambda: super(KeepsApplicationAdmins, self).delete_view(request, object_id, extra_context),
        )

    def response_action(self, request, queryset):
        return self._keeping_admins(
            request, lambda: super(KeepsApplicationAdmins, self).response_action(request, queryset)
        )


@admin.register(User)
class DispatchUserAdmin(KeepsApplicationAdmins, MembershipsThroughServices, UserAdmin):
    inlines = [*UserAdmin.inlines, UserMembershipInline]


@admin.register(Group)
class DispatchGroupAdmin(KeepsApplicationAdmins, MembershipsThroughServices, GroupAdmin):
    inlines = [*GroupAdmin.inlines, GroupMembershipInline]


class APITokenForm(forms.ModelForm):
    class Meta:
        model = APIToken
        fields = ("user", "name")


@admin.register(APIToken)
class APITokenAdmin(DeletesThroughServices):
    """Tokens are listed and revoked here; a new token's key is shown once, in a message."""

    form = APITokenForm
    list_display = ("name", "user", "prefix", "created", "last_used")
    list_select_related = ("user",)
    list_filter = ("created", "last_used")
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    readonly_fields = ("prefix", "created", "last_used")
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("name", "user", "prefix", "created", "last_used")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_change_permission(self, request, obj=None):
        return False  # a token cannot change: revoke it and make a new one

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            function, name, _ = actions["delete_selected"]
            actions["delete_selected"] = (function, name, "Revoke selected API tokens")
        return actions

    def save_model(self, request, obj, form, change):
        token, key = tokens.token_create(user=form.cleaned_data["user"], name=form.cleaned_data["name"])
        obj.pk, obj.prefix, obj.key_hash, obj.created = token.pk, token.prefix, token.key_hash, token.created
        obj._state.adding = False
        self.message_user(
            request,
            f"The key of API token '{token.name}' is {key} — copy it now: it is stored hashed and "
            "cannot be shown again.",
            messages.WARNING,
        )

    def delete_through_service(self, request, obj):
        tokens.token_revoke(token=obj, user=request.user)

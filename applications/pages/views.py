"""Application pages, home, profile and the switcher.

Reads go through `applications.access` (an application the user may not see is a 404), writes
through `applications.services` and `applications.tokens`.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from applications import access, scopes, services, tokens
from applications.models import APIToken, Membership
from applications.selectors import entity_counts
from dispatch_site.errors import REFUSALS, add_service_errors, refuse_form
from dispatch_site.parsing import parse_whole_number
from entities.kinds import KINDS, get_kind
from entities.pages.generic import list_url
from entities.pages.links import other_surfaces
from entities.pages.runs import function_urls
from entities.rules import upper_first
from entities.selectors import entity_queryset
from entities.services import all_kinds_in

from . import switcher
from .forms import ApplicationForm, DeleteApplicationForm, MemberForm, TokenForm
from .tables import ApplicationTable

HOME_APPLICATIONS = 50
NEWEST_RUNS = 10
PER_KIND = 50


def get_application(request, name):
    """The application by name among those the user may see, else a 404."""
    application = access.visible_applications(request.user).filter(name=name).first()
    if application is None:
        raise Http404(f"There is no application named '{name}' that you can see.")
    return application


@login_required
def home(request):
    """The user's applications with their entity counts by kind, and the newest runs."""
    applications = list(access.visible_applications(request.user).order_by("name")[:HOME_APPLICATIONS])
    kinds = [kind for kind in KINDS if not kind.is_system]
    counts = entity_counts([a.pk for a in applications], kinds)
    roles = access.roles_in(request.user, [a.pk for a in applications])
    rows = [
        {
            "application": app,
            "role": roles.get(app.pk),
            "counts": [(kind, counts.get(app.pk, {}).get(kind, 0)) for kind in kinds],
        }
        for app in applications
    ]
    runs = entity_queryset(get_kind("run"), request.user, labels=True)
    current = switcher.current_application(request)
    if current is not None:
        runs = runs.filter(Exists(access.application_items(runs.model).filter(tag=current)))
    runs = list(runs.order_by("-created")[:NEWEST_RUNS])
    urls = function_urls(request.user, runs)
    for run in runs:
        run.function_url = urls.get(run.function_id)
    context = {
        "rows": rows,
        "kinds": kinds,
        "runs": runs,
        "runs_url": list_url(get_kind("run")),
        "current_application": current,
    }
    return render(request, "pages/home.html", context)


@login_required
def application_list(request):
    queryset = access.visible_applications(request.user).annotate(entity_count=Count("items"))
    search = request.GET.get("search", "").strip()
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(description__icontains=search))
    table = ApplicationTable(queryset.order_by("name"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    table.roles = access.roles_in(request.user, [row.record.pk for row in table.page.object_list])
    context = {
        "table": table,
        "search": search,
        "may_create": access.may_create_application(request.user),
    }
    return render(request, "pages/application_list.html", context)


def _group(kind, rows, *, more_link: bool) -> dict:
    """One kind's (name, status) rows for the application page, at most PER_KIND of them."""
    return {
        "kind": kind,
        "title": upper_first(kind.label_plural),
        "prefix": list_url(kind),
        "entities": rows[:PER_KIND],
        "more": more_link and len(rows) > PER_KIND,  # the list page filtered by the application
    }


def _first_rows(queryset) -> list:
    return list(queryset.order_by("name").values_list("name", "status")[: PER_KIND + 1])


def managed_entities(application, user) -> list[dict]:
    """Per kind, the visible entities tagged with the application (one query per kind)."""
    groups = []
    for kind, queryset in all_kinds_in(application).items():
        rows = _first_rows(access.visible_entities(kind.model, user, queryset))
        if rows:
            groups.append(_group(kind, rows, more_link=True))
    return groups


def used_entities(application, user) -> list[dict]:
    """System or shared entities that the application's entities reference but it does not hold
    (one query per referenced kind). A run's function is its own record, not a use."""
    in_app = all_kinds_in(application)
    groups = []
    for target in KINDS:
        referenced = Q()
        for kind in in_app:
            for ref in kind.references:
                if ref.kind == target.name and kind.scope != scopes.FROZEN:
                    referenced |= Q(pk__in=in_app[kind].values(ref.field))
        if not referenced:
            continue
        tagged = Exists(access.application_items(target.model).filter(tag=application))
        rows = _first_rows(access.visible_entities(target.model, user).filter(referenced).filter(~tagged))
        if rows:
            groups.append(_group(target, rows, more_link=False))
    return groups


@login_required
def application_detail(request, name):
    application = get_application(request, name)
    context = {
        "application": application,
        "managed": managed_entities(application, request.user),
        "used": used_entities(application, request.user),
        "memberships": list(application.memberships.select_related("user", "group")),
        "role": access.role_in(request.user, application),
        "may_change": access.may_change_application(request.user, application),
        "may_delete": access.may_delete_application(request.user, application),
        "tag_names": sorted(tag.name for tag in application.tags.all()),
        "surface_links": other_surfaces(request.user, application, api_basename="application"),
    }
    return render(request, "pages/application_detail.html", context)


def _application_form_page(request, form, application, status=200):
    return render(
        request, "pages/application_edit.html", {"form": form, "application": application}, status=status
    )


@login_required
def application_create(request):
    if not access.may_create_application(request.user):
        raise PermissionDenied("Only staff can create applications; ask an administrator.")
    form = ApplicationForm(request.POST or None)
    if request.method != "POST":
        return _application_form_page(request, form, None)
    if not form.is_valid():
        return _application_form_page(request, form, None, status=400)
    try:
        application = services.application_create(
            user=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            tags=form.tag_list(),
        )
    except REFUSALS as error:
        return _application_form_page(request, form, None, status=refuse_form(form, error))
    messages.success(request, f"Application '{application.name}' created; you are its admin.")
    return redirect(reverse("pages:application-detail", args=[application.name]))


@login_required
def application_edit(request, name):
    application = get_application(request, name)
    if not access.may_change_application(request.user, application):
        raise PermissionDenied(f"You need the admin role in application '{application.name}' to change it.")
    form = ApplicationForm(
        request.POST or None, application=application, quotas=access.may_set_quotas(request.user)
    )
    if request.method != "POST":
        return _application_form_page(request, form, application)
    if not form.is_valid():
        return _application_form_page(request, form, application, status=400)
    was_current = switcher.current_application(request) == application
    try:
        application = services.application_update(
            application=application,
            user=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            status=form.cleaned_data["status"],
            tags=form.tag_list(),
            revision=form.cleaned_data.get("revision"),
            quotas=form.quotas(),
        )
    except REFUSALS as error:
        return _application_form_page(request, form, application, status=refuse_form(form, error))
    if was_current:
        switcher.set_current_application(request, application)  # it may have a new name
    messages.success(request, f"Application '{application.name}' saved.")
    return redirect(reverse("pages:application-detail", args=[application.name]))


@login_required
def application_delete(request, name):
    """First the plan (what is deleted, what only loses the tag), then the delete on confirmation."""
    application = get_application(request, name)
    if not access.may_delete_application(request.user, application):
        raise PermissionDenied(f"You need the admin role in application '{application.name}' to delete it.")
    data = request.POST if request.method == "POST" else (request.GET if "cascade" in request.GET else None)
    form = DeleteApplicationForm(data, initial={"cascade": "delete"})
    cascade = form.cleaned_data["cascade"] if form.is_bound and form.is_valid() else "delete"
    error, plan = None, None
    try:
        plan = services.application_delete(
            application=application, user=request.user, cascade=cascade, dry_run=True
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.method == "POST" and plan is not None and form.is_valid():
        was_current = switcher.current_application(request) == application
        services.application_delete(application=application, user=request.user, cascade=cascade)
        if was_current:
            switcher.set_current_application(request, None)
        messages.success(
            request,
            f"Application '{application.name}' deleted: {len(plan.deleted)} entities deleted, "
            f"{len(plan.untagged)} kept without its tag.",
        )
        return redirect(reverse("pages:application-list"))
    context = {"application": application, "form": form, "plan": plan, "cascade": cascade, "error": error}
    status = 400 if request.method == "POST" else 200
    return render(request, "pages/application_delete.html", context, status=status)


def _find_member(text: str):
    """A user by username or, written group:NAME, a group: (member_user, member_group)."""
    text = text.strip()
    if text.startswith("group:"):
        return None, services.group_by_name(text[len("group:") :].strip())
    user = get_user_model().objects.filter(username=text).first()
    if user is None:
        raise ValidationError({"member": f"User '{text}' does not exist; check the username."})
    return user, None


@login_required
def application_members(request, name):
    """Members and roles; application admins (and staff) add, change and remove them."""
    application = get_application(request, name)
    may_manage = access.may_change_application(request.user, application)
    form = MemberForm(request.POST if request.method == "POST" and "member" in request.POST else None)
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(
                f"You need the admin role in application '{application.name}' to manage its members."
            )
        if "remove" in request.POST:
            member_id = parse_whole_number(request.POST["remove"], name="remove")
            membership = get_object_or_404(Membership, pk=member_id, application=application)
            try:
                services.membership_delete(membership=membership, user=request.user)
            except ValidationError as error:  # e.g. the last admin: the page again (a 400), saying why
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"{upper_first(membership.member_name)} is no longer a member.")
                return redirect(request.path)
        if form.is_valid():
            try:
                member_user, member_group = _find_member(form.cleaned_data["member"])
                membership = services.membership_set(
                    application=application,
                    user=request.user,
                    role=form.cleaned_data["role"],
                    member_user=member_user,
                    member_group=member_group,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "group" in error.error_dict:
                    error = ValidationError({"member": error.message_dict["group"]})
                add_service_errors(form, error)
            else:
                messages.success(request, f"{upper_first(membership.member_name)} is now {membership.role}.")
                return redirect(request.path)
        status = 400
    context = {
        "application": application,
        "memberships": list(application.memberships.select_related("user", "group")),
        "form": form,
        "may_manage": may_manage,
    }
    return render(request, "pages/application_members.html", context, status=status)


NEW_TOKEN_KEY = "dispatch_new_token_key"


@login_required
def profile(request):
    """The user's API tokens: make one (its key is shown once), see when each was used, revoke."""
    form = TokenForm(request.POST if request.method == "POST" and "name" in request.POST else None)
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = parse_whole_number(request.POST["revoke"], name="revoke")
            token = get_object_or_404(APIToken, pk=token_id, user=request.user)
            tokens.token_revoke(token=token, user=request.user)
            messages.success(
                request, f"Token '{token.name}' revoked; scripts using it can no longer sign in."
            )
            return redirect(request.path)
        if form.is_valid():
            try:
                _, key = tokens.token_create(user=request.user, name=form.cleaned_data["name"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                # Shown by the next GET and dropped from the session there: a reload of that page
                # neither shows the key again nor makes a second token.
                request.session[NEW_TOKEN_KEY] = key
                return redirect(request.path)
    new_key = request.session.pop(NEW_TOKEN_KEY, None)
    context = {
        "form": form,
        "tokens": list(request.user.api_tokens.all()),
        "new_key": new_key,
        "memberships": list(access.memberships_of(request.user).select_related("application", "group")),
    }
    status = 400 if form.is_bound else 200
    response = render(request, "pages/profile.html", context, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key must not stay in a cache
    return response


@login_required
@require_POST
def switch_application(request):
    """Set the current application (or "All applications") and go back to where the user was."""
    name = request.POST.get("application", "")
    if name:
        switcher.set_current_application(request, get_application(request, name))
    else:
        switcher.set_current_application(request, None)
    target = request.POST.get("next") or reverse("pages:home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("pages:home")
    return redirect(target)

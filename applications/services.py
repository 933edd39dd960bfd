"""Writes to applications and their members; application delete with its plan.

Keyword-only functions in transactions, like entities/services.py: every surface calls these.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from . import access
from .exceptions import StaleRevision
from .models import Application, Membership, Role, Status, application_name_validator

CASCADES = ("delete", "orphan")


def _clean(application: Application) -> None:
    try:
        application_name_validator(application.name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None
    try:
        application.full_clean(exclude=["slug", "created_by"], validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    if Application.objects.filter(name=application.name).exclude(pk=application.pk).exists():
        raise ValidationError(
            {"name": f"An application named '{application.name}' already exists; choose another name."}
        )


def _save(application: Application) -> None:
    application.slug = application.name
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(
            {"name": f"An application named '{application.name}' already exists; choose another name."}
        ) from None


@transaction.atomic
def application_create(*, user, name: str, description: str = "", tags=None) -> Application:
    """Create an application (staff); its creator becomes its first admin."""
    if not access.may_create_application(user):
        raise PermissionDenied("Only staff can create applications; ask an administrator.")
    application = Application(
        name=(name or "").strip(), description=description or "", status=Status.READY, created_by=user
    )
    _clean(application)
    _save(application)
    if tags:
        application.tags.set(list(tags))
    Membership.objects.create(application=application, user=user, role=Role.ADMIN)
    return application


@transaction.atomic
def application_update(
    *, application, user, name=None, description=None, status=None, tags=None, revision=None
) -> Application:
    """Change an application (staff or its admins). `revision`, when given, must be current."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if revision is not None and int(revision) != application.revision:
        raise StaleRevision(f"Application '{application.name}'", int(revision), application.revision)
    if not access.may_change_application(user, application):
        raise PermissionDenied(f"You need the admin role in application '{application.name}' to change it.")
    if name is not None:
        application.name = name.strip()
    if description is not None:
        application.description = description
    if status is not None:
        application.status = status
    _clean(application)
    application.revision += 1
    _save(application)
    if tags is not None:
        application.tags.set(list(tags))
    return application


@dataclass
class DeletePlan:
    """What deleting an application does: entities deleted, entities that only lose the tag."""

    application: str
    cascade: str
    dry_run: bool
    deleted: list[dict] = field(default_factory=list)
    untagged: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "application": self.application,
            "cascade": self.cascade,
            "dry_run": self.dry_run,
            "deleted": self.deleted,
            "untagged": self.untagged,
        }


def _entry(entity) -> dict:
    return {"kind": entity.kind.name, "name": entity.name}


def plan_application_delete(*, application, cascade: str = "delete") -> tuple[DeletePlan, dict]:
    """The plan, and per kind the entities to delete (in the registry's order)."""
    from entities import rules
    from entities.kinds import KINDS
    from entities.services import all_kinds_in, users_of

    if cascade not in CASCADES:
        raise ValidationError({"cascade": f"Cascade '{cascade}' is unknown; use 'delete' or 'orphan'."})
    plan = DeletePlan(application=application.name, cascade=cascade, dry_run=True)
    to_delete: dict = {}
    for kind, in_app in all_kinds_in(application).items():
        others = models.Exists(access.application_items(kind.model).exclude(tag=application))
        if cascade == "delete":
            private = list(in_app.filter(~others).order_by("name"))
            shared = list(in_app.filter(others).order_by("name"))
        else:
            private, shared = [], list(in_app.order_by("name"))
        to_delete[kind] = private
        plan.untagged += [_entry(e) for e in shared]
    # Runs of a deleted function in other applications stay there, with the link cleared (SET_NULL).
    for kind in KINDS:
        if not to_delete.get(kind):
            continue
        doomed_ids = {e.pk for k in to_delete for e in to_delete[k]}
        blockers = [b for b in users_of(kind, to_delete[kind]) if b.pk not in doomed_ids]
        if blockers:
            raise ValidationError(
                f"Application '{application.name}' cannot be deleted with cascade=delete: "
                f"{rules.describe(blockers[0], list(blockers[0].applications.all()))} uses one of its "
                "entities; move that entity first, or delete with cascade=orphan."
            )
        plan.deleted += [_entry(e) for e in to_delete[kind]]
    return plan, to_delete


@transaction.atomic
def application_delete(*, application, user, cascade: str = "delete", dry_run: bool = False) -> DeletePlan:
    """Delete an application. cascade=delete also deletes the entities only it holds; orphan keeps
    every entity and removes only the tags. A dry run returns the plan and changes nothing."""
    if not access.may_delete_application(user, application):
        raise PermissionDenied(f"You need the admin role in application '{application.name}' to delete it.")
    plan, to_delete = plan_application_delete(application=application, cascade=cascade)
    if dry_run:
        return plan
    for kind in reversed(list(to_delete)):
        ids = [e.pk for e in to_delete[kind]]
        if ids:
            kind.model.objects.filter(pk__in=ids).delete()
    application.delete()
    plan.dry_run = False
    return plan


@transaction.atomic
def membership_set(*, application, user, role: str, member_user=None, member_group=None) -> Membership:
    """Give a user or a group a role on the application (application admins and staff)."""
    if not access.may_change_application(user, application):
        raise PermissionDenied(
            f"You need the admin role in application '{application.name}' to manage its members."
        )
    if role not in Role.values:
        raise ValidationError({"role": f"Role '{role}' is unknown; use viewer, developer or admin."})
    if (member_user is None) == (member_group is None):
        raise ValidationError({"user": "Name either a user or a group, not both and not neither."})
    lookup = {"user": member_user} if member_user is not None else {"group": member_group}
    membership, _ = Membership.objects.update_or_create(
        application=application, **lookup, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_delete(*, membership, user) -> None:
    if not access.may_change_application(user, membership.application):
        raise PermissionDenied(
            f"You need the admin role in application '{membership.application.name}' to manage its members."
        )
    membership.delete()


def group_by_name(name: str) -> Group:
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise ValidationError({"group": f"Group '{name}' does not exist."}) from None

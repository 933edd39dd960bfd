"""Writes to applications and their members; application delete with its plan.

Keyword-only functions in transactions, like entities/services.py: every surface calls these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from . import access
from .access import Actor
from .exceptions import NotFound, StaleRevision
from .models import QUOTA_FIELDS, Application, Membership, Role, Status, application_name_validator

if TYPE_CHECKING:  # entities import the applications app: only the type checker reads this
    from entities.models import Entity

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


def _lock_application(application: Application) -> Application:
    """The application, re-read under a row lock: changes of one application (its fields, its members,
    its delete, entities written into it) take turns, e.g. two admins demoting each other at once cannot
    both see the other still there. Deleted meanwhile, it does not exist."""
    locked = Application.objects.select_for_update().filter(pk=application.pk).first()
    if locked is None:
        raise NotFound(f"Application '{application.name}' does not exist.")
    return locked


@transaction.atomic
def application_create(
    *, user: Actor, name: str, description: str = "", tags: Iterable[str] | None = None
) -> Application:
    """Create an application (staff); its creator becomes its first admin."""
    if not access.may_create_application(user):
        raise PermissionDenied("Only staff can create applications; ask an administrator.")
    application = Application(
        name=name or "", description=description or "", status=Status.READY, created_by=user
    )
    _clean(application)
    _save(application)
    if tags:
        application.tags.set(list(tags))
    Membership.objects.create(application=application, user=user, role=Role.ADMIN)
    access.forget_memberships(user)  # the request's user remembers a membership less
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    user: Actor,
    name: str | None = None,
    description: str | None = None,
    status: str | None = None,
    tags: Iterable[str] | None = None,
    revision: int | None = None,
    quotas: dict[str, int | None] | None = None,
) -> Application:
    """Change an application (staff or its admins). `revision`, when given, must be current.

    `quotas` maps QUOTA_FIELDS to a limit or None (no limit); only staff may change them, so that an
    application's admins cannot lift their own limits.
    """
    application = _lock_application(application)
    if revision is not None and int(revision) != application.revision:
        raise StaleRevision(f"Application '{application.name}'", int(revision), application.revision)
    if not access.may_change_application(user, application):
        raise PermissionDenied(f"You need the admin role in application '{application.name}' to change it.")
    _set_quotas(application, user, quotas or {})
    if name is not None:
        application.name = name
    if description is not None:
        application.description = description
    if status is not None:
        application.status = status
    _clean(application)
    application.revision += 1
    _save(application)
    if tags is not None:
        application.tags.set(list(tags))
    access.forget_memberships(user)  # the request's user may remember the application's old name
    return application


def _set_quotas(application: Application, user: Actor, quotas: dict) -> None:
    unknown = set(quotas) - set(QUOTA_FIELDS)
    if unknown:
        raise ValidationError(
            {name: f"Applications have no quota named '{name}'." for name in sorted(unknown)}
        )
    changed = {name: value for name, value in quotas.items() if getattr(application, name) != value}
    if changed and not access.may_set_quotas(user):
        raise PermissionDenied("Only staff can change an application's quotas; ask an administrator.")
    for name, value in changed.items():
        setattr(application, name, value)


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


def _entry(entity: Entity) -> dict:
    return {"kind": entity.kind.name, "name": entity.name}


def plan_application_delete(*, application: Application, cascade: str = "delete") -> tuple[DeletePlan, dict]:
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
def application_delete(
    *, application: Application, user: Actor, cascade: str = "delete", dry_run: bool = False
) -> DeletePlan:
    """Delete an application. cascade=delete also deletes the entities only it holds; orphan keeps
    every entity and removes only the tags. A dry run returns the plan and changes nothing."""
    if not access.may_delete_application(user, application):
        raise PermissionDenied(f"You need the admin role in application '{application.name}' to delete it.")
    # Writes that tag entities into it hold this lock too (entities.services.lock_applications): the
    # plan below sees every entity they made, and none can be tagged in while the delete runs.
    _lock_application(application)
    plan, to_delete = plan_application_delete(application=application, cascade=cascade)
    if dry_run:
        return plan
    for kind in reversed(list(to_delete)):
        ids = [e.pk for e in to_delete[kind]]
        if ids:
            kind.model.objects.filter(pk__in=ids).delete()
    application.delete()
    access.forget_memberships(user)
    plan.dry_run = False
    return plan


def applications_with_an_admin() -> set[int]:
    """Ids of the applications someone can administer: an admin membership of an active user, or of a
    group with an active user in it."""
    return set(
        Membership.objects.filter(role=Role.ADMIN)
        .filter(models.Q(user__is_active=True) | models.Q(group__user__is_active=True))
        .values_list("application_id", flat=True)
        .distinct()
    )


def check_admins_remain(
    *, user: Actor, application: Application, losing: list[Membership], gaining: bool = False
) -> None:
    """An application keeps at least one admin, a user or a group with someone in it, unless staff
    decide otherwise: `losing` are the admin memberships that go or are demoted, `gaining` says whether
    the same change makes a new admin."""
    losing = [m for m in losing if m.pk is not None and m.role == Role.ADMIN]
    if not losing or gaining or access.manages_every_application(user):
        return
    left = (
        Membership.objects.filter(application=application, role=Role.ADMIN)
        .exclude(pk__in=[m.pk for m in losing])
        .filter(models.Q(user__is_active=True) | models.Q(group__user__is_active=True))
    )
    if not left.exists():
        who = " and ".join(m.member_name for m in losing)
        raise ValidationError(
            f"Application '{application.name}' would have no admin left without {who}; make another "
            "member admin first, or ask staff."
        )


@transaction.atomic
def membership_set(
    *,
    application: Application,
    user: Actor,
    role: str,
    member_user: User | None = None,
    member_group: Group | None = None,
) -> Membership:
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
    _lock_application(application)
    existing = Membership.objects.filter(application=application, **lookup).first()
    if existing is not None and role != Role.ADMIN:
        try:
            check_admins_remain(user=user, application=application, losing=[existing])
        except ValidationError as exc:
            raise ValidationError({"role": exc.messages}) from None
    membership, _ = Membership.objects.update_or_create(
        application=application, **lookup, defaults={"role": role}
    )
    access.forget_memberships(user)  # it may be the request's user's own, or their group's
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, user: Actor) -> None:
    if not access.may_change_application(user, membership.application):
        raise PermissionDenied(
            f"You need the admin role in application '{membership.application.name}' to manage its members."
        )
    _lock_application(membership.application)
    current = Membership.objects.filter(pk=membership.pk).first()
    if current is None:
        return
    check_admins_remain(user=user, application=membership.application, losing=[current])
    current.delete()
    access.forget_memberships(user)


def group_by_name(name: str) -> Group:
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise ValidationError({"group": f"Group '{name}' does not exist."}) from None

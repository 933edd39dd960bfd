"""The access gate: what a user may see and do. Every surface asks here and nowhere else.

Reading: `visible_applications(user)` and `visible_entities(model, user)` are querysets, so lists,
filters, counts, search and look-ups by name all hide the same things. They filter with EXISTS
subqueries on the membership and application-item tables: no extra query, no DISTINCT.

Writing: `role_in`, `may_*` answer one question each. Superusers may do everything; staff may do
what their Django model permissions allow, on every application.

Signing in (a token, a session) reads the user's memberships in the user's own query
(`memberships_column`) and keeps them on the request's user (`remember_memberships`): the gate then
answers roles and "which applications" from them, with no query and no membership subquery.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import CharField, Exists, Func, Model, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from .models import ROLE_RANK, Application, ApplicationItem, Membership, Role

if TYPE_CHECKING:  # entities import the applications app: only the type checker reads these
    from entities.models import Entity, Secret

# Who asks: `request.user` (signed in or anonymous), as every surface passes it to the gate.
Actor: TypeAlias = "User | AnonymousUser"


def _has_model_perm(user: Actor, model: type[Model], action: str) -> bool:
    if not (user.is_active and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def memberships_of(user: Actor) -> QuerySet[Membership]:
    """The user's memberships, direct and through groups (a subquery-friendly queryset)."""
    return Membership.objects.filter(Q(user=user) | Q(group__in=user.groups.all()))


# --- the memberships read with the user -----------------------------------------------------------

_MEMBERSHIPS = "_dispatch_memberships"  # on the request's user: {application id: (best role, name)}


class _Joined(Func):
    """The subquery's rows as one text, comma-separated: one value whatever the number of rows."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def memberships_column(user_id: OuterRef) -> Subquery:
    """A column for the query that reads a user: their memberships, direct and through groups, as
    "id:role:name,…" (application names and roles hold neither ':' nor ','), for
    `remember_memberships`. So signing in reads the user and what the gate needs in one query."""
    entry = Concat(
        "application_id", Value(":"), "role", Value(":"), "application__name", output_field=CharField()
    )
    rows = Membership.objects.filter(Q(user=user_id) | Q(group__user=user_id)).order_by()
    return Subquery(rows.annotate(joined=_Joined(entry)).values("joined"))


def remember_memberships(user: User, column: str | None) -> None:
    """Keep on the user, for the rest of the request, the memberships `memberships_column` read."""
    memberships: dict[int, tuple[str, str]] = {}
    for entry in column.split(",") if column else ():
        application_id, role, name = entry.split(":")
        best = memberships.get(int(application_id))
        if best is None or ROLE_RANK[role] > ROLE_RANK[best[0]]:
            memberships[int(application_id)] = (role, name)
    setattr(user, _MEMBERSHIPS, memberships)


def forget_memberships(user: Actor) -> None:
    """The user's memberships changed (a service wrote them): the gate reads them again."""
    user.__dict__.pop(_MEMBERSHIPS, None)


def _remembered(user: Actor) -> dict[int, tuple[str, str]] | None:
    return getattr(user, _MEMBERSHIPS, None)


def member_application_ids(user: Actor, min_role: str = Role.VIEWER) -> QuerySet | list[int]:
    """The applications the user has at least that role in: the remembered ids, else a subquery."""
    remembered = _remembered(user)
    if remembered is not None:
        return [app_id for app_id, (role, _) in remembered.items() if ROLE_RANK[role] >= ROLE_RANK[min_role]]
    roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[min_role]]
    return memberships_of(user).filter(role__in=roles).values("application_id")


def member_application_named(user: Actor, names: list[str]) -> Application | None:
    """The application when `names` is one name of an application the user is a member of, read from
    the remembered memberships (no query); None otherwise (staff, several names, a stranger's).

    A list asked for one such application needs no general gate: a member sees everything in it, so
    its entities are read by that application's index alone (`entities_in_application`), not as the
    gate's every application then narrowed (an application's runs at 1,000,000 runs: ~30 ms -> ~5)."""
    if len(names) != 1:
        return None
    return next((app for app in known_visible_applications(user) or () if app.name == names[0]), None)


def known_visible_applications(user: Actor) -> list[Application] | None:
    """The applications the user sees, by name, from the remembered memberships (only their id and
    name are loaded), when membership alone decides it; None when that needs a query (staff, or
    memberships not read with the user)."""
    remembered = _remembered(user)
    if remembered is None or _has_model_perm(user, Application, "view"):
        return None
    using = router.db_for_read(Application)
    return [
        Application.from_db(using, ["id", "name"], [app_id, name])
        for app_id, (_, name) in sorted(remembered.items(), key=lambda item: item[1][1])
    ]


def visible_applications(user: Actor) -> QuerySet[Application]:
    qs = Application.objects.all()
    if _has_model_perm(user, Application, "view"):
        return qs
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    return qs.filter(id__in=member_application_ids(user))


def application_items(model: type[Model]) -> QuerySet[ApplicationItem]:
    """ApplicationItem rows of one kind, correlated to the outer entity (for EXISTS)."""
    content_type = ContentType.objects.get_for_model(model)  # cached by Django after the first call
    return ApplicationItem.objects.filter(content_type=content_type, object_id=OuterRef("pk"))


def visible_entities(model: type[Model], user: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Entities of one kind the user may see: their applications', system-scoped and unassigned ones.

    "In my applications" is an IN over the through table's (tag, content type, object) index and
    "unassigned" a partial index on the entity, so the planner never scans every entity to decide.
    """
    from entities.kinds import kind_of

    qs = model._default_manager.all() if queryset is None else queryset
    if sees_every_entity(model, user):
        return qs
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if kind_of(model).is_system:
        return qs
    content_type = ContentType.objects.get_for_model(model)  # cached by Django after the first call
    # `pk IN (mine UNION ALL unassigned)`: the planner starts from the few ids on the right, through the
    # through table's index and the partial `unassigned` index. Written as `mine OR unassigned`, it
    # filters every row of the table instead (at 100,000 functions: count 4 ms against 73 ms).
    table = connections[qs.db].ops.quote_name(model._meta.db_table)
    pk = connections[qs.db].ops.quote_name(model._meta.pk.column)  # type: ignore[arg-type]  # an entity's pk has one
    unassigned = f"SELECT {pk} FROM {table} WHERE unassigned"
    applications = member_application_ids(user)
    if not isinstance(applications, QuerySet) and not applications:  # remembered: a member of nothing
        return qs.filter(pk__in=RawSQL(unassigned, ()))
    mine = ApplicationItem.objects.filter(content_type=content_type, tag_id__in=applications)
    sql, params = mine.values("object_id").query.get_compiler(using=qs.db).as_sql()
    return qs.filter(pk__in=RawSQL(f"{sql} UNION ALL {unassigned}", params))


def entities_in_application(model: type[Model], user: Actor, application: Application) -> QuerySet:
    """Entities of one kind tagged with an application the user may see.

    Whoever sees an application through membership may see everything in it, so for members this is
    one indexed IN on the through table, without the general gate's subquery (the entities of an
    application at 100,000 functions: the count went from ~33 ms to a few). Staff who see every
    application by permission still go through the gate for kinds they lack permission on.
    """
    content_type = ContentType.objects.get_for_model(model)
    queryset = application_entities(model, application.pk, content_type.pk)
    if _has_model_perm(user, Application, "view"):  # sees it by permission, maybe not as a member
        return visible_entities(model, user, queryset)
    return queryset


def application_entities(model: type[Model], application_id: int, content_type_id: int) -> QuerySet:
    """The entities of one kind (its content type's id) tagged with the application, whoever asks: not
    the gate, which `entities_in_application` adds when membership does not imply it."""
    tagged = RawSQL(_items_of_one_application(router.db_for_read(model)), (application_id, content_type_id))
    return model._default_manager.filter(pk__in=tagged)


@functools.cache
def _items_of_one_application(using: str) -> str:
    """The ids of an application's entities of one kind (parameters: the application's id, the kind's
    content type), in SQL written once per process: as a queryset, building and compiling the
    subquery cost ~0.15 ms a kind and request, and an application's entities ask for seven kinds."""
    quote = connections[using].ops.quote_name
    meta = ApplicationItem._meta
    column = meta.get_field
    return (
        f"SELECT {quote(column('object_id').column)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(column('tag').column)} = %s AND {quote(column('content_type').column)} = %s"
    )


def sees_every_entity(model: type[Model], user: Actor) -> bool:
    """Whether `visible_entities(model, user)` is every entity of the kind, by permission."""
    return _has_model_perm(user, model, "view")


def application_items_suffice(model: type[Model], user: Actor) -> bool:
    """Whether `entities_in_application(model, user, …)` is the application's items of the kind alone,
    with no gate: for a member, and for whoever may view every entity of the kind. Then its count is
    the through table's count (`selectors.entity_counts`)."""
    return not _has_model_perm(user, Application, "view") or _has_model_perm(user, model, "view")


def in_application_named(model: type[Model], user: Actor, name: str) -> Exists:
    """A filter: the entity is in the application of that name, if the user may see it (else the
    filter matches nothing, as for a name that does not exist). One EXISTS, so a look-up by entity
    and application name is one query."""
    items = application_items(model).filter(tag__name=name)
    if not _has_model_perm(user, Application, "view"):
        items = items.filter(tag_id__in=member_application_ids(user))
    return Exists(items)


def roles_in(user: Actor, application_ids: Iterable[int]) -> dict[int, str]:
    """The user's best role in each of the given applications (one query)."""
    best: dict[int, str] = {}
    if not (user.is_authenticated and user.is_active):
        return best
    remembered = _remembered(user)
    if remembered is not None:
        return {app_id: remembered[app_id][0] for app_id in application_ids if app_id in remembered}
    for app_id, role in (
        memberships_of(user).filter(application_id__in=application_ids).values_list("application_id", "role")
    ):
        if ROLE_RANK[role] > ROLE_RANK.get(best.get(app_id), 0):
            best[app_id] = role
    return best


def role_in(user: Actor, application: Application) -> str | None:
    return roles_in(user, [application.pk]).get(application.pk)


def has_role(user: Actor, application: Application, min_role: str) -> bool:
    role = role_in(user, application)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[min_role]


# --- applications -------------------------------------------------------------------------------


def may_create_application(user: Actor) -> TypeGuard[User]:  # staff: signed in
    return _has_model_perm(user, Application, "add")


def may_change_application(user: Actor, application: Application) -> bool:
    """Change the application itself or its members: staff, or the application's admins."""
    return _has_model_perm(user, Application, "change") or has_role(user, application, Role.ADMIN)


def manages_every_application(user: Actor) -> bool:
    """Staff allowed to change applications (and superusers): they may leave one without an admin."""
    return _has_model_perm(user, Application, "change")


def may_set_quotas(user: Actor) -> bool:
    """Quotas limit an application's admins, so only staff who may change applications set them."""
    return _has_model_perm(user, Application, "change")


def may_delete_application(user: Actor, application: Application) -> bool:
    return _has_model_perm(user, Application, "delete") or has_role(user, application, Role.ADMIN)


# --- entities -----------------------------------------------------------------------------------


def may_assign(user: Actor, application: Application, model: type[Model]) -> bool:
    """Put an entity into, or take it out of, the application: its developers and admins."""
    return _has_model_perm(user, model, "change") or has_role(user, application, Role.DEVELOPER)


def _developer_roles(user: Actor, applications: Sequence[Application]) -> list[bool]:
    roles = roles_in(user, [app.pk for app in applications])
    return [ROLE_RANK.get(roles.get(app.pk), 0) >= ROLE_RANK[Role.DEVELOPER] for app in applications]


def may_create(user: Actor, model: type[Model], applications: Sequence[Application]) -> bool:
    """Create an entity in these applications (none: unassigned, or system-scoped)."""
    from entities.kinds import kind_of

    if _has_model_perm(user, model, "add"):
        return True
    if kind_of(model).is_system or not applications:
        return False  # system and unassigned entities are read-only to non-staff
    return all(_developer_roles(user, applications))


def may_change(user: Actor, entity: Entity) -> bool:
    """Change an entity's fields: staff, or a developer of one of its applications."""
    if _has_model_perm(user, type(entity), "change"):
        return True
    if entity.kind.is_system:
        return False
    return any(_developer_roles(user, list(entity.applications.all())))


def may_delete(user: Actor, entity: Entity) -> bool:
    """Delete an entity: staff, or a developer of every application it is in (shared ones stay)."""
    if _has_model_perm(user, type(entity), "delete"):
        return True
    if entity.kind.is_system:
        return False
    applications = list(entity.applications.all())
    return bool(applications) and all(_developer_roles(user, applications))


def deletable_entities(model: type[Model], user: Actor, queryset: QuerySet) -> QuerySet:
    """The entities of the queryset that `may_delete` allows, as one queryset: those in at least
    one application and only in applications where the user is a developer (or all, for staff)."""
    if _has_model_perm(user, model, "delete"):
        return queryset
    items = application_items(model)
    developer_of = member_application_ids(user, Role.DEVELOPER)
    return queryset.filter(Exists(items)).exclude(Exists(items.exclude(tag_id__in=developer_of)))


def may_view(user: Actor, entity: Entity) -> bool:
    return visible_entities(type(entity), user).filter(pk=entity.pk).exists()


def may_reveal_secret(user: Actor, secret: Secret) -> bool:
    """Read a secret's values in clear: its developers and admins (viewers see only the keys)."""
    return may_change(user, secret)


def revealable_secrets(user: Actor, secrets: Iterable[Secret]) -> set[UUID]:
    """The ids of the secrets `may_reveal_secret` allows, for a whole list in one query (the roles in
    every application of the list) instead of one per secret; their `applications` are prefetched."""
    secrets = list(secrets)
    if not secrets:
        return set()
    if _has_model_perm(user, type(secrets[0]), "change"):
        return {secret.pk for secret in secrets}
    applications = {app.pk: app for secret in secrets for app in secret.applications.all()}
    developer = {
        app.pk
        for app, yes in zip(
            applications.values(), _developer_roles(user, list(applications.values())), strict=True
        )
        if yes
    }
    return {secret.pk for secret in secrets if any(app.pk in developer for app in secret.applications.all())}


def developer_application_ids(user: Actor) -> QuerySet | list[int]:
    """The applications the user may create and change entities in by role (ids, or a subquery)."""
    return member_application_ids(user, Role.DEVELOPER)


def usable_entities(model: type[Model], user: Actor, *, by_model: type[Model]) -> QuerySet:
    """Entities of one kind the user may point at from an entity of `by_model` they write.

    Staff who may add or change `by_model` may put it anywhere, so anything they see; system-scoped
    entities are usable from everywhere; otherwise only the entities of applications the user
    develops in, since a reference stays inside one application and non-staff write nowhere else.
    """
    from entities.kinds import kind_of

    if _has_model_perm(user, by_model, "add") or _has_model_perm(user, by_model, "change"):
        return visible_entities(model, user)
    if not (user.is_authenticated and user.is_active):
        return model._default_manager.none()
    if kind_of(model).is_system:
        return model._default_manager.all()
    content_type = ContentType.objects.get_for_model(model)  # cached by Django after the first call
    mine = ApplicationItem.objects.filter(
        content_type=content_type, tag_id__in=developer_application_ids(user)
    ).values("object_id")
    return model._default_manager.filter(pk__in=mine)


# --- events and the API gateway -------------------------------------------------------------------


def visible_events(user: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Events of the applications the user sees. Events of no application (a staff or unassigned
    driver's) are staff's only: their data may come from outside and names no audience."""
    from entities.models import Event

    qs = Event.objects.all() if queryset is None else queryset
    if _has_model_perm(user, Event, "view"):
        return qs
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    return qs.filter(application_id__in=member_application_ids(user))


def may_emit(user: Actor, application: Application | None) -> bool:
    """Emit an event into an application (None: no application): its developers, or staff."""
    from entities.models import Event

    if _has_model_perm(user, Event, "add"):
        return True
    return application is not None and has_role(user, application, Role.DEVELOPER)


def may_run_in(user: Actor, application: Application) -> bool:
    """Run the application's functions (the API gateway's token check): its developers, or staff."""
    from entities.models import FunctionRun

    return _has_model_perm(user, FunctionRun, "add") or has_role(user, application, Role.DEVELOPER)


# --- the admin ------------------------------------------------------------------------------------


def may_use_admin(user: Actor, model: type[Model]) -> bool:
    """Open the admin's change page of a model's objects: staff who may view or change them."""
    return _has_model_perm(user, model, "view") or _has_model_perm(user, model, "change")

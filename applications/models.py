"""Applications, the tag model that groups entities, and who is a member of which."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from taggit.managers import TaggableManager
from taggit.models import GenericUUIDTaggedItemBase, TagBase


class Status(models.TextChoices):
    """A status reads as the API writes it (READY) on every surface: the admin, the pages' filters and
    forms show these labels, which Django would otherwise derive as "Ready"."""

    INITIALIZED = "INITIALIZED", "INITIALIZED"
    CREATING = "CREATING", "CREATING"
    READY = "READY", "READY"
    UPDATING = "UPDATING", "UPDATING"
    DELETING = "DELETING", "DELETING"
    ERROR = "ERROR", "ERROR"


APPLICATION_NAME_PATTERN = r"\A[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z"  # \Z: "$" would let "x\n" in

application_name_validator = RegexValidator(
    APPLICATION_NAME_PATTERN,
    "Use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
    code="invalid_name",
)


class Application(TagBase):
    """A group of entities and the unit of access control.

    It is django-taggit's tag model, so that one generic through table (ApplicationItem) ties any
    entity of any kind to any application, and "what does X hold" is one indexed query.
    """

    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    tags = TaggableManager(blank=True, verbose_name="tags", help_text="Free labels, e.g. team=payments.")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Quotas (applications/quotas.py): empty means no limit. Only staff change them.
    max_entities_per_kind = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="At most this many functions, images, secrets… each; empty: no limit.",
    )
    max_concurrent_runs = models.PositiveIntegerField(
        null=True, blank=True, help_text="Runs that may be unfinished at once; empty: no limit."
    )
    max_runs_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Runs that may start within any 60 seconds; empty: no limit."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(name__regex=APPLICATION_NAME_PATTERN),
                name="application_name_is_dns_label",
            ),
        ]

    def __str__(self):
        return self.name

    def slugify(self, tag, i=None):
        # The name already is a slug; keeping them equal makes URLs and look-ups one thing.
        return tag


QUOTA_FIELDS = ("max_entities_per_kind", "max_concurrent_runs", "max_runs_per_minute")


class ApplicationItem(GenericUUIDTaggedItemBase):
    """One entity in one application: the generic through table for every kind."""

    tag = models.ForeignKey(Application, related_name="items", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "application item"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "tag"], name="application_item_unique"
            ),
        ]
        indexes = [
            # "The entities of application X", per kind: covers EXISTS (tag, content_type, object_id).
            models.Index(fields=["tag", "content_type", "object_id"], name="application_item_by_app"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} in {self.tag}"


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    DEVELOPER = "developer", "Developer"
    ADMIN = "admin", "Admin"


ROLE_RANK: dict[str | None, int] = {Role.VIEWER: 1, Role.DEVELOPER: 2, Role.ADMIN: 3}  # None: no role


class Membership(models.Model):
    """A user or a group with a role on one application."""

    application = models.ForeignKey(Application, related_name="memberships", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="application_memberships",
        on_delete=models.CASCADE,
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, related_name="application_memberships", on_delete=models.CASCADE
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application__name", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(group__isnull=True))
                | (Q(user__isnull=True) & Q(group__isnull=False)),
                name="membership_is_user_or_group",
            ),
            models.UniqueConstraint(fields=["application", "user"], name="membership_unique_user"),
            models.UniqueConstraint(fields=["application", "group"], name="membership_unique_group"),
        ]

    def __str__(self):
        return f"{self.member_name} is {self.role} of {self.application}"

    @property
    def member(self):
        return self.user if self.user_id else self.group

    @property
    def member_name(self) -> str:
        return self.user.get_username() if self.user_id else f"group {self.group.name}"


class APIToken(models.Model):
    """A token for scripts and the CLI. Only its SHA-256 is stored: the key is shown once, when made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="api_tokens", on_delete=models.CASCADE)
    name = models.CharField(max_length=100, help_text="What it is for, e.g. 'laptop' or 'ci-deploy'.")
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"

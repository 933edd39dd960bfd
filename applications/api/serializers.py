"""The API's serializers of applications, their members and the caller's tokens.

They live with `applications` (its API surface), on top of the entities' serializers they share
helpers with (`StrictFieldsMixin`, `NamesField`, `ApplicationURLField`): applications.api depends on
entities.api, never the reverse.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework import serializers

from applications import access
from applications import services as app_services
from applications.models import Application, Membership, Role, Status, application_name_validator
from entities.api.serializers import ApplicationURLField, NamesField, StrictFieldsMixin
from entities.kinds import KINDS

# --- applications and members -------------------------------------------------------------------


class ApplicationSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    resource_label = "an application"

    name = serializers.CharField(
        max_length=63, validators=[application_name_validator], trim_whitespace=False
    )
    tags = NamesField(required=False, help_text="Free labels, e.g. team=payments.")
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="The username of who made it."
    )
    revision = serializers.IntegerField(
        required=False, min_value=1, help_text="Send the one you read with an update: a stale one is a 409."
    )
    role = serializers.SerializerMethodField(help_text="Your role in it (none for staff who are no member).")
    url = ApplicationURLField()
    entities = ApplicationURLField(suffix="entities/", help_text="Every entity in it.")
    members = ApplicationURLField(suffix="members/", help_text="Its members.")

    class Meta:
        model = Application
        fields = (
            "name",
            "description",
            "status",
            "tags",
            "created",
            "modified",
            "created_by",
            "revision",
            "role",
            "url",
            "entities",
            "members",
        )
        read_only_fields = ("created", "modified")

    def get_role(self, instance) -> str | None:
        roles = self.context.get("roles")
        if roles is None:
            request = self.context.get("request")
            roles = self.context["roles"] = access.roles_in(request.user, [instance.pk]) if request else {}
        return roles.get(instance.pk)

    @classmethod
    def prepare(cls, instances, context) -> None:
        """The caller's role in every application of the page, in one query."""
        request = context.get("request")
        if request is not None:
            context["roles"] = access.roles_in(request.user, [app.pk for app in instances])

    def create(self, validated_data):
        return app_services.application_create(
            user=self.context["request"].user,
            name=validated_data["name"],
            description=validated_data.get("description", ""),
            tags=validated_data.get("tags"),
        )

    def update(self, instance, validated_data):
        application = app_services.application_update(
            application=instance,
            user=self.context["request"].user,
            name=validated_data.get("name"),
            description=validated_data.get("description"),
            status=validated_data.get("status"),
            tags=validated_data.get("tags"),
            revision=validated_data.get("revision", self.context.get("if_match_revision")),
        )
        self.context.pop("roles", None)
        return application


class MembershipSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    resource_label = "a membership"

    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="A user's username; give either user or group.",
    )
    group = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Group.objects.all(),
        required=False,
        allow_null=True,
        help_text="A group's name; give either user or group.",
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ("id", "user", "group", "role", "created")
        read_only_fields = ("id", "created")

    def validate(self, attrs):
        if (attrs.get("user") is None) == (attrs.get("group") is None):
            raise serializers.ValidationError({"user": ["Name either a user or a group, not both."]})
        return attrs

    def create(self, validated_data):
        return app_services.membership_set(
            application=self.context["application"],
            user=self.context["request"].user,
            role=validated_data["role"],
            member_user=validated_data.get("user"),
            member_group=validated_data.get("group"),
        )


class MembershipRoleSerializer(StrictFieldsMixin, serializers.Serializer):
    resource_label = "a membership"
    role = serializers.ChoiceField(choices=Role.choices)


class DeletePlanEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[kind.name for kind in KINDS])
    name = serializers.CharField()


class DeletePlanSerializer(serializers.Serializer):
    application = serializers.CharField()
    cascade = serializers.ChoiceField(choices=app_services.CASCADES)
    dry_run = serializers.BooleanField()
    deleted = DeletePlanEntrySerializer(many=True, help_text="Entities deleted with it.")
    untagged = DeletePlanEntrySerializer(many=True, help_text="Entities that only lose its tag.")


# --- tokens -------------------------------------------------------------------------------------


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    resource_label = "a token request"
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100, required=False, default="api", help_text="What the token is for, e.g. 'ci-deploy'."
    )


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(read_only=True, help_text="The key's first characters.")
    created = serializers.DateTimeField(read_only=True)
    last_used = serializers.DateTimeField(read_only=True, allow_null=True)


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The key: shown now, never again.")

"""factory-boy factories. They write rows directly (no rules) to set up a scene quickly; the tests of
the rules go through the services."""

import factory
from django.contrib.auth.models import Group, User

from applications.models import Application, Membership, Role
from entities import models as m
from entities.kinds import KINDS_BY_NAME, kind_of
from tests import samples


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group{n}")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"app-{n}")
    slug = factory.SelfAttribute("name")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    application = factory.SubFactory(ApplicationFactory)
    role = Role.VIEWER


class EntityFactory(factory.django.DjangoModelFactory):
    """Put the entity in `applications=[...]` after creation (directly, without the rules)."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"entity-{n}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        """The kind's sample (tests/samples.py) fills the own fields a test leaves out."""
        return {**samples.own(kind_of(cls._meta.model).name), **kwargs}

    @factory.post_generation
    def applications(self, create, extracted, **kwargs):
        if create and extracted:
            self.applications.set(list(extracted))


class BaseImageFactory(EntityFactory):
    class Meta:
        model = m.BaseImage

    name = factory.Sequence(lambda n: f"base-{n}")


class ImageFactory(EntityFactory):
    class Meta:
        model = m.Image

    name = factory.Sequence(lambda n: f"image-{n}")
    base_image = factory.SubFactory(BaseImageFactory)


class SecretFactory(EntityFactory):
    class Meta:
        model = m.Secret

    name = factory.Sequence(lambda n: f"secret-{n}")


class FunctionFactory(EntityFactory):
    class Meta:
        model = m.Function

    name = factory.Sequence(lambda n: f"function-{n}")
    image = factory.SubFactory(ImageFactory)


class APIFactory(EntityFactory):
    class Meta:
        model = m.API

    name = factory.Sequence(lambda n: f"api-{n}")
    function = factory.SubFactory(FunctionFactory)


class EventDriverTypeFactory(EntityFactory):
    class Meta:
        model = m.EventDriverType

    name = factory.Sequence(lambda n: f"driver-type-{n}")


class EventDriverFactory(EntityFactory):
    class Meta:
        model = m.EventDriver

    name = factory.Sequence(lambda n: f"driver-{n}")
    type = factory.SubFactory(EventDriverTypeFactory)


class SubscriptionFactory(EntityFactory):
    class Meta:
        model = m.Subscription

    name = factory.Sequence(lambda n: f"subscription-{n}")
    function = factory.SubFactory(FunctionFactory)


class FunctionRunFactory(EntityFactory):
    class Meta:
        model = m.FunctionRun

    function = factory.SubFactory(FunctionFactory)


FACTORIES = {
    "base-image": BaseImageFactory,
    "image": ImageFactory,
    "secret": SecretFactory,
    "function": FunctionFactory,
    "api": APIFactory,
    "event-driver-type": EventDriverTypeFactory,
    "event-driver": EventDriverFactory,
    "subscription": SubscriptionFactory,
    "run": FunctionRunFactory,
}


def make_with_references(kind_name: str, applications: list, made: dict, **fields):
    """One entity of a kind in `applications` (system kinds: in none), referencing the entity of each
    kind it uses in `made` (kind name -> entity), made first when missing; the new one joins `made`.
    `fields` go to the factory beside its sample's defaults."""
    kind = KINDS_BY_NAME[kind_name]
    for ref in kind.references:
        if ref.kind not in made:
            make_with_references(ref.kind, applications, made)
    single = {ref.field: made[ref.kind] for ref in kind.references if not ref.many}
    entity = FACTORIES[kind_name](applications=[] if kind.is_system else applications, **single, **fields)
    for ref in kind.references:
        if ref.many:
            getattr(entity, ref.field).set([made[ref.kind]])
    made[kind_name] = entity
    return entity

"""factory-boy factories. They write rows directly (no rules) to set up a scene quickly; the tests of
the rules go through the services."""

import factory
from django.contrib.auth.models import Group, User

from applications.models import Application, Membership, Role
from entities import models as m


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

    @factory.post_generation
    def applications(self, create, extracted, **kwargs):
        if create and extracted:
            self.applications.set(list(extracted))


class BaseImageFactory(EntityFactory):
    class Meta:
        model = m.BaseImage

    name = factory.Sequence(lambda n: f"base-{n}")
    docker_url = "dispatchframework/python3-base:0.0.13"
    language = "python3"


class ImageFactory(EntityFactory):
    class Meta:
        model = m.Image

    name = factory.Sequence(lambda n: f"image-{n}")
    base_image = factory.SubFactory(BaseImageFactory)


class SecretFactory(EntityFactory):
    class Meta:
        model = m.Secret

    name = factory.Sequence(lambda n: f"secret-{n}")
    values = factory.LazyFunction(lambda: {"password": "OpenSesame"})


class FunctionFactory(EntityFactory):
    class Meta:
        model = m.Function

    name = factory.Sequence(lambda n: f"function-{n}")
    image = factory.SubFactory(ImageFactory)
    handler = "hello.handle"
    source = "def handle(ctx, payload):\n    return {'myField': 'Hello'}\n"


class APIFactory(EntityFactory):
    class Meta:
        model = m.API

    name = factory.Sequence(lambda n: f"api-{n}")
    function = factory.SubFactory(FunctionFactory)
    methods = ["POST"]
    protocols = ["https"]
    uris = ["/hello"]


class EventDriverTypeFactory(EntityFactory):
    class Meta:
        model = m.EventDriverType

    name = factory.Sequence(lambda n: f"driver-type-{n}")
    image = "kars7e/timer:latest"


class EventDriverFactory(EntityFactory):
    class Meta:
        model = m.EventDriver

    name = factory.Sequence(lambda n: f"driver-{n}")
    type = factory.SubFactory(EventDriverTypeFactory)
    config = factory.LazyFunction(lambda: [{"key": "seconds", "value": "2"}])


class SubscriptionFactory(EntityFactory):
    class Meta:
        model = m.Subscription

    name = factory.Sequence(lambda n: f"subscription-{n}")
    event_type = "ticker.tick"
    function = factory.SubFactory(FunctionFactory)


class FunctionRunFactory(EntityFactory):
    class Meta:
        model = m.FunctionRun

    function = factory.SubFactory(FunctionFactory)
    input = factory.LazyFunction(lambda: {"name": "Jon"})
    output = factory.LazyFunction(lambda: {"myField": "Hello, Jon"})


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

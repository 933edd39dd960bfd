"""What the API tests share: a client signed in as one of the people, and a small scene in A and B."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests import factories as f
from tests import samples


@pytest.fixture
def client_for():
    """client_for(user) is an API client authenticated as the user (None: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@dataclass
class Scene:
    """One entity of every kind in A, the same in B, and the system entities they use."""

    a: dict
    b: dict
    system: dict

    def references(self, kind, side: str) -> dict:
        """A sample's references by name: into A or B (`side` "a" or "b"), or to the system entities."""
        return samples.references(
            kind, lambda name: (self.system.get(name) or getattr(self, side)[name]).name
        )


def build(app, prefix, base_image, driver_type):
    image = f.ImageFactory(name=f"{prefix}-image", base_image=base_image, applications=[app])
    secret = f.SecretFactory(name=f"{prefix}-secret", applications=[app])
    function = f.FunctionFactory(name=f"{prefix}-function", image=image, applications=[app])
    function.secrets.set([secret])
    api = f.APIFactory(name=f"{prefix}-api", function=function, applications=[app])
    driver = f.EventDriverFactory(name=f"{prefix}-driver", type=driver_type, applications=[app])
    driver.secrets.set([secret])
    subscription = f.SubscriptionFactory(name=f"{prefix}-subscription", function=function, applications=[app])
    run = f.FunctionRunFactory(function=function, applications=[app])
    return {
        "image": image,
        "secret": secret,
        "function": function,
        "api": api,
        "event-driver": driver,
        "subscription": subscription,
        "run": run,
    }


@pytest.fixture
def scene(people) -> Scene:
    base_image = f.BaseImageFactory(name="python3-base")
    driver_type = f.EventDriverTypeFactory(name="timer")
    return Scene(
        a=build(people.app_a, "a", base_image, driver_type),
        b=build(people.app_b, "b", base_image, driver_type),
        system={"base-image": base_image, "event-driver-type": driver_type},
    )

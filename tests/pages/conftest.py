"""A scene for the page tests: one entity of every kind in application A, a function in B."""

from dataclasses import dataclass

import pytest

from tests import factories as f


@dataclass
class Scene:
    base_image: object
    image: object
    secret: object
    function: object
    api: object
    driver_type: object
    driver: object
    subscription: object
    run: object
    function_b: object

    def of_kind(self, kind_name):
        return {
            "base-image": self.base_image,
            "image": self.image,
            "secret": self.secret,
            "function": self.function,
            "api": self.api,
            "event-driver-type": self.driver_type,
            "event-driver": self.driver,
            "subscription": self.subscription,
            "run": self.run,
        }[kind_name]


@pytest.fixture
def scene(people) -> Scene:
    a, b = [people.app_a], [people.app_b]
    base_image = f.BaseImageFactory(name="python3-base")
    image = f.ImageFactory(name="python3", base_image=base_image, applications=a)
    secret = f.SecretFactory(name="open-sesame", values={"password": "OpenSesame"}, applications=a)
    function = f.FunctionFactory(name="hello", image=image, applications=a)
    function.secrets.set([secret])
    api = f.APIFactory(name="post-hello", function=function, applications=a)
    driver_type = f.EventDriverTypeFactory(name="ticker-type")
    driver = f.EventDriverFactory(name="ticker", type=driver_type, applications=a)
    subscription = f.SubscriptionFactory(name="ticker-sub", function=function, applications=a)
    run = f.FunctionRunFactory(function=function, applications=a)
    function_b = f.FunctionFactory(name="bee", image__name="bee-image", image__applications=b, applications=b)
    return Scene(base_image, image, secret, function, api, driver_type, driver, subscription, run, function_b)


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in

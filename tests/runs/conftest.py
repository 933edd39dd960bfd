"""A scene for running functions: Dispatch's example functions in application A, and a helper that
makes a function of any source in A (or B)."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests import factories as f
from tests.cli.conftest import cli  # noqa: F401 - the live-server CLI fixture, for test_cli.py

# Dispatch's example functions and schemas (Apache-2.0, from dispatch-examples), unchanged.
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HELLO_INPUT = {"name": "Jon", "place": "Winterfell"}
HELLO_OUTPUT = {"myField": "Hello, Jon from Winterfell"}


def example(name: str) -> str:
    return (EXAMPLES / name).read_text()


@dataclass
class Functions:
    people: object
    python_image: object
    node_image: object

    def make(self, name, source, *, language="python3", handler=None, app=None, **fields):
        image = self.python_image if language == "python3" else self.node_image
        return f.FunctionFactory(
            name=name,
            image=image,
            source=source,
            handler=handler if handler is not None else ("main.handle" if language == "python3" else ""),
            applications=[app or self.people.app_a],
            **fields,
        )


@pytest.fixture
def functions(people) -> Functions:
    python = f.BaseImageFactory(name="python3-base", language="python3")
    node = f.BaseImageFactory(name="nodejs-base", language="nodejs", docker_url="dispatchframework/nodejs")
    scene = Functions(
        people,
        f.ImageFactory(name="python3", base_image=python, applications=[people.app_a]),
        f.ImageFactory(name="nodejs", base_image=node, applications=[people.app_a]),
    )
    scene.make("hello-py", example("hello.py"), handler="hello.handle")
    scene.make("hello-js", example("hello.js"), language="nodejs")
    values = json.loads(example("secret.json"))
    secret = f.SecretFactory(name="open-sesame", values=values, applications=[people.app_a])
    scene.make("i-have-a-secret", example("i-have-a-secret.js"), language="nodejs").secrets.set([secret])
    return scene


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make

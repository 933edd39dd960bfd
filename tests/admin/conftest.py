"""Helpers for the admin tests: admin URLs and a client signed in as the superuser."""

import pytest
from django.urls import reverse


def admin_url(model, view: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def root(client, people):
    """A client signed in as the superuser of the `people` scene."""
    client.force_login(people.superuser)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []

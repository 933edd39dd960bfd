from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = "Entities"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers that keep `unassigned` true

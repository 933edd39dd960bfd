from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = "Entities"

    def ready(self):
        from . import integrity, signals  # noqa: F401 - the receivers that keep `unassigned` true, its check

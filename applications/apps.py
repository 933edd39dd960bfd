from django.apps import AppConfig
from django.core import checks


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications"

    def ready(self):
        checks.register(check_scopes)


def check_scopes(app_configs, **kwargs):
    """DISPATCH_SCOPES must name real kinds and scopes they can have."""
    from entities.kinds import KINDS

    from .scopes import scope_errors

    return [checks.Error(message, id="dispatch.E001") for message in scope_errors(KINDS)]

from django.apps import AppConfig
from django.core import checks


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import signin

        checks.register(check_scopes)
        user_login_failed.connect(signin.record_failure, dispatch_uid="sign-in-failures")
        user_logged_in.connect(signin.clear_username, dispatch_uid="sign-in-success")


def check_scopes(app_configs, **kwargs):
    """DISPATCH_SCOPES must name real kinds and scopes they can have."""
    from entities.kinds import KINDS

    from .scopes import scope_errors

    return [checks.Error(message, id="dispatch.E001") for message in scope_errors(KINDS)]

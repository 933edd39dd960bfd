from django.apps import AppConfig
from django.core import checks


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from dispatch_site.postgres import use_c_timestamp_loader

        from . import signin

        checks.register(check_scopes)
        user_login_failed.connect(signin.record_failure, dispatch_uid="sign-in-failures")
        user_logged_in.connect(signin.clear_username, dispatch_uid="sign-in-success")
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="shared-cache-table")
        connection_created.connect(use_c_timestamp_loader, dispatch_uid="c-timestamp-loader")


def create_cache_table(sender, using, verbosity=1, **kwargs):
    """`migrate` makes the table of the shared cache when it is the database (no REDIS_URL): the sign-in
    counts and throttles live there. Idempotent, like `createcachetable`."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


def check_scopes(app_configs, **kwargs):
    """DISPATCH_SCOPES must name real kinds and scopes they can have."""
    from entities.kinds import KINDS

    from .scopes import scope_errors

    return [checks.Error(message, id="dispatch.E001") for message in scope_errors(KINDS)]

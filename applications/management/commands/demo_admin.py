"""Create (or reset) the demo superuser `admin` and print how to sign in."""

import os
import secrets

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or update the superuser 'admin' (password: DISPATCH_ADMIN_PASSWORD, else made up)."

    def handle(self, *args, **options):
        password = os.environ.get("DISPATCH_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.com"})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Sign in as admin with password {password}")

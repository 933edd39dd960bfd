"""Verify, and with --repair fix, that every entity's `unassigned` flag equals "is in no application"."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction

from entities.integrity import repair_flags, wrong_flags


class Command(BaseCommand):
    help = "Check that every entity's 'unassigned' flag equals 'is in no application'; --repair fixes it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Set every wrong flag from its applications."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, repair, database, **options):
        if repair:
            with transaction.atomic(using=database):
                repaired = repair_flags(database)
            for kind, count in repaired.items():
                self.stdout.write(f"Repaired {count} {kind} flag{'s' if count != 1 else ''}.")
            self.stdout.write("Every 'unassigned' flag is right.")
            return
        wrong = wrong_flags(database)
        if not wrong:
            self.stdout.write("Every 'unassigned' flag is right.")
            return
        for kind, names in wrong.items():
            self.stdout.write(f"{kind}: {', '.join(names)}")
        total = sum(len(names) for names in wrong.values())
        raise CommandError(f"{total} entities have a wrong 'unassigned' flag; run with --repair to fix them.")

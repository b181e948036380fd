"""Delete audit entries older than AUDIT_RETENTION_DAYS (beat runs this nightly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from audit.tasks import purge_expired


class Command(BaseCommand):
    help = "Purge audit entries older than AUDIT_RETENTION_DAYS, anchoring the remaining chain."

    def handle(self, *args, **options):
        purged = purge_expired()
        self.stdout.write(f"purged {purged} audit entries")

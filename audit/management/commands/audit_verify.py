"""Walk the audit log's hash chain; report the first broken row; exit code 1 if broken."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from audit import chain
from audit.tasks import notify_broken_chain


class Command(BaseCommand):
    help = "Verify the audit log hash chain (exit code 1 and the first broken row if not intact)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--notify", action="store_true", help="e-mail the audit administrators on breakage"
        )

    def handle(self, *args, notify: bool = False, **options):
        report = chain.verify_and_record()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.message))
            return
        self.stderr.write(self.style.ERROR(f"BROKEN seq={report.broken_seq}: {report.message}"))
        if notify:
            notify_broken_chain(report)
        raise SystemExit(1)

"""Run every reminder rule once now (what the beat schedule does hourly). Safe to repeat."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from notifications.tasks import run_reminders_now


class Command(BaseCommand):
    help = "Run the reminder scan once (deduplicated: running it again sends nothing new)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Treat this day (YYYY-MM-DD) as today, e.g. to catch up after an outage.",
        )

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2026-11-23")
        counts = run_reminders_now(today=day)
        for name, count in counts.items():
            label = "FAILED" if count < 0 else f"{count} new notification(s)"
            self.stdout.write(f"{name}: {label}")

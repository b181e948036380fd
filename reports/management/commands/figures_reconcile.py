"""Compare every stored figure line with the live figures of its run's instant and repair it.

    manage.py figures_reconcile            # repair, print what differed
    manage.py figures_reconcile --check    # only report; exit status 1 when anything differs
    manage.py figures_reconcile --refresh  # first compute new runs of the dashboard periods

Needed after bulk writes that send no signals (data imports, the demo seeder, the benchmark
generator); it also runs nightly (`reports.reconcile_figures`).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reports.snapshots import figures_reconcile, figures_refresh_due


class Command(BaseCommand):
    help = "Check (and repair) the stored figure runs against the live figures."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report only, do not repair")
        parser.add_argument(
            "--refresh", action="store_true", help="compute the dashboard periods' runs first"
        )

    def handle(self, *args, check: bool, refresh: bool, **options):
        if refresh:
            for run in figures_refresh_due(every=True):
                self.stdout.write(f"refreshed {run} ({run.duration_ms} ms)")
        differences = figures_reconcile(repair=not check)
        for run, hospital_id, names in differences:
            self.stdout.write(f"{run}: hospital {hospital_id}: {', '.join(names)}")
        verb = "differ" if check else "repaired"
        self.stdout.write(f"{len(differences)} line(s) {verb}")
        if check and differences:
            raise CommandError("stored figures differ from the live figures")

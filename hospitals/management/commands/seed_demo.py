"""Load the demo: regions, hospitals and users, then each app's own demo data. Idempotent."""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from hospitals.demo_size import SIZES, set_demo_size

# Order matters: later apps build on earlier apps' demo data.
DEMO_APPS = (
    "hospitals",
    "hazards",
    "inspections",
    "security",
    "training",
    "incidents",
    "notifications",
    "reports",
)


class Command(BaseCommand):
    help = "Load realistic demo data (safe to run again: nothing is duplicated)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default=None,
            help="full (the default, for `make run`) or small (a short history, for tests)",
        )

    def handle(self, *args, **options):
        if options.get("size"):
            set_demo_size(options["size"])
        for app_label in DEMO_APPS:
            try:
                module = import_module(f"{app_label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_label}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(stdout=self.stdout, style=self.style)
        from hospitals.demo import print_logins

        print_logins(stdout=self.stdout, style=self.style)

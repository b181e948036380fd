"""Load the demo: regions, hospitals and users, then each app's own demo data. Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from hospitals.registry import demo_builders


class Command(BaseCommand):
    help = "Load realistic demo data (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        # Each app registers its builders in its AppConfig.ready(), in the order they build on
        # each other's data (hospitals.registry).
        for _name, seed in demo_builders():
            with transaction.atomic():
                seed(stdout=self.stdout, style=self.style)

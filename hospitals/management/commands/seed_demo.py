"""Load the demo: regions, hospitals and users, then each app's own demo data. Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from hospitals.demo_size import SIZES, set_demo_size
from hospitals.registry import demo_builders


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
        # Each app registers its builders in its AppConfig.ready(), in the order they build on
        # each other's data (hospitals.registry).
        for _name, seed in demo_builders():
            with transaction.atomic():
                seed(stdout=self.stdout, style=self.style)

"""manage.py bench_generate [--scale 0.1] [--hazards N …]: write the benchmark dataset."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from bench.generate import Sizes, generate


class Command(BaseCommand):
    help = "Write the benchmark dataset (a province) into an empty PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="multiply the sizes")
        for name in Sizes().__dict__:
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=None)

    def handle(self, *args, **options):
        sizes = Sizes().scaled(options["scale"])
        overrides = {k: options[k] for k in Sizes().__dict__ if options.get(k) is not None}
        sizes = Sizes(**{**sizes.__dict__, **overrides})
        self.stdout.write(f"Generating {sizes}")
        try:
            result = generate(sizes, log=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))

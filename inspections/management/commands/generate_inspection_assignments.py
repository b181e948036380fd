"""Create inspection-day assignments now (the beat task does this every day)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inspections.services import assignments_generate, assignments_generate_upcoming


class Command(BaseCommand):
    help = "生成检查日任务:默认本月剩余及下月;--month YYYY-MM 生成指定月份(含已过去的检查日)。"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM")

    def handle(self, *args, **options):
        if options["month"]:
            try:
                year, month = (int(part) for part in options["month"].split("-"))
                if not 1 <= month <= 12:
                    raise ValueError
            except ValueError:
                raise CommandError("--month must look like 2026-03")
            created = assignments_generate(year=year, month=month)
        else:
            created = assignments_generate_upcoming()
        self.stdout.write(self.style.SUCCESS(f"created {created} assignments"))

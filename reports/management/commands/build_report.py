"""Build any report from the shell: for cron users and for benchmarks.

    manage.py build_report --type quarterly --region JJ --period 2026-Q3 [--hospital CODE]
        [--output FILE.xlsx | --record]

Without --output the file is written to the current directory under its Chinese name.
--record creates a ReportExport record and builds it exactly as the Celery task would.
"""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from hospitals.models import Hospital, Region
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from reports.periods import Period, PeriodError
from reports.scope import ReportScope
from reports.services import build_report_file, export_build, report_filename


class Command(BaseCommand):
    help = "Build a report workbook (hazard ledger, inspection summary, quarterly, 4+N, progress)."

    def add_arguments(self, parser):
        parser.add_argument("--type", required=True, choices=ReportType.values, dest="report_type")
        parser.add_argument("--region", required=True, help="region code, e.g. JJ")
        parser.add_argument(
            "--period",
            required=True,
            help="2026-07 | 2026-Q3 | 2026-H1 | 2026-W27 | 2026 | 2026-07-01..2026-07-31",
        )
        parser.add_argument(
            "--hospital", help="unified social credit code of one hospital (optional)"
        )
        parser.add_argument("--output", help="file to write (default: the Chinese file name)")
        parser.add_argument(
            "--record",
            action="store_true",
            help="create a ReportExport record and build it into storage (as the task does)",
        )

    def handle(self, *args, report_type, region, period, hospital, output, record, **options):
        try:
            region_obj = Region.objects.get(code=region.upper())
        except Region.DoesNotExist:
            raise CommandError(f"no region with code {region!r}")
        try:
            period_obj = Period.parse(period)
        except PeriodError as exc:
            raise CommandError(str(exc))
        hospital_obj = None
        if hospital:
            hospital_obj = (
                Hospital.objects.in_region(region_obj).filter(credit_code=hospital).first()
            )
            if hospital_obj is None:
                raise CommandError(f"no hospital {hospital!r} in region {region_obj.code}")
        scope = ReportScope(region=region_obj, hospital=hospital_obj, period=period_obj)
        started = time.perf_counter()
        if record:
            export = ReportExport.objects.create(
                report_type=report_type,
                region=region_obj,
                hospital=hospital_obj,
                period_kind=period_obj.kind,
                period_key=period_obj.key,
                period_start=period_obj.start,
                period_end=period_obj.end,
                status=ExportStatus.QUEUED,
            )
            export = export_build(export.pk)
            if export is None or export.status != ExportStatus.READY:
                raise CommandError(export.error if export else "build was skipped")
            self.stdout.write(
                f"export #{export.pk}: {export.row_count} rows -> {export.file.name} "
                f"({time.perf_counter() - started:.2f}s)"
            )
            return
        path = output or report_filename(report_type=report_type, scope=scope)
        tmp = f"{path}.part"
        try:
            rows = build_report_file(report_type, scope, tmp)
            os.replace(tmp, path)  # only a complete file ever carries the final name
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.stdout.write(f"{rows} rows -> {path} ({time.perf_counter() - started:.2f}s)")

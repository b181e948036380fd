"""Demo reports: the scheduled reports of the last completed month / quarter / half year for
every region, and one requested hazard ledger per county administrator. Idempotent: scheduled
reports are unique per type/region/period and requested ones are looked up before creation.
They are queued; the Celery worker started by `make run` builds them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.dates import today

from .choices import ExportStatus, PeriodKind, ReportType
from .models import ReportExport
from .periods import Period
from .services import schedule_periodic_reports
from .tasks import build_report_export


def seed(*, stdout, style) -> None:
    created = schedule_periodic_reports(today=today())
    period = Period.containing(PeriodKind.YEAR, today())
    requested = 0
    for admin in User.objects.filter(role=Role.ADMIN, region__isnull=False).select_related(
        "region"
    ):
        export, made = ReportExport.objects.get_or_create(
            report_type=ReportType.HAZARD_LEDGER,
            region=admin.region,
            hospital=None,
            period_key=period.key,
            requested_by=admin,
            is_scheduled=False,
            defaults={
                "period_kind": period.kind,
                "period_start": period.start,
                "period_end": period.end,
                "status": ExportStatus.QUEUED,
                "queued_at": timezone.now(),
            },
        )
        if made:
            transaction.on_commit(lambda pk=export.pk: build_report_export.delay(pk))
            requested += 1
    stdout.write(
        style.SUCCESS(
            f"reports demo: {len(created)} scheduled and {requested} requested reports queued"
        )
    )

"""Thin Celery tasks: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from core.dates import today

from .services import export_build, exports_sweep_stale
from .services import schedule_periodic_reports as schedule
from .snapshots import figures_reconcile, figures_refresh_due


@shared_task(name="reports.build_report_export", acks_late=True)
def build_report_export(export_id: int) -> str:
    export = export_build(export_id)
    return export.status if export else "skipped"


@shared_task(name="reports.sweep_stale_exports")
def sweep_stale_exports() -> dict:
    return exports_sweep_stale()


@shared_task(name="reports.schedule_periodic_reports")
def schedule_periodic_reports() -> int:
    return len(schedule(today=today()))


@shared_task(name="reports.refresh_figures")
def refresh_figures() -> int:
    """New stored figure runs for the dashboard's running periods (`reports.snapshots`)."""

    return len(figures_refresh_due())


@shared_task(name="reports.reconcile_figures")
def reconcile_figures() -> int:
    return len(figures_reconcile(repair=True))

"""Thin Celery tasks: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from core.dates import today


@shared_task(name="reports.build_report_export", acks_late=True)
def build_report_export(export_id: int) -> str:
    from .services import export_build

    export = export_build(export_id)
    return export.status if export else "skipped"


@shared_task(name="reports.sweep_stale_exports")
def sweep_stale_exports() -> dict:
    from .services import exports_sweep_stale

    return exports_sweep_stale()


@shared_task(name="reports.schedule_periodic_reports")
def schedule_periodic_reports() -> int:
    from .services import schedule_periodic_reports as schedule

    return len(schedule(today=today()))


@shared_task(name="reports.refresh_figures")
def refresh_figures() -> int:
    """New stored figure runs for the dashboard's running periods (`reports.snapshots`)."""
    from .snapshots import figures_refresh_due

    return len(figures_refresh_due())


@shared_task(name="reports.reconcile_figures")
def reconcile_figures() -> int:
    from .snapshots import figures_reconcile

    return len(figures_reconcile(repair=True))

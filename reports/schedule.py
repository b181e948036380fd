from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE = {
    # Quarterly (1 Jan/Apr/Jul/Oct), monthly and half-year reports for every region, for the
    # period just ended. A daily scan: idempotent, and it catches up after a missed 1st.
    "reports-schedule-periodic": {
        "task": "reports.schedule_periodic_reports",
        "schedule": crontab(minute=15, hour=1),
    },
    # A build whose worker died is re-queued (or failed after the last attempt).
    "reports-sweep-stale": {
        "task": "reports.sweep_stale_exports",
        "schedule": crontab(minute="*/5"),
    },
    # Stored figures of the running periods for large scopes (a province dashboard reads 2,000
    # lines instead of a million hazards); the page states the instant they are as of.
    "reports-refresh-figures": {
        "task": "reports.refresh_figures",
        "schedule": crontab(minute=f"*/{getattr(settings, 'FIGURES_REFRESH_MINUTES', 5)}"),
    },
    # Lines that bulk writes left behind (no signals) are repaired overnight.
    "reports-reconcile-figures": {
        "task": "reports.reconcile_figures",
        "schedule": crontab(minute=40, hour=2),
    },
}

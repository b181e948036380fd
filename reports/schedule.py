from celery.schedules import crontab

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
}

"""Periodic scans of the inspections app (collected by config/beat.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Daily, so a missed tick, a new institution or a changed inspection day is picked up the
    # next morning; the unique constraint makes every run after the first a no-op.
    "inspections-generate-assignments": {
        "task": "inspections.generate_assignments",
        "schedule": crontab(hour=0, minute=30),
    },
}

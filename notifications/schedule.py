"""Beat schedule for notifications (collected by config/beat.py). Run exactly ONE beat.

Every entry is a scan of "what is due now?", safe to run twice: reminders are deduplicated by
unique keys, so running the reminder scan hourly only sends what has not been sent yet, and a
missed hour (server down) is caught up by the next one.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "notifications-run-reminders": {
        "task": "notifications.run_reminders",
        # Hourly during office hours (Asia/Shanghai): the first run of the day sends, later runs
        # catch up on anything missed.
        "schedule": crontab(minute=5, hour="8-20"),
        "options": {"expires": 50 * 60},
    },
    "notifications-retry-deliveries": {
        "task": "notifications.retry_due_deliveries",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

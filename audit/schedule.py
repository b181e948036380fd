"""Beat schedule for the audit log (collected by config/beat.py). Run exactly ONE beat.

Both are safe to run twice: a second verification adds one more result row; a second purge
finds nothing older than the retention period.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "audit-verify-chain": {
        "task": "audit.verify_chain",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 6 * 3600},
    },
    "audit-purge-expired": {
        "task": "audit.purge_expired",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 6 * 3600},
    },
}

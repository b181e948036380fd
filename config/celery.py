from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("safe_hospital")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The beat schedule is assembled from each app's `schedule.py` in config/beat.py.
app.conf.beat_schedule = {}


def _load_beat_schedule(sender=None, **kwargs):
    # Imported when Celery is finalized: config.beat reads the apps, not loaded yet at this import.
    from config.beat import build_beat_schedule

    app.conf.beat_schedule = build_beat_schedule()


app.on_after_finalize.connect(_load_beat_schedule)

"""The beat schedule lives in code: each app may expose `BEAT_SCHEDULE` in its `schedule.py`.

Run exactly one beat process; every scheduled task is a scan ("what is due now?") that is safe to
run twice.
"""

from __future__ import annotations

from importlib import import_module

SCHEDULE_APPS = (
    "audit",
    "hospitals",
    "notifications",
    "hazards",
    "inspections",
    "security",
    "reports",
)


def build_beat_schedule() -> dict:
    schedule: dict = {}
    for app_label in SCHEDULE_APPS:
        try:
            module = import_module(f"{app_label}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_label}.schedule":
                raise
            continue
        schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
    return schedule

from __future__ import annotations

from celery import shared_task

from .importing import IMPORT_SOFT_TIME_LIMIT, hospital_import_run


@shared_task(
    name="hospitals.run_import",
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_SOFT_TIME_LIMIT + 30,
)
def run_hospital_import(import_id: int) -> str:
    return hospital_import_run(import_id=import_id).status

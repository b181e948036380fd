"""Thin Celery tasks: take ids, call one service, retry transient failures with backoff.

All of them are safe to run twice (the Delivery claim and the unique keys make a duplicate a
no-op), hence acks_late + reject_on_worker_lost: a worker killed mid-task gets the message
redelivered instead of losing it.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from core.dates import today as local_today

from . import services
from .registry import reminder_modules
from .services import TransientDeliveryError

logger = logging.getLogger(__name__)

RETRYING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (TransientDeliveryError,),
    "retry_backoff": services.BACKOFF_BASE_SECONDS,
    "retry_backoff_max": services.BACKOFF_MAX_SECONDS,
    "retry_jitter": False,
    "max_retries": services.MAX_ATTEMPTS - 1,
}


@shared_task(name="notifications.send_delivery", soft_time_limit=60, time_limit=90, **RETRYING)
def send_delivery(delivery_id: int) -> str:
    outcome = services.deliver(delivery_id)
    if outcome == "retry":
        raise TransientDeliveryError(f"delivery {delivery_id} will be retried")
    return outcome


@shared_task(name="notifications.send_email_digest", soft_time_limit=60, time_limit=90, **RETRYING)
def send_email_digest(recipient_id: int) -> dict:
    result = services.send_email_digest(recipient_id)
    if result["retry"]:
        raise TransientDeliveryError(f"e-mail digest to user {recipient_id} will be retried")
    return result


@shared_task(
    name="notifications.send_robot_digest",
    soft_time_limit=120,
    time_limit=150,
    rate_limit="20/m",
    **RETRYING,
)
def send_robot_digest(robot_id: int) -> dict:
    result = services.send_robot_digest(robot_id)
    if result["retry"]:
        raise TransientDeliveryError(f"robot {robot_id} digest will be retried")
    return result


@shared_task(
    name="notifications.retry_due_deliveries",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=120,
    time_limit=150,
)
def retry_due_deliveries() -> dict:
    return services.retry_due_deliveries()


def run_reminders_now(*, today=None) -> dict[str, int]:
    """Run the reminder rules of every app that registered them (`registry`) once. Safe to run any number of times, concurrently too:
    each reminder is recorded under a unique key before it is sent."""
    day = today or local_today()
    counts: dict[str, int] = {}
    with services.dispatch_batch():
        for module in reminder_modules():
            for rule in getattr(module, "REMINDER_RULES", ()):
                name = f"{module.__name__}.{rule.__name__}"
                try:
                    counts[name] = rule(today=day) or 0
                except SoftTimeLimitExceeded:
                    raise  # out of time: stop; the next run continues where this one stopped
                except Exception:
                    # One broken rule must not stop the others; the next run tries again.
                    logger.exception("Reminder rule %s failed", name)
                    counts[name] = -1
    return counts


@shared_task(
    name="notifications.run_reminders",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
)
def run_reminders() -> dict[str, int]:
    return run_reminders_now()

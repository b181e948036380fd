"""What hazards tell integration webhooks (notifications.webhooks): the payload of a hazard and
one emit call per event. Called by the services (raised, every status change) and by the
reminder scan (overdue); kept apart so `reminders` (imported by `services`) can use it too."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from notifications import webhooks
from notifications.choices import WebhookEvent

from .choices import EventType
from .models import Hazard, HazardEvent


def hospital_data(hospital) -> dict:
    return {
        "id": hospital.pk,
        "name": hospital.name,
        "region": {"id": hospital.region_id, "code": hospital.region.code},
    }


def hazard_data(hazard: Hazard) -> dict:
    """Ids, hospital and state of a hazard: machine values (codes), no display labels."""
    return {
        "hazard": {
            "id": hazard.pk,
            "code": hazard.code,
            "category": hazard.category,
            "risk_level": hazard.risk_level,
            "source": hazard.source,
            "location": hazard.location,
            "found_on": hazard.found_on,
            "deadline": hazard.deadline,
        },
        "hospital": hospital_data(hazard.hospital),
        "status": hazard.status,
    }


def _url(hazard: Hazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def emit_for_event(hazard: Hazard, event: HazardEvent) -> None:
    """The webhooks a hazard's audit row stands for: `hazard.raised` for the first row, and
    `hazard.status_changed` for every row that moves the status (each row is one occurrence)."""
    if event.kind == EventType.RAISED:
        webhooks.emit(
            WebhookEvent.HAZARD_RAISED,
            hazard,
            data=lambda: hazard_data(hazard),
            url=_url(hazard),
            occurred_at=event.at,
        )
    elif event.from_status and event.to_status and event.from_status != event.to_status:
        webhooks.emit(
            WebhookEvent.HAZARD_STATUS_CHANGED,
            hazard,
            data=lambda: {
                **hazard_data(hazard),
                "status": event.to_status,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "transition": event.kind,
                "event_id": event.pk,
            },
            url=_url(hazard),
            occurrence=f"event:{event.pk}",
            occurred_at=event.at,
        )


def emit_overdue(hazard: Hazard, *, today: dt.date) -> None:
    """`hazard.overdue`: once per deadline the hazard passed (an extension's new deadline, once
    passed, is a new occurrence), whichever reminder cycle the scan finds it in."""
    webhooks.emit(
        WebhookEvent.HAZARD_OVERDUE,
        hazard,
        data=lambda: {**hazard_data(hazard), "days_overdue": (today - hazard.deadline).days},
        url=_url(hazard),
        occurrence=f"{hazard.deadline.isoformat()}:overdue",
    )

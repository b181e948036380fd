"""The one entry point for telling people something: `notify(...)`.

Every (recipient, event, object, occurrence) is delivered at most once: the unique constraint on
Notification.dedupe_key makes a re-run of the same reminder scan a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Notification


def dedupe_key(event: str, obj=None, occurrence: str = "") -> str:
    obj_part = f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else "-"
    return f"{event}|{obj_part}|{occurrence}"[:255]


def notify(
    *,
    event: str,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    obj=None,
    occurrence: str = "",
) -> list[Notification]:
    """Record an in-app notification for each recipient (deduplicated). Returns the new ones.

    Call it inside the caller's transaction: it writes rows only, so a rolled-back change
    notifies nobody. Other channels (e-mail, robots) hang off the same call.
    """
    key = dedupe_key(event, obj, occurrence)
    unique_recipients = {
        user.pk: user for user in recipients if user is not None and user.is_active
    }
    if not unique_recipients:
        return []
    existing = set(
        Notification.objects.filter(recipient_id__in=unique_recipients, dedupe_key=key).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(
            recipient=user, event=event, dedupe_key=key, title=title[:200], body=body, url=url
        )
        for pk, user in unique_recipients.items()
        if pk not in existing
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return rows

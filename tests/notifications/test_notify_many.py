"""notify_many writes what notify writes for each notice — in-app rows, e-mail and robot
deliveries, preferences respected — deduplicated under the same keys."""

from __future__ import annotations

import pytest

from hazards.models import Hazard
from notifications.choices import EventKind
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.services import Notice, dispatch_batch, notify, notify_many
from tests.hazards.factories import raise_hazard
from tests.notifications.factories import RobotFactory

pytestmark = pytest.mark.django_db


def _rows(hazard: Hazard):
    """Everything written for a hazard, without the hazard's own id."""
    key = f"|hazards.hazard:{hazard.pk}|"
    notifications = sorted(
        (n.recipient_id, n.event, n.dedupe_key.replace(key, "|"), n.title, n.body, n.url)
        for n in Notification.objects.filter(dedupe_key__contains=key)
    )
    deliveries = sorted(
        (d.channel, d.target, d.event, d.dedupe_key.replace(key, "|"), d.title, d.status)
        for d in Delivery.objects.filter(dedupe_key__contains=key)
    )
    return notifications, deliveries


def test_notify_many_writes_what_notify_writes(hospital_a, officer_a, county_bureau, county_admin):
    NotificationPreference.objects.create(
        user=county_bureau, email_muted_events=[EventKind.HAZARD_OVERDUE]
    )
    RobotFactory(hospital=hospital_a, events=[EventKind.HAZARD_OVERDUE])
    RobotFactory(hospital=hospital_a, events=[EventKind.HAZARD_DUE_SOON])
    one = raise_hazard(hospital=hospital_a, found_by=officer_a)
    other = raise_hazard(hospital=hospital_a, found_by=officer_a)
    Notification.objects.all().delete()
    Delivery.objects.all().delete()

    def arguments(hazard):
        return [
            {
                "event": EventKind.HAZARD_OVERDUE,
                "recipients": (officer_a, county_bureau),
                "title": "隐患已逾期",
                "body": "正文",
                "url": hazard.get_absolute_url().replace(str(hazard.pk), "N"),
                "obj": hazard,
                "occurrence": "2027-01-01:overdue:0",
            },
            {
                "event": EventKind.HAZARD_MAJOR_OVERDUE,
                "recipients": (county_admin,),
                "title": "【督办】",
                "obj": hazard,
                "occurrence": "2027-01-01:overdue:0",
            },
        ]

    with dispatch_batch():
        expected = [len(notify(**kwargs)) for kwargs in arguments(one)]
        got = notify_many([Notice(**kwargs) for kwargs in arguments(other)])
    assert got == expected == [2, 1]
    assert _rows(other) == _rows(one)
    notifications, deliveries = _rows(other)
    assert len(notifications) == 3
    assert ("email", f"user:{county_bureau.pk}") not in {d[:2] for d in deliveries}
    assert sum(1 for d in deliveries if d[1].startswith("robot:")) == 1

    # Again, by either door: nothing new.
    with dispatch_batch():
        assert notify_many([Notice(**kwargs) for kwargs in arguments(one)]) == [0, 0]
        assert [len(notify(**kwargs)) for kwargs in arguments(other)] == [0, 0]
    assert _rows(other) == _rows(one)

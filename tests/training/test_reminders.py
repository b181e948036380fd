"""Certificate expiry notices: once per window and once when lapsed, however often the scan
runs; nothing for certificates far from their date or of inactive hospitals."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.choices import EventKind
from notifications.models import Notification
from notifications.tasks import reminder_modules, run_reminders_now
from training.reminders import remind_certificates

from .factories import make_certificate

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 1)


def _notices(officer):
    return Notification.objects.filter(
        recipient=officer, event=EventKind.TRAINING_CERTIFICATE_DUE
    ).order_by("pk")


def test_the_scan_discovers_the_training_rules():
    assert "training.reminders" in {module.__name__ for module in reminder_modules()}


def test_due_soon_notice_is_sent_once(hospital_a, officer_a):
    make_certificate(hospital_a, officer_a, valid_until=ON + dt.timedelta(days=20))
    assert remind_certificates(today=ON) == 1
    assert remind_certificates(today=ON) == 0
    run_reminders_now(today=ON + dt.timedelta(days=1))  # same window: nothing new
    notices = list(_notices(officer_a))
    assert len(notices) == 1
    assert "20 天到期" in notices[0].title


def test_each_window_and_the_lapse_notify_once(hospital_a, officer_a):
    make_certificate(hospital_a, officer_a, valid_until=ON + dt.timedelta(days=30))
    for day in range(0, 40):
        remind_certificates(today=ON + dt.timedelta(days=day))
    titles = [n.title for n in _notices(officer_a)]
    assert len(titles) == 3  # within 30, within 7, lapsed
    assert "已过期" in titles[-1]


def test_far_or_long_lapsed_certificates_are_quiet(hospital_a, officer_a):
    make_certificate(hospital_a, officer_a, number="far", valid_until=ON + dt.timedelta(90))
    make_certificate(hospital_a, officer_a, number="old", valid_until=ON - dt.timedelta(60))
    assert remind_certificates(today=ON) == 0


def test_a_renewed_certificate_is_reminded_again(hospital_a, officer_a):
    from training import services

    certificate = make_certificate(hospital_a, officer_a, valid_until=ON + dt.timedelta(days=5))
    assert remind_certificates(today=ON) == 1
    services.certificate_save(
        hospital=hospital_a,
        fields={"valid_until": ON + dt.timedelta(days=25)},
        by=officer_a,
        certificate=certificate,
    )
    assert remind_certificates(today=ON) == 1


def test_inactive_hospital_is_not_reminded(hospital_a, officer_a):
    make_certificate(hospital_a, officer_a, valid_until=ON + dt.timedelta(days=5))
    hospital_a.is_active = False
    hospital_a.save()
    assert remind_certificates(today=ON) == 0


def test_other_hospitals_officers_hear_nothing(hospital_a, officer_a, officer_b):
    make_certificate(hospital_a, officer_a, valid_until=ON + dt.timedelta(days=5))
    remind_certificates(today=ON)
    assert not _notices(officer_b).exists()

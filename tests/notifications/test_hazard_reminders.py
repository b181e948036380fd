"""Hazard reminder rules with time travel: each offset, repeat interval and escalation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.dates import today
from hazards.choices import Category, RiskLevel, Source
from hazards.models import Hazard
from hazards.services import hazard_raise
from notifications.choices import Channel, EventKind
from notifications.models import Delivery, Notification
from notifications.tasks import run_reminders
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI))


def raise_hazard(hospital, by, *, deadline, risk_level=RiskLevel.GENERAL):
    return hazard_raise(
        hospital=hospital,
        found_by=by,
        source=Source.SELF_INSPECTION,
        category=Category.FIRE,
        risk_level=risk_level,
        location="门诊楼三层消防通道",
        description="消防通道堆放杂物,影响疏散",
        deadline=deadline,
    )


def run_on(day: dt.date):
    with at(day):
        run_reminders.apply(throw=True)


def titles(user, event):
    return list(
        Notification.objects.filter(recipient=user, event=event)
        .order_by("pk")
        .values_list("title", flat=True)
    )


@pytest.fixture
def deadline():
    return today() + dt.timedelta(days=20)


@pytest.fixture
def hazard(hospital_a, officer_a, deadline):
    return raise_hazard(hospital_a, officer_a, deadline=deadline)


def test_due_soon_reminds_officers_three_days_and_one_day_before(
    hazard, deadline, officer_a, county_bureau, officer_b
):
    for days_before in (5, 4):
        run_on(deadline - dt.timedelta(days=days_before))
    assert titles(officer_a, EventKind.HAZARD_DUE_SOON) == []
    run_on(deadline - dt.timedelta(days=3))
    run_on(deadline - dt.timedelta(days=3))  # the same day again: nothing new
    run_on(deadline - dt.timedelta(days=2))
    run_on(deadline - dt.timedelta(days=1))
    run_on(deadline)
    assert titles(officer_a, EventKind.HAZARD_DUE_SOON) == [
        f"隐患 {hazard.code} 将于 3 天后到期",
        f"隐患 {hazard.code} 将于 1 天后到期",
    ]
    assert titles(county_bureau, EventKind.HAZARD_DUE_SOON) == []
    assert titles(officer_b, EventKind.HAZARD_DUE_SOON) == []


def test_due_soon_offsets_come_from_region_settings_inherited_from_the_city(
    hazard, deadline, officer_a, city, county
):
    city.hazard_reminder_days = "5,2"
    city.save()
    for days_before in range(6, -1, -1):
        run_on(deadline - dt.timedelta(days=days_before))
    assert titles(officer_a, EventKind.HAZARD_DUE_SOON) == [
        f"隐患 {hazard.code} 将于 5 天后到期",
        f"隐患 {hazard.code} 将于 2 天后到期",
    ]
    county.hazard_reminder_days = "4"
    county.save()
    run_on(deadline - dt.timedelta(days=4))
    assert titles(officer_a, EventKind.HAZARD_DUE_SOON)[-1] == f"隐患 {hazard.code} 将于 4 天后到期"


def test_due_soon_reaches_the_responsible_person_with_an_account(hazard, deadline, hospital_a):
    person = UserFactory(full_name="李建国", hospital=hospital_a)
    Hazard.objects.filter(pk=hazard.pk).update(responsible_person="李建国")
    run_on(deadline - dt.timedelta(days=1))
    assert len(titles(person, EventKind.HAZARD_DUE_SOON)) == 1


def test_an_extension_starts_a_fresh_set_of_reminders(hazard, deadline, officer_a):
    run_on(deadline - dt.timedelta(days=1))
    new_deadline = deadline + dt.timedelta(days=10)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=new_deadline)
    run_on(new_deadline - dt.timedelta(days=1))
    assert len(titles(officer_a, EventKind.HAZARD_DUE_SOON)) == 2


def test_overdue_day_after_then_weekly_and_bureau_only_at_first_notice(
    hazard, deadline, officer_a, county_bureau, city_bureau, other_county_bureau
):
    run_on(deadline)  # the deadline day itself is still in time
    assert titles(officer_a, EventKind.HAZARD_OVERDUE) == []
    for days_after in range(1, 16):
        run_on(deadline + dt.timedelta(days=days_after))
    assert titles(officer_a, EventKind.HAZARD_OVERDUE) == [
        f"隐患 {hazard.code} 已逾期 1 天",
        f"隐患 {hazard.code} 已逾期 8 天",
        f"隐患 {hazard.code} 已逾期 15 天",
    ]
    assert titles(county_bureau, EventKind.HAZARD_OVERDUE) == [f"隐患 {hazard.code} 已逾期 1 天"]
    # The nearest bureau (the county's) is told, not the city's or another county's.
    assert titles(city_bureau, EventKind.HAZARD_OVERDUE) == []
    assert titles(other_county_bureau, EventKind.HAZARD_OVERDUE) == []


def test_overdue_repeat_interval_is_a_region_setting(hazard, deadline, officer_a, county):
    county.overdue_repeat_days = 3
    county.save()
    for days_after in range(1, 8):
        run_on(deadline + dt.timedelta(days=days_after))
    assert [t.split("已逾期 ")[1] for t in titles(officer_a, EventKind.HAZARD_OVERDUE)] == [
        "1 天",
        "4 天",
        "7 天",
    ]


def test_a_missed_run_is_caught_up_the_next_day(hazard, deadline, officer_a, county_bureau):
    run_on(deadline + dt.timedelta(days=2))
    assert titles(officer_a, EventKind.HAZARD_OVERDUE) == [f"隐患 {hazard.code} 已逾期 2 天"]
    assert len(titles(county_bureau, EventKind.HAZARD_OVERDUE)) == 1


def test_major_hazard_overdue_escalates_to_administrators(
    hospital_a, officer_a, county_admin, city_admin, county_bureau
):
    deadline = today() + dt.timedelta(days=5)
    major = raise_hazard(hospital_a, officer_a, deadline=deadline, risk_level=RiskLevel.MAJOR)
    general = raise_hazard(hospital_a, officer_a, deadline=deadline)
    run_on(deadline + dt.timedelta(days=1))
    run_on(deadline + dt.timedelta(days=8))
    assert titles(county_admin, EventKind.HAZARD_MAJOR_OVERDUE) == [
        f"【督办】重大隐患 {major.code} 已逾期 1 天",
        f"【督办】重大隐患 {major.code} 已逾期 8 天",
    ]
    assert titles(city_admin, EventKind.HAZARD_MAJOR_OVERDUE) == []
    assert general.code not in " ".join(titles(county_admin, EventKind.HAZARD_MAJOR_OVERDUE))


def test_closed_hazards_are_not_reminded(hospital_a, officer_a):
    closed = hazard_raise(
        hospital=hospital_a,
        found_by=officer_a,
        source=Source.SELF_INSPECTION,
        category=Category.FIRE,
        risk_level=RiskLevel.GENERAL,
        location="配电房",
        description="绝缘手套过期",
        fixed_on_the_spot=True,
    )
    run_on(closed.deadline + dt.timedelta(days=1))
    assert not Notification.objects.filter(
        event__in=[EventKind.HAZARD_OVERDUE, EventKind.HAZARD_DUE_SOON]
    ).exists()


def test_running_the_reminder_job_twice_sends_each_email_once(
    hazard, deadline, officer_a, county_bureau, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_on(deadline + dt.timedelta(days=1))
    sent_first = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        run_on(deadline + dt.timedelta(days=1))
    assert len(mailoutbox) == sent_first  # the second run sends nothing
    mentioning = [m for m in mailoutbox if f"隐患 {hazard.code} 已逾期 1 天" in m.body]
    assert sorted(m.to[0] for m in mentioning) == sorted([officer_a.email, county_bureau.email])
    overdue = Delivery.objects.filter(channel=Channel.EMAIL, event=EventKind.HAZARD_OVERDUE)
    assert overdue.count() == 2
    assert set(overdue.values_list("status", "attempts")) == {("sent", 1)}
    assert Notification.objects.filter(event=EventKind.HAZARD_OVERDUE).count() == 2


def test_one_run_sends_each_person_one_digest_email(
    hospital_a, officer_a, county_bureau, mailoutbox, django_capture_on_commit_callbacks
):
    deadline = today() + dt.timedelta(days=5)
    hazards = [raise_hazard(hospital_a, officer_a, deadline=deadline) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        run_on(deadline + dt.timedelta(days=1))
    to_bureau = [m for m in mailoutbox if m.to == [county_bureau.email]]
    assert len(to_bureau) == 1
    message = to_bureau[0]
    assert message.subject == "[平安医院] 您有 3 条新提醒"
    for hazard in hazards:
        assert message.body.count(f"隐患 {hazard.code} 已逾期 1 天") == 1
    html, mime = message.alternatives[0]
    assert mime == "text/html" and all(h.code in html for h in hazards)

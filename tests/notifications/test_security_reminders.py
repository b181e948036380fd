"""4+N reminders with time travel: 30/7-day windows, passed deadlines, half-year reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.choices import EventKind
from notifications.models import Notification
from security.choices import ItemKind, ItemStatus, ReportStatus
from security.models import ChecklistItem, HalfYearReport, SecurityPlan
from tests.notifications.test_hazard_reminders import run_on, titles

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2027, 9, 30)


@pytest.fixture
def plan(county):
    return SecurityPlan.objects.create(
        region=county,
        guards_deadline=DEADLINE,
        screening_deadline=DEADLINE,
        alarm_deadline=DEADLINE,
        face_deadline=DEADLINE,
        police_room_deadline=DEADLINE,
    )


@pytest.fixture
def other_plan(other_county):
    far = dt.date(2030, 12, 31)
    return SecurityPlan.objects.create(
        region=other_county,
        guards_deadline=far,
        screening_deadline=far,
        alarm_deadline=far,
        face_deadline=far,
        police_room_deadline=far,
    )


def guards_titles(user):
    return [t for t in titles(user, EventKind.SECURITY_DEADLINE) if "配备专职保安员" in t]


def test_item_deadline_reminders_at_30_and_7_days_and_when_passed(
    plan, other_plan, hospital_a, officer_a, county_bureau, officer_b
):
    ChecklistItem.objects.create(
        hospital=hospital_a, kind=ItemKind.GUARDS, status=ItemStatus.IN_PROGRESS
    )
    for days_before in (31, 30, 29, 20, 7, 6, 0):
        run_on(DEADLINE - dt.timedelta(days=days_before))
    run_on(DEADLINE + dt.timedelta(days=1))
    run_on(DEADLINE + dt.timedelta(days=2))
    expected = [
        "晋江市医院 4+N 项目“配备专职保安员”距期限还有 30 天",
        "晋江市医院 4+N 项目“配备专职保安员”距期限还有 7 天",
        "晋江市医院 4+N 项目“配备专职保安员”已超过期限 1 天",
    ]
    assert guards_titles(officer_a) == expected
    assert guards_titles(county_bureau) == expected
    assert titles(officer_b, EventKind.SECURITY_DEADLINE) == []


def test_a_met_item_is_not_reminded(plan, hospital_a, officer_a):
    ChecklistItem.objects.create(
        hospital=hospital_a, kind=ItemKind.GUARDS, status=ItemStatus.MET, met_on=dt.date(2027, 1, 1)
    )
    run_on(DEADLINE - dt.timedelta(days=7))
    assert guards_titles(officer_a) == []
    # The other four standard items (not started) are reminded.
    assert len(titles(officer_a, EventKind.SECURITY_DEADLINE)) == 4


def test_windows_come_from_region_settings_and_late_start_sends_once(
    plan, county, hospital_a, officer_a
):
    county.security_reminder_days = "60,14"
    county.save()
    run_on(DEADLINE - dt.timedelta(days=45))  # switched on late: inside the 60-day window
    run_on(DEADLINE - dt.timedelta(days=44))
    run_on(DEADLINE - dt.timedelta(days=10))
    assert guards_titles(officer_a) == [
        "晋江市医院 4+N 项目“配备专职保安员”距期限还有 45 天",
        "晋江市医院 4+N 项目“配备专职保安员”距期限还有 10 天",
    ]


def test_long_past_deadlines_do_not_flood_everyone(plan, hospital_a, officer_a):
    run_on(DEADLINE + dt.timedelta(days=200))
    assert titles(officer_a, EventKind.SECURITY_DEADLINE) == []


def test_level_one_institutions_are_not_covered(plan, hospital_a, officer_a):
    hospital_a.level = "1"
    hospital_a.save()
    run_on(DEADLINE - dt.timedelta(days=7))
    assert not Notification.objects.filter(event=EventKind.SECURITY_DEADLINE).exists()


def test_half_year_report_due_reminds_officers_then_reports_overdue_to_bureau(
    plan, hospital_a, hospital_b, officer_a, officer_b, county_bureau
):
    HalfYearReport.objects.create(
        hospital=hospital_b,
        year=2027,
        half=1,
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    for day in (
        dt.date(2027, 5, 30),
        dt.date(2027, 5, 31),
        dt.date(2027, 6, 23),
        dt.date(2027, 6, 24),
    ):
        run_on(day)
    run_on(dt.date(2027, 7, 1))
    run_on(dt.date(2027, 7, 2))
    assert titles(officer_a, EventKind.HALF_YEAR_REPORT_DUE) == [
        "请于 2027-06-30 前报送2027年上半年 4+N 建设进展(还有 30 天)",
        "请于 2027-06-30 前报送2027年上半年 4+N 建设进展(还有 7 天)",
        "晋江市医院 逾期未报送2027年上半年 4+N 建设进展",
    ]
    assert titles(county_bureau, EventKind.HALF_YEAR_REPORT_DUE) == [
        "晋江市医院 逾期未报送2027年上半年 4+N 建设进展"
    ]
    assert titles(officer_b, EventKind.HALF_YEAR_REPORT_DUE) == []

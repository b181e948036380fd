"""Inspection-day reminders with time travel: the day before, the region offset, missed days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inspections import checklist_seed
from inspections.choices import AssignmentKind, InspectionKind, InspectionStatus
from inspections.models import (
    Assignment,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
)
from notifications.choices import EventKind
from tests.factories import BureauDepartmentFactory, BureauUserFactory
from tests.notifications.test_hazard_reminders import run_on, titles

pytestmark = pytest.mark.django_db

DAY_15 = dt.date(2027, 3, 15)
DAY_26 = dt.date(2027, 3, 26)


@pytest.fixture
def department(county, hospital_a):
    department = BureauDepartmentFactory(region=county, name="医政医管股")
    hospital_a.linked_department = department
    hospital_a.save()
    return department


@pytest.fixture
def department_staff(county, department):
    return BureauUserFactory(username="linked_staff", region=county, department=department)


@pytest.fixture
def self_day(hospital_a):
    return Assignment.objects.create(
        kind=AssignmentKind.SELF, hospital=hospital_a, period=DAY_15.replace(day=1), due_date=DAY_15
    )


@pytest.fixture
def linked_day(hospital_a, department):
    return Assignment.objects.create(
        kind=AssignmentKind.LINKED,
        hospital=hospital_a,
        department=department,
        period=DAY_26.replace(day=1),
        due_date=DAY_26,
    )


def test_officers_are_reminded_the_day_before_the_15th(
    self_day, officer_a, officer_b, county_bureau
):
    run_on(DAY_15 - dt.timedelta(days=2))
    assert titles(officer_a, EventKind.INSPECTION_TOMORROW) == []
    run_on(DAY_15 - dt.timedelta(days=1))
    run_on(DAY_15 - dt.timedelta(days=1))
    assert titles(officer_a, EventKind.INSPECTION_TOMORROW) == [
        "明天(03-15)是医院自查日:晋江市医院"
    ]
    assert titles(officer_b, EventKind.INSPECTION_TOMORROW) == []
    assert titles(county_bureau, EventKind.INSPECTION_TOMORROW) == []


def test_linked_department_staff_are_reminded_before_the_26th(
    linked_day, department_staff, officer_a
):
    run_on(DAY_26 - dt.timedelta(days=1))
    assert titles(department_staff, EventKind.INSPECTION_TOMORROW) == [
        "明天(03-26)是挂钩科室检查日:晋江市医院"
    ]
    assert titles(officer_a, EventKind.INSPECTION_TOMORROW) == []


def test_reminder_offsets_are_a_region_setting(self_day, officer_a, county):
    county.inspection_reminder_days = "3,1"
    county.save()
    for days in (4, 3, 2, 1):
        run_on(DAY_15 - dt.timedelta(days=days))
    assert titles(officer_a, EventKind.INSPECTION_TOMORROW) == [
        "3 天后(03-15)是医院自查日:晋江市医院",
        "明天(03-15)是医院自查日:晋江市医院",
    ]


def test_missed_inspection_day_is_reported_the_day_after_to_officers_and_bureau(
    self_day, officer_a, county_bureau, city_bureau
):
    run_on(DAY_15)
    assert titles(officer_a, EventKind.INSPECTION_MISSED) == []
    run_on(DAY_15 + dt.timedelta(days=1))
    run_on(DAY_15 + dt.timedelta(days=2))
    expected = ["晋江市医院 错过 03-15 医院自查日,未提交检查"]
    assert titles(officer_a, EventKind.INSPECTION_MISSED) == expected
    assert titles(county_bureau, EventKind.INSPECTION_MISSED) == expected
    assert titles(city_bureau, EventKind.INSPECTION_MISSED) == []


def test_a_submitted_inspection_is_neither_reminded_nor_missed(self_day, officer_a, hospital_a):
    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    template = ChecklistTemplate.objects.get(code=checklist_seed.SAFETY_CODE, version=1)
    Inspection.objects.create(
        hospital=hospital_a,
        kind=InspectionKind.SELF,
        template=template,
        assignment=self_day,
        inspected_on=DAY_15 - dt.timedelta(days=3),
        status=InspectionStatus.SUBMITTED,
        created_by=officer_a,
        submitted_by=officer_a,
        submitted_at=timezone.now(),
    )
    run_on(DAY_15 - dt.timedelta(days=1))
    run_on(DAY_15 + dt.timedelta(days=1))
    assert titles(officer_a, EventKind.INSPECTION_TOMORROW) == []
    assert titles(officer_a, EventKind.INSPECTION_MISSED) == []


def test_old_missed_days_are_not_reported_after_the_lookback(self_day, officer_a):
    run_on(DAY_15 + dt.timedelta(days=30))
    assert titles(officer_a, EventKind.INSPECTION_MISSED) == []

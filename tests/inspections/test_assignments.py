from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from inspections.choices import AssignmentKind, AssignmentState, InspectionStatus
from inspections.models import Assignment, Inspection
from inspections.schedule import BEAT_SCHEDULE
from inspections.selectors import (
    assignment_assignees,
    assignments_due_on,
    coverage,
    missed_assignments,
    with_state,
)
from inspections.services import assignments_generate, assignments_generate_upcoming
from inspections.tasks import generate_assignments
from tests.factories import HospitalFactory, OfficerFactory

from .factories import make_assignment

pytestmark = pytest.mark.django_db


def _state(assignment, on):
    return with_state(Assignment.objects.filter(pk=assignment.pk), on=on).get().state


def test_generation_creates_self_and_linked_assignments_on_the_region_days(
    hospital_a, hospital_b, department
):
    created = assignments_generate(year=2026, month=3)
    assert created == 3
    rows = {(a.hospital_id, a.kind): a for a in Assignment.objects.all()}
    assert rows[(hospital_a.pk, AssignmentKind.SELF)].due_date == dt.date(2026, 3, 15)
    assert rows[(hospital_b.pk, AssignmentKind.SELF)].due_date == dt.date(2026, 3, 15)
    linked = rows[(hospital_a.pk, AssignmentKind.LINKED)]
    assert linked.due_date == dt.date(2026, 3, 26)
    assert linked.department == department


def test_generation_twice_creates_each_assignment_once(hospital_a, hospital_b, department):
    assert assignments_generate(year=2026, month=4) == 3
    assert assignments_generate(year=2026, month=4) == 0
    assert Assignment.objects.count() == 3


def test_inactive_hospitals_get_no_assignments(hospital_a, hospital_b):
    hospital_b.is_active = False
    hospital_b.save()
    assignments_generate(year=2026, month=4)
    assert list(Assignment.objects.values_list("hospital_id", flat=True)) == [hospital_a.pk]


def test_region_setting_overrides_the_days_and_is_inherited(city, county, hospital_a, hospital_b):
    city.self_inspection_day = 10
    city.save()
    county.self_inspection_day = 20
    county.save()
    assignments_generate(year=2026, month=5)
    days = dict(Assignment.objects.values_list("hospital_id", "due_date"))
    assert days[hospital_a.pk] == dt.date(2026, 5, 20)  # the county's own day
    assert days[hospital_b.pk] == dt.date(2026, 5, 10)  # inherited from the city


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2027, dt.date(2027, 2, 28)), (2028, dt.date(2028, 2, 29))],
)
def test_day_31_in_february_falls_on_the_last_day(county, hospital_a, year, expected):
    county.self_inspection_day = 31
    county.save()
    assignments_generate(year=year, month=2)
    assert Assignment.objects.get().due_date == expected


def test_day_31_in_a_30_day_month(county, hospital_a):
    county.self_inspection_day = 31
    county.save()
    assignments_generate(year=2026, month=4)
    assert Assignment.objects.get().due_date == dt.date(2026, 4, 30)


def test_upcoming_generation_skips_days_already_past_this_month(hospital_a, department):
    # Deployed on the 20th: this month's 15th is gone, the 26th is still ahead.
    created = assignments_generate_upcoming(on=dt.date(2026, 6, 20))
    assert created == 3
    kinds = set(Assignment.objects.values_list("period", "kind"))
    assert kinds == {
        (dt.date(2026, 6, 1), AssignmentKind.LINKED),
        (dt.date(2026, 7, 1), AssignmentKind.SELF),
        (dt.date(2026, 7, 1), AssignmentKind.LINKED),
    }


def test_beat_task_is_scheduled_and_idempotent(hospital_a):
    assert BEAT_SCHEDULE["inspections-generate-assignments"]["task"] == (
        "inspections.generate_assignments"
    )
    with time_machine.travel(dt.datetime(2026, 8, 1, 9, 0), tick=False):
        generate_assignments.delay()
        generate_assignments.delay()
    assert Assignment.objects.count() == 2  # August and September, once each


def test_missed_is_derived_from_dates_across_month_end(hospital_a, officer_a, safety_template):
    assignment = make_assignment(hospital_a, due_date=dt.date(2026, 1, 31))
    assert _state(assignment, dt.date(2026, 1, 30)) == AssignmentState.OPEN
    assert _state(assignment, dt.date(2026, 1, 31)) == AssignmentState.OPEN  # the day itself
    assert _state(assignment, dt.date(2026, 2, 1)) == AssignmentState.MISSED
    assert list(missed_assignments(on=dt.date(2026, 2, 1))) == [assignment]
    assert list(missed_assignments(on=dt.date(2026, 1, 31))) == []
    # A year end too.
    december = make_assignment(hospital_a, due_date=dt.date(2025, 12, 31), kind="linked")
    assert _state(december, dt.date(2026, 1, 1)) == AssignmentState.MISSED

    Inspection.objects.create(
        hospital=hospital_a,
        kind="self",
        template=safety_template,
        assignment=assignment,
        inspected_on=dt.date(2026, 1, 31),
        created_by=officer_a,
        status=InspectionStatus.SUBMITTED,
    )
    assert _state(assignment, dt.date(2026, 2, 1)) == AssignmentState.DONE


def test_a_draft_does_not_make_an_assignment_done(hospital_a, officer_a, safety_template):
    assignment = make_assignment(hospital_a, due_date=dt.date(2026, 1, 15))
    Inspection.objects.create(
        hospital=hospital_a,
        kind="self",
        template=safety_template,
        assignment=assignment,
        inspected_on=dt.date(2026, 1, 15),
        created_by=officer_a,
    )
    assert _state(assignment, dt.date(2026, 1, 16)) == AssignmentState.MISSED


def test_due_on_selector_and_assignees(hospital_a, officer_a, department, department_staff):
    self_day = make_assignment(hospital_a, due_date=dt.date(2026, 3, 15))
    linked = make_assignment(
        hospital_a, due_date=dt.date(2026, 3, 26), kind="linked", department=department
    )
    assert list(assignments_due_on(dt.date(2026, 3, 15))) == [self_day]
    assert list(assignment_assignees(self_day)) == [officer_a]
    assert list(assignment_assignees(linked)) == [department_staff]


def test_coverage_counts_done_over_due(hospital_a, hospital_b, county, safety_template):
    officer = OfficerFactory(hospital=hospital_a)
    done = make_assignment(hospital_a, due_date=dt.date(2026, 3, 15))
    make_assignment(hospital_b, due_date=dt.date(2026, 3, 15))
    make_assignment(HospitalFactory(region=county), due_date=dt.date(2026, 3, 26), kind="linked")
    Inspection.objects.create(
        hospital=hospital_a,
        kind="self",
        template=safety_template,
        assignment=done,
        inspected_on=dt.date(2026, 3, 15),
        created_by=officer,
        status=InspectionStatus.SUBMITTED,
    )
    everything = coverage(None, 2026, 3, on=dt.date(2026, 3, 20))
    assert (everything.done, everything.due, everything.total, everything.missed) == (1, 2, 3, 1)
    assert everything.percent == 50
    in_county = coverage(county, 2026, 3, on=dt.date(2026, 3, 31))
    assert (in_county.done, in_county.due, in_county.missed) == (1, 2, 1)
    assert coverage(hospital_b, 2026, 3, on=dt.date(2026, 3, 10)).rate is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_creates_each_assignment_once(hospital_a, hospital_b, department):
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            assignments_generate(year=2026, month=9)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Assignment.objects.count() == 3


def test_coverage_by_month_groups_months(hospital_a, county):
    from inspections.selectors import coverage_by_month

    make_assignment(hospital_a, due_date=dt.date(2026, 1, 15))
    make_assignment(hospital_a, due_date=dt.date(2026, 2, 15))
    make_assignment(hospital_a, due_date=dt.date(2026, 3, 15))
    rows = coverage_by_month(
        county, dt.date(2026, 1, 1), dt.date(2026, 2, 1), on=dt.date(2026, 2, 10)
    )
    assert list(rows) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert (rows[dt.date(2026, 1, 1)].missed, rows[dt.date(2026, 1, 1)].due) == (1, 1)
    assert rows[dt.date(2026, 2, 1)].due == 0


def test_admin_can_generate_assignments_from_the_calendar(
    client, county_admin, officer_a, hospital_a
):
    from django.urls import reverse

    client.force_login(officer_a)
    assert client.post(reverse("inspections:assignments_generate")).status_code == 403
    assert Assignment.objects.count() == 0
    client.force_login(county_admin)
    with time_machine.travel(dt.datetime(2026, 8, 3, 9, 0), tick=False):
        response = client.post(reverse("inspections:assignments_generate"))
    assert response.status_code == 302
    assert Assignment.objects.count() == 2

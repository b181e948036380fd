"""The grouped coverage is the per-scope coverage, one group at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.choices import AssignmentKind, InspectionStatus
from inspections.models import Inspection
from inspections.selectors import Coverage, coverage, coverage_by
from tests.factories import HospitalFactory, OfficerFactory

from .factories import make_assignment

pytestmark = pytest.mark.django_db


def _submit(assignment, template, on):
    Inspection.objects.create(
        hospital=assignment.hospital,
        kind=assignment.kind,
        template=template,
        assignment=assignment,
        inspected_on=on,
        created_by=OfficerFactory(hospital=assignment.hospital),
        status=InspectionStatus.SUBMITTED,
    )


@pytest.fixture
def days(hospital_a, hospital_b, county, safety_template):
    """March and April 2026 days in three hospitals: done, missed, done early, still to come."""
    hospital_c = HospitalFactory(region=county)
    a_march = make_assignment(hospital_a, due_date=dt.date(2026, 3, 15))
    make_assignment(hospital_a, due_date=dt.date(2026, 3, 26), kind=AssignmentKind.LINKED)
    a_april = make_assignment(hospital_a, due_date=dt.date(2026, 4, 15))
    make_assignment(hospital_b, due_date=dt.date(2026, 3, 15))
    b_linked = make_assignment(
        hospital_b, due_date=dt.date(2026, 3, 26), kind=AssignmentKind.LINKED
    )
    make_assignment(hospital_c, due_date=dt.date(2026, 3, 15))
    make_assignment(hospital_c, due_date=dt.date(2026, 4, 15))
    _submit(a_march, safety_template, dt.date(2026, 3, 15))
    _submit(a_april, safety_template, dt.date(2026, 3, 19))  # done before its day
    _submit(b_linked, safety_template, dt.date(2026, 3, 27))  # late
    return hospital_c


@pytest.mark.parametrize("on", [dt.date(2026, 3, 10), dt.date(2026, 3, 20), dt.date(2026, 4, 30)])
@pytest.mark.parametrize("month", [3, 4])
def test_coverage_per_hospital_equals_the_coverage_of_each_hospital(
    days, hospital_a, hospital_b, city, on, month
):
    grouped = coverage_by(city, 2026, month, group_by="hospital_id", on=on)
    for hospital in (hospital_a, hospital_b, days):
        expected = coverage(hospital, 2026, month, on=on)
        if expected.total:
            assert grouped[hospital.pk] == expected
        else:
            assert hospital.pk not in grouped
    whole = coverage(city, 2026, month, on=on)
    for name in ("done", "due", "total", "missed"):
        assert sum(getattr(c, name) for c in grouped.values()) == getattr(whole, name)


def test_coverage_per_kind_equals_the_coverage_of_each_kind(days, county):
    on = dt.date(2026, 3, 20)
    grouped = coverage_by(county, 2026, 3, group_by="kind", on=on)
    assert set(grouped) == {AssignmentKind.SELF, AssignmentKind.LINKED}
    for kind, figures in grouped.items():
        assert figures == coverage(county, 2026, 3, kind=kind, on=on)
    assert grouped[AssignmentKind.SELF] == Coverage(done=1, due=2, total=2, missed=1)


def test_coverage_over_a_range_of_days_adds_up_the_months(days, hospital_a, city):
    on = dt.date(2026, 3, 20)
    grouped = coverage_by(
        city, group_by="hospital_id", days=(dt.date(2026, 3, 1), dt.date(2026, 4, 30)), on=on
    )
    march, april = coverage(hospital_a, 2026, 3, on=on), coverage(hospital_a, 2026, 4, on=on)
    assert grouped[hospital_a.pk] == Coverage(
        done=march.done + april.done,
        due=march.due + april.due,
        total=march.total + april.total,
        missed=march.missed + april.missed,
    )
    # The April day done early counts as due and done; the March linked day has not come.
    assert grouped[hospital_a.pk] == Coverage(done=2, due=2, total=3, missed=0)


def test_grouped_coverage_costs_one_query_however_many_hospitals(days, city):
    with CaptureQueriesContext(connection) as queries:
        coverage_by(city, 2026, 3, on=dt.date(2026, 3, 20))
    assert len(queries) == 1

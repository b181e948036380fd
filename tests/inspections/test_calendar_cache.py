"""The calendar over a large scope reads its coverage from the cache keyed by the data version:
the same figures and rows as computed live, and they move as soon as the data does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.dates import add_months, today
from inspections import selectors
from inspections.models import Inspection
from tests.factories import HospitalFactory, OfficerFactory

from .factories import make_assignment

pytestmark = pytest.mark.django_db


def _live(scope, day):
    """The figures the calendar shows, straight from the selectors."""
    by_day = selectors.coverage_by(scope, day.year, day.month, group_by=("due_date", "kind"))
    start_year, start_month = add_months(day.year, day.month, -11)
    history = selectors.coverage_by_month(
        scope, dt.date(start_year, start_month, 1), day.replace(day=1)
    )
    month = sum(by_day.values(), selectors.Coverage(done=0, due=0, total=0, missed=0))
    return month, [(period, c) for period, c in history.items() if c.due]


def _shown(client, url):
    response = client.get(url)
    assert response.status_code == 200
    context = response.context
    history = [(row["month"], row["coverage"]) for row in context["history"]]
    rows = [(row["assignment"].pk, row["state_label"]) for row in context["rows"]]
    return context["coverage"], history, rows, context["page"].paginator.count


def _submit(assignment, officer, template):
    Inspection.objects.create(
        hospital=assignment.hospital,
        kind="self",
        template=template,
        assignment=assignment,
        inspected_on=assignment.due_date,
        created_by=officer,
        status="submitted",
    )


@pytest.mark.parametrize("cached", [True, False])
def test_calendar_figures_and_rows_match_the_live_ones_and_follow_changes(
    settings, cached, client, county, county_bureau, safety_template
):
    settings.FIGURES_CACHE_MIN_HOSPITALS = 0 if cached else 10_000
    day = today()
    earlier = add_months(day.year, day.month, -2)
    hospitals = [HospitalFactory(region=county) for _ in range(15)]
    officer = OfficerFactory(hospital=hospitals[0])
    assignments = []
    for index, hospital in enumerate(hospitals):
        assignments.append(make_assignment(hospital, due_date=day - dt.timedelta(days=index % 3)))
        make_assignment(hospital, due_date=day, kind="linked")
        make_assignment(hospital, due_date=dt.date(*earlier, 10))
    for assignment in assignments[:4]:
        _submit(assignment, officer, safety_template)
    client.force_login(county_bureau)
    url = reverse("inspections:calendar") + f"?month={day:%Y-%m}"

    coverage, history, rows, count = _shown(client, url)
    assert (coverage, history) == _live(county, day)
    assert count == 30 and len(rows) == 25
    second = _shown(client, url + "&page=2")[2]
    expected = list(
        selectors.month_assignments(county, day.year, day.month)
        .order_by("due_date", "hospital__name", "kind")
        .values_list("pk", flat=True)
    )
    assert [pk for pk, _state in rows + second] == expected
    done = _shown(client, url + "&state=done")
    assert sorted(pk for pk, _state in done[2]) == sorted(a.pk for a in assignments[:4])
    assert done[3] == 4

    # A submission, a newly generated assignment: the page shows them on the next request.
    _submit(assignments[5], officer, safety_template)
    make_assignment(HospitalFactory(region=county), due_date=day)
    coverage_after, history_after, _rows, count_after = _shown(client, url)
    assert (coverage_after, history_after) == _live(county, day)
    assert coverage_after.done == coverage.done + 1
    assert coverage_after.total == coverage.total + 1 and count_after == 31

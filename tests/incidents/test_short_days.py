"""The patrol rule (≥ 3 a day, seed 003): the days that fell short, against hand counts."""

from __future__ import annotations

import datetime as dt

import pytest

from hospitals.models import Hospital
from incidents.choices import MIN_PATROLS_PER_DAY
from incidents.selectors import last_judged_day, patrol_short_days
from tests.factories import HospitalFactory

from .factories import make_patrols

pytestmark = pytest.mark.django_db

MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


def _rows(hospitals, start, end, on):
    return {
        row.hospital_id: row
        for row in patrol_short_days(hospitals=hospitals, start=start, end=end, on=on)
    }


def test_rule_is_three_a_day():
    assert MIN_PATROLS_PER_DAY == 3


def test_short_days_match_hand_counts(officer_a, hospital_a, hospital_b):
    start, end = MAY
    for offset in range(31):
        make_patrols(hospital_a, officer_a, start + dt.timedelta(days=offset), 3)
    # Hand-made shortfalls: May 3 has 2, May 10 has 0 (delete all), May 20 has 1; May 21 has 4.
    from incidents.models import Patrol

    Patrol.objects.filter(hospital=hospital_a, patrolled_on=dt.date(2026, 5, 3)).first().delete()
    Patrol.objects.filter(hospital=hospital_a, patrolled_on=dt.date(2026, 5, 10)).delete()
    for patrol in Patrol.objects.filter(hospital=hospital_a, patrolled_on=dt.date(2026, 5, 20))[:2]:
        patrol.delete()
    make_patrols(hospital_a, officer_a, dt.date(2026, 5, 21), 1)
    # Another hospital's patrols never count for A.
    make_patrols(hospital_b, officer_a, dt.date(2026, 5, 10), 5)

    rows = _rows(Hospital.objects.all(), start, end, on=dt.date(2026, 6, 15))
    a = rows[hospital_a.pk]
    assert [(d.day.day, d.patrols) for d in a.short] == [(3, 2), (10, 0), (20, 1)]
    assert a.days_judged == 31
    b = rows[hospital_b.pk]
    assert b.short_count == 30  # every day but the 10th


def test_today_is_not_judged_and_future_days_never(officer_a, hospital_a):
    start, end = MAY
    make_patrols(hospital_a, officer_a, dt.date(2026, 5, 1), 3)
    rows = _rows(Hospital.objects.filter(pk=hospital_a.pk), start, end, on=dt.date(2026, 5, 3))
    line = rows[hospital_a.pk]
    # Judged: May 1 (3 patrols, fine) and May 2 (none); May 3 is still running.
    assert line.days_judged == 2
    assert [d.day for d in line.short] == [dt.date(2026, 5, 2)]
    assert last_judged_day(end, dt.date(2026, 5, 3)) == dt.date(2026, 5, 2)


def test_a_month_not_yet_begun_judges_nothing(hospital_a):
    start, end = MAY
    rows = _rows(Hospital.objects.filter(pk=hospital_a.pk), start, end, on=dt.date(2026, 5, 1))
    assert rows[hospital_a.pk].days_judged == 0 and rows[hospital_a.pk].short == []


def test_leap_february_has_29_days(officer_a, hospital_a):
    start, end = dt.date(2028, 2, 1), dt.date(2028, 2, 29)
    for offset in range(28):
        make_patrols(hospital_a, officer_a, start + dt.timedelta(days=offset), 3)
    rows = _rows(Hospital.objects.filter(pk=hospital_a.pk), start, end, on=dt.date(2028, 3, 1))
    line = rows[hospital_a.pk]
    assert line.days_judged == 29
    assert [(d.day, d.patrols) for d in line.short] == [(dt.date(2028, 2, 29), 0)]


def test_inactive_hospitals_are_left_out(hospital_a, county):
    closed = HospitalFactory(name="已停业诊所", region=county, is_active=False)
    rows = _rows(Hospital.objects.all(), *MAY, on=dt.date(2026, 6, 1))
    assert closed.pk not in rows and hospital_a.pk in rows


def test_query_count_does_not_grow_with_hospitals(
    county, officer_a, hospital_a, django_assert_num_queries
):
    make_patrols(hospital_a, officer_a, dt.date(2026, 5, 2), 3)
    with django_assert_num_queries(3):
        patrol_short_days(
            hospitals=Hospital.objects.all(), start=MAY[0], end=MAY[1], on=dt.date(2026, 6, 1)
        )
    for n in range(15):
        HospitalFactory(name=f"卫生院{n}", region=county)
    with django_assert_num_queries(3):
        rows = patrol_short_days(
            hospitals=Hospital.objects.all(), start=MAY[0], end=MAY[1], on=dt.date(2026, 6, 1)
        )
    assert len(rows) == 16


def test_a_raised_target_applies_only_in_its_period(officer_a, hospital_a):
    from incidents.services import patrol_target_set

    start, end = MAY
    for offset in range(31):
        make_patrols(hospital_a, officer_a, start + dt.timedelta(days=offset), 4)
    # Fever-clinic peak May 10–12: 5 a day; an open-ended 6 from May 30 overlaps nothing else.
    patrol_target_set(
        hospital=hospital_a,
        by=officer_a,
        starts_on=dt.date(2026, 5, 10),
        ends_on=dt.date(2026, 5, 12),
        daily_target=5,
        reason="发热门诊高峰期",
    )
    patrol_target_set(
        hospital=hospital_a, by=officer_a, starts_on=dt.date(2026, 5, 30), daily_target=6
    )
    make_patrols(hospital_a, officer_a, dt.date(2026, 5, 11), 1)  # the 11th reaches 5
    rows = _rows(Hospital.objects.filter(pk=hospital_a.pk), start, end, on=dt.date(2026, 6, 2))
    short = [(d.day.day, d.patrols, d.target) for d in rows[hospital_a.pk].short]
    assert short == [(10, 4, 5), (12, 4, 5), (30, 4, 6), (31, 4, 6)]


def test_dashboard_totals_equal_the_day_by_day_count(officer_a, hospital_a, county):
    """`short_day_totals` (counted in the database) agrees with `patrol_short_days`, with and
    without raised targets, on a hand-made month."""
    from incidents.selectors import short_day_totals
    from incidents.services import patrol_target_set

    start, end = MAY
    other = HospitalFactory(name="晋江市第二医院", region=county)
    HospitalFactory(name="晋江市第三医院", region=county)  # no patrols: every day short
    for offset in range(31):
        day = start + dt.timedelta(days=offset)
        make_patrols(hospital_a, officer_a, day, 3 if offset % 5 else 2)
        make_patrols(other, officer_a, day, 4)
    hospitals = Hospital.objects.filter(region=county)
    on = dt.date(2026, 6, 1)

    def both():
        rows = patrol_short_days(hospitals=hospitals, start=start, end=end, on=on)
        expected = (
            sum(r.short_count for r in rows),
            sum(1 for r in rows if r.short),
            len(rows),
        )
        return expected, short_day_totals(hospitals=hospitals, start=start, end=end, on=on)

    expected, totals = both()
    assert totals == expected == (7 + 0 + 31, 2, 3)
    patrol_target_set(
        hospital=other, by=_officer_of(other), starts_on=dt.date(2026, 5, 20), daily_target=5
    )
    expected, totals = both()
    assert totals == expected == (7 + 12 + 31, 3, 3)


def _officer_of(hospital):
    from tests.factories import OfficerFactory

    return OfficerFactory(username=f"officer_{hospital.pk}", hospital=hospital)

"""Holiday-aware inspection days (issue 15 part 5): the region chooses to keep the 15th / 26th
or to move it to the next official working day; assignments, reminders, "missed" and the
officer's "next inspection day" all follow the one rule in `inspections.days`."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core import workdays
from core.dates import day_in_month
from core.workdays import is_working_day, next_working_day
from hospitals.choices import InspectionDayShift
from hospitals.models import REGION_SETTING_DEFAULTS
from inspections.choices import AssignmentKind
from inspections.days import inspection_day
from inspections.models import Assignment
from inspections.selectors import missed_assignments
from inspections.services import assignments_generate
from notifications.choices import EventKind
from reports.dashboard import officer_dashboard
from tests.factories import BureauDepartmentFactory
from tests.notifications.test_hazard_reminders import run_on, titles

SHIFT = InspectionDayShift.NEXT_WORKDAY


def _settings(**values):
    merged = {**REGION_SETTING_DEFAULTS, **values}
    return lambda name: merged[name]


def _day(year, month, *, kind=AssignmentKind.SELF, **values):
    return inspection_day(kind=kind, year=year, month=month, setting=_settings(**values))


# ---- the rule ----------------------------------------------------------------------------------


def test_a_saturday_15th_moves_to_monday():
    assert dt.date(2026, 8, 15).weekday() == 5
    assert _day(2026, 8, inspection_day_shift=SHIFT) == dt.date(2026, 8, 17)


def test_keep_leaves_the_date_even_on_a_saturday():
    assert _day(2026, 8) == dt.date(2026, 8, 15)
    assert _day(2026, 8, inspection_day_shift=InspectionDayShift.KEEP) == dt.date(2026, 8, 15)


def test_a_15th_inside_the_spring_festival_moves_past_the_whole_holiday():
    # 2026 春节: 02-15 … 02-23 off; 02-24 is the first working day.
    assert _day(2026, 2, inspection_day_shift=SHIFT) == dt.date(2026, 2, 24)


def test_a_day_inside_national_day_moves_past_the_holiday():
    # 国庆 2026-10-01 … 10-07; a region whose self-inspection day is the 3rd.
    assert _day(2026, 10, inspection_day_shift=SHIFT, self_inspection_day=3) == dt.date(2026, 10, 8)


def test_a_26th_on_the_mid_autumn_holiday_moves_to_monday():
    day = _day(2026, 9, kind=AssignmentKind.LINKED, inspection_day_shift=SHIFT)
    assert day == dt.date(2026, 9, 28)


def test_a_tiaoxiu_working_saturday_counts_as_a_working_day():
    # 2026-02-14 is a Saturday worked in exchange for the Spring Festival (调休).
    assert dt.date(2026, 2, 14).weekday() == 5
    assert is_working_day(dt.date(2026, 2, 14))
    assert _day(2026, 2, inspection_day_shift=SHIFT, self_inspection_day=14) == dt.date(2026, 2, 14)


def test_a_year_the_package_does_not_know_falls_back_to_weekends_and_warns(caplog):
    workdays._warn_unknown_year.cache_clear()
    with caplog.at_level(logging.WARNING, logger="core.workdays"):
        # 2099-08-15 is a Saturday: moved to Monday on weekends alone.
        assert next_working_day(dt.date(2099, 8, 15)) == dt.date(2099, 8, 17)
        assert is_working_day(dt.date(2099, 10, 1))  # a Thursday: no holiday table, so worked
    warnings = [r for r in caplog.records if "2099" in r.getMessage()]
    assert len(warnings) == 1  # once per year, not once per date
    assert "weekends" in warnings[0].getMessage()


@settings(max_examples=300, deadline=None)
@given(
    year=st.integers(min_value=2005, max_value=2032),
    month=st.integers(min_value=1, max_value=12),
    day=st.integers(min_value=1, max_value=31),
    shift=st.sampled_from(list(InspectionDayShift)),
)
def test_the_chosen_day_is_never_early_and_a_working_day_when_shifting(year, month, day, shift):
    nominal = day_in_month(year, month, day)
    chosen = _day(year, month, self_inspection_day=day, inspection_day_shift=shift)
    assert chosen >= nominal
    if shift == InspectionDayShift.KEEP:
        assert chosen == nominal
    else:
        assert is_working_day(chosen)
        # The longest run of days off in the table (2020's extended Spring Festival) is 10.
        assert (chosen - nominal).days <= 11
        # Nothing in between was a working day: it is the NEXT working day.
        assert not any(
            is_working_day(nominal + dt.timedelta(days=n)) for n in range((chosen - nominal).days)
        )


# ---- everything follows it ---------------------------------------------------------------------


@pytest.fixture
def shifting(county):
    county.inspection_day_shift = SHIFT
    county.save()
    return county


@pytest.fixture
def department(county, hospital_a):
    department = BureauDepartmentFactory(region=county, name="医政医管股")
    hospital_a.linked_department = department
    hospital_a.save()
    return department


@pytest.mark.django_db
def test_assignments_get_the_moved_due_dates(shifting, hospital_a, department):
    assignments_generate(year=2026, month=9)
    days = dict(Assignment.objects.values_list("kind", "due_date"))
    assert days == {
        AssignmentKind.SELF: dt.date(2026, 9, 15),
        AssignmentKind.LINKED: dt.date(2026, 9, 28),
    }


@pytest.mark.django_db
def test_the_setting_is_inherited_from_the_city(city, county, hospital_a):
    city.inspection_day_shift = SHIFT
    city.save()
    assignments_generate(year=2026, month=2)
    assert Assignment.objects.get().due_date == dt.date(2026, 2, 24)
    county.inspection_day_shift = InspectionDayShift.KEEP  # a county may override its city
    county.save()
    Assignment.objects.all().delete()
    assignments_generate(year=2026, month=2)
    assert Assignment.objects.get().due_date == dt.date(2026, 2, 15)


@pytest.mark.django_db
def test_upcoming_generation_keeps_a_moved_day_that_is_still_ahead(shifting, hospital_a):
    # On the 16th the nominal 15th has passed, but the moved day (Monday the 17th) has not.
    from inspections.services import assignments_generate_upcoming

    assignments_generate_upcoming(on=dt.date(2026, 8, 16))
    assert dt.date(2026, 8, 17) in set(Assignment.objects.values_list("due_date", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "moved"),
    [
        (8, dt.date(2026, 8, 17)),  # Saturday 15th → Monday
        (2, dt.date(2026, 2, 24)),  # 15th in the Spring Festival → first day after it
    ],
)
def test_reminders_and_missed_follow_the_moved_date(
    shifting, hospital_a, officer_a, county_bureau, month, moved
):
    assignments_generate(year=2026, month=month)
    assert Assignment.objects.get().due_date == moved
    nominal = dt.date(2026, month, 15)
    run_on(nominal - dt.timedelta(days=1))  # the day before the nominal 15th: nothing yet
    assert titles(officer_a, EventKind.INSPECTION_TOMORROW) == []
    run_on(moved - dt.timedelta(days=1))
    assert titles(officer_a, EventKind.INSPECTION_TOMORROW) == [
        f"明天({moved:%m-%d})是医院自查日:晋江市医院"
    ]
    # Not missed after the nominal 15th, nor on the moved day itself.
    run_on(nominal + dt.timedelta(days=1))
    run_on(moved)
    assert titles(officer_a, EventKind.INSPECTION_MISSED) == []
    assert not missed_assignments(on=moved).exists()
    run_on(moved + dt.timedelta(days=1))
    expected = [f"晋江市医院 错过 {moved:%m-%d} 医院自查日,未提交检查"]
    assert titles(officer_a, EventKind.INSPECTION_MISSED) == expected
    assert titles(county_bureau, EventKind.INSPECTION_MISSED) == expected


@pytest.mark.django_db
def test_the_officers_next_inspection_day_is_the_moved_day(shifting, hospital_a, officer_a):
    # No assignment generated yet: the dashboard asks the same rule.
    with time_machine.travel(
        dt.datetime(2026, 8, 16, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ):
        data = officer_dashboard(officer_a)
    assert data["next_day"] == dt.date(2026, 8, 17)
    assert data["next_days"] == 1


@pytest.mark.django_db
def test_keep_is_the_default_and_the_region_settings_page_edits_it(client, county_admin, county):
    assert county.setting("inspection_day_shift") == InspectionDayShift.KEEP
    client.force_login(county_admin)
    url = reverse("hospitals:region_edit", args=[county.pk])
    assert "顺延至下一个工作日" in client.get(url).content.decode()
    response = client.post(
        url,
        {"name": county.name, "code": county.code, "inspection_day_shift": SHIFT},
    )
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.setting("inspection_day_shift") == SHIFT
    listing = client.get(reverse("hospitals:region_list")).content.decode()
    assert "顺延至下一个工作日" in listing  # the label, not the stored code

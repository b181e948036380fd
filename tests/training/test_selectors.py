"""The yearly figures against hand counts, with edges: no staff, a leap year, one training."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from training.models import Certificate, ResponsibilityLetter, TrainingSession, TrainingYear
from training.selectors import (
    certificate_state,
    figure_date,
    hospitals_without_letter,
    training_figures,
    training_figures_for,
    training_summary,
)

pytestmark = pytest.mark.django_db


def _session(hospital, day, kind="all_staff", count=10):
    return TrainingSession.objects.create(
        hospital=hospital,
        held_on=day,
        kind=kind,
        title="t",
        trainer="x",
        hours=Decimal("1"),
        attendee_count=count,
    )


def _cert(hospital, until, number):
    return Certificate.objects.create(
        hospital=hospital, holder="h", cert_type="power", number=number, valid_until=until
    )


def test_no_records_no_staff_gives_no_rates(hospital_a):
    figures = training_figures(hospital_a, 2025, on=dt.date(2026, 3, 1))
    assert figures.all_staff_sessions == 0
    assert not figures.all_staff_ok
    assert figures.new_staff_rate is None
    assert figures.certified_rate is None
    assert figures.new_staff_display == "—"
    # No staff to train is not a shortfall.
    assert figures.new_staff_ok and figures.certified_ok


def test_a_year_with_one_all_staff_training_falls_short(hospital_a):
    _session(hospital_a, dt.date(2025, 5, 1))
    _session(hospital_a, dt.date(2025, 6, 1), kind="fire_four")  # not an all-staff training
    _session(hospital_a, dt.date(2024, 12, 31))  # the year before
    figures = training_figures(hospital_a, 2025, on=dt.date(2026, 1, 10))
    assert figures.all_staff_sessions == 1
    assert not figures.all_staff_ok
    _session(hospital_a, dt.date(2025, 12, 31))
    assert training_figures(hospital_a, 2025, on=dt.date(2026, 1, 10)).all_staff_ok


def test_leap_year_end_and_feb_29_count(hospital_a):
    _session(hospital_a, dt.date(2028, 2, 29))
    _session(hospital_a, dt.date(2028, 12, 31))
    _session(hospital_a, dt.date(2029, 1, 1))
    figures = training_figures(hospital_a, 2028, on=dt.date(2029, 6, 1))
    assert figures.all_staff_sessions == 2
    assert figures.on == dt.date(2028, 12, 31)


def test_the_running_year_counts_up_to_today(hospital_a):
    _session(hospital_a, dt.date(2026, 3, 1))
    _session(hospital_a, dt.date(2026, 9, 1))  # after "today": not yet held
    figures = training_figures(hospital_a, 2026, on=dt.date(2026, 6, 30))
    assert figures.on == dt.date(2026, 6, 30)
    assert figures.all_staff_sessions == 1


def test_new_staff_rate_against_hand_count(hospital_a, hospital_b):
    TrainingYear.objects.create(hospital=hospital_a, year=2025, new_staff=8, special_posts=0)
    _session(hospital_a, dt.date(2025, 3, 1), kind="new_staff", count=3)
    _session(hospital_a, dt.date(2025, 9, 1), kind="new_staff", count=3)
    _session(hospital_b, dt.date(2025, 9, 1), kind="new_staff", count=50)  # another hospital
    figures = training_figures(hospital_a, 2025, on=dt.date(2026, 1, 1))
    assert (figures.new_staff_trained, figures.new_staff) == (6, 8)
    assert figures.new_staff_rate == Decimal(6) / Decimal(8)
    assert figures.new_staff_display == "75%"
    assert not figures.new_staff_ok


def test_new_staff_rate_is_capped_at_100_percent(hospital_a):
    TrainingYear.objects.create(hospital=hospital_a, year=2025, new_staff=4, special_posts=0)
    _session(hospital_a, dt.date(2025, 3, 1), kind="new_staff", count=9)
    figures = training_figures(hospital_a, 2025, on=dt.date(2026, 1, 1))
    assert figures.new_staff_display == "100%"
    assert figures.new_staff_ok


def test_certified_rate_counts_certificates_valid_on_the_figure_date(hospital_a):
    TrainingYear.objects.create(hospital=hospital_a, year=2025, new_staff=0, special_posts=4)
    _cert(hospital_a, dt.date(2025, 12, 31), "1")  # valid through the year's last day
    _cert(hospital_a, dt.date(2027, 1, 1), "2")
    _cert(hospital_a, dt.date(2025, 12, 30), "3")  # lapsed before the year ended
    figures = training_figures(hospital_a, 2025, on=dt.date(2026, 5, 1))
    assert (figures.certified, figures.special_posts) == (2, 4)
    assert figures.certified_display == "50%"


def test_figures_for_many_hospitals_in_three_queries(
    hospital_a, hospital_b, django_assert_num_queries
):
    _session(hospital_a, dt.date(2025, 3, 1))
    _session(hospital_b, dt.date(2025, 3, 1))
    _session(hospital_b, dt.date(2025, 4, 1))
    with django_assert_num_queries(3):
        figures = training_figures_for([hospital_a.pk, hospital_b.pk], 2025, on=dt.date(2026, 1, 1))
    assert figures[hospital_a.pk].all_staff_sessions == 1
    assert figures[hospital_b.pk].all_staff_sessions == 2


def test_figure_date():
    assert figure_date(2025, dt.date(2026, 2, 1)) == dt.date(2025, 12, 31)
    assert figure_date(2026, dt.date(2026, 2, 1)) == dt.date(2026, 2, 1)


def test_certificate_state_edges(hospital_a):
    on = dt.date(2026, 6, 1)
    assert certificate_state(_cert(hospital_a, on, "a"), on) == "due_soon"
    assert certificate_state(_cert(hospital_a, on - dt.timedelta(days=1), "b"), on) == "lapsed"
    assert certificate_state(_cert(hospital_a, on + dt.timedelta(days=31), "c"), on) == "valid"


def test_hospitals_without_letter(hospital_a, hospital_b):
    from hospitals.models import Hospital

    ResponsibilityLetter.objects.create(
        hospital=hospital_a,
        year=2026,
        level="bureau_hospital",
        party_a="局",
        party_b="院",
        signed_on=dt.date(2026, 2, 1),
    )
    ResponsibilityLetter.objects.create(
        hospital=hospital_b,
        year=2025,
        level="bureau_hospital",
        party_a="局",
        party_b="院",
        signed_on=dt.date(2025, 2, 1),
    )
    missing = hospitals_without_letter(Hospital.objects.all(), 2026)
    assert list(missing) == [hospital_b]
    assert set(hospitals_without_letter(Hospital.objects.all(), 2026, "department_post")) == {
        hospital_a,
        hospital_b,
    }


def test_summary_caps_each_hospital_before_adding(hospital_a, hospital_b):
    from hospitals.models import Hospital

    on = dt.date(2026, 6, 1)
    TrainingYear.objects.create(hospital=hospital_a, year=2026, new_staff=2, special_posts=1)
    TrainingYear.objects.create(hospital=hospital_b, year=2026, new_staff=2, special_posts=1)
    _session(hospital_a, dt.date(2026, 3, 1), kind="new_staff", count=10)  # over-counted
    _session(hospital_a, dt.date(2026, 3, 2))
    _session(hospital_a, dt.date(2026, 3, 3))
    _cert(hospital_a, on + dt.timedelta(days=10), "x")  # due soon, still valid
    _cert(hospital_b, on - dt.timedelta(days=10), "y")  # lapsed
    summary = training_summary(Hospital.objects.all(), on=on)
    assert summary.hospitals == 2
    assert summary.all_staff_ok == 1
    assert (summary.new_staff_trained, summary.new_staff) == (2, 4)
    assert summary.new_staff_display == "50%"
    assert (summary.certified, summary.special_posts) == (1, 2)
    assert summary.certificates_due_soon == 1
    assert summary.certificates_lapsed == 1
    assert summary.letters_missing == 2

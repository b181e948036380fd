"""The grouped rectification figures are the per-scope figures, one group at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dates import today
from hazards.choices import Category
from hazards.models import Hazard
from hazards.selectors import rectification_figures_by, rectification_rate
from hazards.services import hazard_accept
from tests.hazards.conftest import start, submit
from tests.hazards.factories import raise_hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(hospital_a, hospital_b, officer_a, officer_b):
    """Open, overdue, closed today, fixed on the spot and old hazards in two hospitals."""
    long_ago = today() - dt.timedelta(days=90)
    past = today() - dt.timedelta(days=20)
    raise_hazard(hospital=hospital_a, found_by=officer_a, fixed_on_the_spot=True)
    raise_hazard(hospital=hospital_a, found_by=officer_a, category=Category.SECURITY)
    raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=past,
        deadline=today() - dt.timedelta(days=2),
    )
    closed = raise_hazard(hospital=hospital_a, found_by=officer_a, category=Category.SECURITY)
    start(closed, officer_a)
    submit(closed, officer_a)
    hazard_accept(hazard=closed, by=officer_a)
    raise_hazard(hospital=hospital_a, found_by=officer_a, found_on=long_ago)
    raise_hazard(
        hospital=hospital_b, found_by=officer_b, found_on=past, deadline=today() - dt.timedelta(1)
    )
    raise_hazard(hospital=hospital_b, found_by=officer_b, fixed_on_the_spot=True)


@pytest.mark.parametrize(
    "period, as_of",
    [
        (None, None),
        ((today() - dt.timedelta(days=30), today()), None),
        ((today() - dt.timedelta(days=30), None), today() - dt.timedelta(days=1)),
        ((None, today() - dt.timedelta(days=10)), today() + dt.timedelta(days=30)),
    ],
)
def test_figures_per_hospital_equal_the_rate_of_each_hospital(
    mixed, hospital_a, hospital_b, city, period, as_of
):
    grouped = rectification_figures_by(city, group_by="hospital_id", period=period, as_of=as_of)
    for hospital in (hospital_a, hospital_b):
        expected = rectification_rate(hospital, period, as_of=as_of)
        if expected.found:
            assert grouped[hospital.pk] == expected
        else:
            assert hospital.pk not in grouped
    assert set(grouped) <= {hospital_a.pk, hospital_b.pk}
    total = rectification_rate(city, period, as_of=as_of)
    assert sum(f.found for f in grouped.values()) == total.found
    assert sum(f.rectified for f in grouped.values()) == total.rectified
    assert sum(f.overdue for f in grouped.values()) == total.overdue
    assert sum(f.open for f in grouped.values()) == total.open


def test_figures_per_category_equal_the_rate_of_each_category(mixed, city):
    grouped = rectification_figures_by(Hazard.objects.all(), group_by="category")
    assert set(grouped) == {Category.FIRE, Category.SECURITY}
    for category, figures in grouped.items():
        assert figures == rectification_rate(Hazard.objects.filter(category=category))
    assert grouped[Category.SECURITY].rectified == 1
    assert grouped[Category.SECURITY].display == "50%"


def test_grouped_figures_cost_one_query_however_many_hospitals(mixed, city):
    with CaptureQueriesContext(connection) as queries:
        rectification_figures_by(city, period=(today() - dt.timedelta(days=30), today()))
    assert len(queries) == 1


def test_grouped_figures_count_each_rule(mixed, hospital_a, hospital_b, city):
    grouped = rectification_figures_by(city)
    a, b = grouped[hospital_a.pk], grouped[hospital_b.pk]
    # hospital_a: 5 found, 2 closed out, 3 open of which the 20- and 90-day-old are overdue.
    assert (a.found, a.rectified, a.open, a.overdue, a.display) == (5, 2, 3, 2, "40%")
    assert (b.found, b.rectified, b.open, b.overdue, b.display) == (2, 1, 1, 1, "50%")
    yesterday = rectification_figures_by(city, as_of=today() - dt.timedelta(days=1))
    # Closures dated today do not count as of yesterday.
    assert yesterday[hospital_a.pk].rectified < a.rectified

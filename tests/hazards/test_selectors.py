from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dates import today
from hazards.models import Hazard
from hazards.selectors import due_within, format_rate, overdue, rectification_rate
from tests.hazards.conftest import start, submit
from tests.hazards.factories import raise_hazard

pytestmark = pytest.mark.django_db


def test_rate_143_found_143_rectified_is_100_percent(hospital_a, officer_a):
    for _ in range(143):
        raise_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            fixed_on_the_spot=True,
            rectification_measures="当场整改",
        )
    figures = rectification_rate(hospital_a)
    assert (figures.found, figures.rectified) == (143, 143)
    assert figures.rate == Decimal("1")
    assert figures.display == "100%"


def test_rate_with_nothing_found_shows_a_dash(hospital_a, county):
    figures = rectification_rate(county, (dt.date(2026, 1, 1), dt.date(2026, 3, 31)))
    assert figures.found == 0
    assert figures.rate is None
    assert figures.display == "—"
    assert str(figures) == "—"


def test_rate_counts_fixed_on_the_spot_in_both_and_open_hazards_only_as_found(
    hospital_a, hospital_b, officer_a, officer_b, city, county
):
    raise_hazard(hospital=hospital_a, found_by=officer_a, fixed_on_the_spot=True)
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    raise_hazard(hospital=hospital_b, found_by=officer_b, fixed_on_the_spot=True)
    assert rectification_rate(county).display == "33.3%"
    city_figures = rectification_rate(city)
    assert (city_figures.found, city_figures.rectified, city_figures.open) == (4, 2, 2)
    assert city_figures.display == "50%"
    assert rectification_rate(Hazard.objects.filter(hospital=hospital_b)).display == "100%"


def test_rate_period_filters_on_found_date(hospital_a, officer_a):
    old = today() - dt.timedelta(days=60)
    raise_hazard(hospital=hospital_a, found_by=officer_a, found_on=old, fixed_on_the_spot=True)
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    recent = rectification_rate(hospital_a, (today() - dt.timedelta(days=7), today()))
    assert (recent.found, recent.rectified) == (1, 0)
    assert recent.display == "0%"


def test_rectified_counts_only_closures_up_to_as_of(hospital_a, officer_a):
    hazard = raise_hazard(hospital=hospital_a, found_by=officer_a)
    start(hazard, officer_a)
    submit(hazard, officer_a)
    from hazards.services import hazard_accept

    hazard_accept(hazard=hazard, by=officer_a)
    assert rectification_rate(hospital_a).rectified == 1
    assert rectification_rate(hospital_a, as_of=today() - dt.timedelta(days=1)).rectified == 0


def test_format_rate_rounds_to_one_decimal():
    assert format_rate(Decimal("0.9725")) == "97.3%"
    assert format_rate(Decimal("0")) == "0%"
    assert format_rate(None) == "—"


def test_overdue_and_due_within_are_queries_on_open_hazards(hospital_a, officer_a):
    past = today() - dt.timedelta(days=30)
    late = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=past,
        deadline=today() - dt.timedelta(days=1),
    )
    on_time = raise_hazard(hospital=hospital_a, found_by=officer_a, deadline=today())
    closed_late = raise_hazard(
        hospital=hospital_a, found_by=officer_a, found_on=past, fixed_on_the_spot=True
    )
    qs = Hazard.objects.all()
    assert list(overdue(qs)) == [late]
    assert list(due_within(qs, 7)) == [on_time]
    assert closed_late not in overdue(qs)
    assert late.is_overdue() and not on_time.is_overdue()
    assert list(overdue(qs, on=today() + dt.timedelta(days=1))) == [on_time, late] or set(
        overdue(qs, on=today() + dt.timedelta(days=1))
    ) == {on_time, late}


@pytest.mark.parametrize("name", ["hazards:list", "hazards:overdue", "hazards:todo"])
def test_list_pages_use_a_constant_number_of_queries(
    client, hospital_a, officer_a, county_bureau, django_assert_num_queries, name
):
    past = today() - dt.timedelta(days=40)

    def make(n):
        for i in range(n):
            hazard = raise_hazard(
                hospital=hospital_a,
                found_by=county_bureau if i % 2 else officer_a,
                source="spot_check" if i % 2 else "self_inspection",
                found_on=past,
                deadline=past + dt.timedelta(days=10),
            )
            if i % 3 == 0:
                start(hazard, officer_a)
                submit(hazard, officer_a, explanation="延误说明")

    client.force_login(county_bureau)
    make(4)
    with CaptureQueriesContext(connection) as small:
        first = client.get(reverse(name), {"category": "fire"})
    assert first.status_code == 200
    make(20)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse(name), {"category": "fire"})
    assert response.status_code == 200
    assert len(response.context["page_obj"]) > len(first.context["page_obj"]) > 0


def test_detail_page_query_count_does_not_grow_with_events(
    client, hospital_a, officer_a, django_assert_max_num_queries
):
    from hazards.services import hazard_record_progress

    hazard = raise_hazard(hospital=hospital_a, found_by=officer_a)
    start(hazard, officer_a)
    client.force_login(officer_a)
    with CaptureQueriesContext(connection) as small:
        client.get(hazard.get_absolute_url())
    for i in range(10):
        hazard_record_progress(hazard=hazard, by=officer_a, note=f"进度 {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(hazard.get_absolute_url())

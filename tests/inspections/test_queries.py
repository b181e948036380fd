"""Lists and the calendar cost the same number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dates import today
from inspections.models import Answer, Inspection
from inspections.services import inspection_submit
from tests.factories import HospitalFactory, OfficerFactory

from .factories import fill_all, make_assignment, started

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _submitted(hospital, n):
    officer = OfficerFactory(hospital=hospital)
    for _ in range(n):
        inspection = started(officer, hospital)
        fill_all(inspection)
        Answer.objects.filter(inspection=inspection, item__code="TRAIN-01").update(result="na")
        inspection_submit(inspection=inspection, by=officer)


def test_inspection_list_query_count_is_constant(
    client, county, county_bureau, hospital_a, safety_template, django_assert_num_queries
):
    _submitted(hospital_a, 1)
    client.force_login(county_bureau)
    url = reverse("inspections:list") + "?has_failures=false&ordering=-inspected_on"
    small = _count(client, url)
    for _ in range(3):
        _submitted(HospitalFactory(region=county), 2)
    assert Inspection.objects.count() == 7
    with django_assert_num_queries(small):
        client.get(url)


def test_calendar_query_count_is_constant(
    client, county, county_bureau, hospital_a, safety_template, django_assert_num_queries
):
    day = today()
    make_assignment(hospital_a, due_date=day)
    client.force_login(county_bureau)
    url = reverse("inspections:calendar") + f"?month={day:%Y-%m}"
    small = _count(client, url)
    officer = OfficerFactory(hospital=hospital_a)
    for index in range(6):
        hospital = HospitalFactory(region=county)
        assignment = make_assignment(hospital, due_date=day - dt.timedelta(days=index % 2))
        make_assignment(hospital, due_date=day, kind="linked")
        if index % 3 == 0:
            Inspection.objects.create(
                hospital=hospital,
                kind="self",
                template=safety_template,
                assignment=assignment,
                inspected_on=day,
                created_by=officer,
                status="submitted",
            )
    with django_assert_num_queries(small):
        response = client.get(url)
    assert "已完成" in response.content.decode()


def test_officer_calendar_shows_own_assignments_with_start_button(
    client, officer_a, hospital_a, hospital_b, safety_template
):
    mine = make_assignment(hospital_a, due_date=today())
    make_assignment(hospital_b, due_date=today())
    client.force_login(officer_a)
    content = client.get(reverse("inspections:calendar")).content.decode()
    assert reverse("inspections:assignment_start", args=[mine.pk]) in content
    assert hospital_b.name not in content


def test_detail_query_count_does_not_grow_with_failures(
    client, officer_a, hospital_a, safety_template, django_assert_num_queries
):
    one = started(officer_a, hospital_a)
    fill_all(one)
    inspection_submit(inspection=one, by=officer_a)
    client.force_login(officer_a)
    small = _count(client, reverse("inspections:detail", args=[one.pk]))
    two = started(officer_a, hospital_a)
    fill_all(two)
    Answer.objects.filter(inspection=two, item__section__order__lte=2).update(
        result="fail", hazard_location="门诊楼", hazard_description="问题"
    )
    inspection_submit(inspection=two, by=officer_a)
    with django_assert_num_queries(small):
        client.get(reverse("inspections:detail", args=[two.pk]))

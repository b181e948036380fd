"""The overview at province scale: summarised by sub-region (the same rule as the per-hospital
rows), drilled down region by region, rows built only for the page shown, a constant number
of queries, and a cached summary that a change replaces at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from hospitals.models import Hospital
from security.choices import ItemKind, ItemStatus, ReportStatus
from security.models import ChecklistItem, HalfYearReport, SecurityProfile
from security.selectors import half_year_of, region_overview
from security.services import checklist_ensure, item_confirm
from tests.factories import HospitalFactory
from tests.security.factories import CustomItemFactory, ProfileFactory, complete_records

pytestmark = pytest.mark.django_db

# 2022 deadlines have passed, so some items are overdue.
ON_DAY = time_machine.travel(dt.datetime(2023, 3, 1, 4, tzinfo=dt.UTC), tick=False)
URL = reverse("security:overview")


def _hospital(
    region, *, complete=False, confirm=(), custom=0, short=False, report=False, by=None, leave=False
):
    hospital = HospitalFactory(region=region, level="2", beds_actual=400)
    checklist_ensure(hospital=hospital)
    if complete:
        complete_records(hospital)
    if short:
        ProfileFactory(hospital=hospital, full_time_guards=0, certified_guards=0)
    for kind in confirm:
        item = ChecklistItem.objects.get(hospital=hospital, kind=kind)
        item_confirm(item=item, by=by, met_on=dt.date(2022, 6, 1))
    if leave:  # guards left after the confirmation: contradicted
        profile = SecurityProfile.objects.get(hospital=hospital)
        profile.certified_guards = 0
        profile.save()
    for n in range(custom):
        CustomItemFactory(hospital=hospital, status=ItemStatus.MET if n == 0 else "not_started")
    if report:
        year, half = half_year_of(dt.date(2023, 3, 1))
        HalfYearReport.objects.create(
            hospital=hospital, year=year, half=half, status=ReportStatus.SUBMITTED
        )
    return hospital


def _mixed(county, other_county, by):
    _hospital(county, complete=True, confirm=[ItemKind.GUARDS, ItemKind.ALARM], by=by, report=True)
    _hospital(county, short=True, custom=2)
    _hospital(county, complete=True, confirm=[ItemKind.ALARM, ItemKind.FACE], by=by)
    _hospital(other_county, complete=True, confirm=[ItemKind.GUARDS], by=by, leave=True)
    _hospital(other_county, complete=True, confirm=[ItemKind.POLICE_ROOM], by=by, report=True)


@ON_DAY
def test_subregion_figures_equal_the_per_hospital_computation(
    city, county, other_county, city_bureau, city_admin, client_for
):
    _mixed(county, other_county, city_admin)
    response = client_for(city_bureau).get(URL)
    assert response.status_code == 200
    lines = {line.region.pk: line for line in response.context["subregions"]}
    assert set(lines) == {county.pk, other_county.pk}
    for region in (county, other_county):
        live = region_overview(
            Hospital.objects.in_region(region), period=half_year_of(dt.date(2023, 3, 1))
        )
        line = lines[region.pk]
        assert line.covered == live.covered == len(live.rows)
        assert line.items_met == sum(r.items_met for r in live.rows) == live.items_met
        assert line.items_total == live.items_total
        assert line.overdue == len(live.overdue)
        assert line.short_of_guards == live.hospitals_short_of_guards
        assert line.reports_submitted == live.reports_submitted
    data = response.context["data"]
    whole = region_overview(
        Hospital.objects.in_region(city), period=half_year_of(dt.date(2023, 3, 1))
    )
    assert (data.covered, data.items_met, data.items_total, data.overdue_count) == (
        whole.covered,
        whole.items_met,
        whole.items_total,
        len(whole.overdue),
    )
    assert sum(line.items_met for line in lines.values()) == whole.items_met
    body = response.content.decode()
    assert f"region={county.pk}" in body and f"region={other_county.pk}" in body


@ON_DAY
def test_drill_down_to_a_county_shows_its_hospitals_only(
    city, county, other_county, city_bureau, city_admin, client_for
):
    _mixed(county, other_county, city_admin)
    response = client_for(city_bureau).get(URL + f"?region={county.pk}")
    names = {row.hospital.name for row in response.context["page"]}
    assert names == set(Hospital.objects.filter(region=county).values_list("name", flat=True))
    assert response.context["data"].covered == 3
    assert response.context["subregions"] == []  # a county has no sub-regions
    assert f"region={city.pk}" in response.content.decode()  # back up to the city


@ON_DAY
def test_rows_are_built_for_the_page_only_and_filters_apply_to_all(
    county, other_county, city_bureau, city_admin, client_for, monkeypatch
):
    from security import views

    _mixed(county, other_county, city_admin)
    monkeypatch.setattr(views, "OVERVIEW_PAGE_SIZE", 2)
    client = client_for(city_bureau)
    response = client.get(URL + "?sort=guards")
    assert response.context["page"].paginator.count == 5
    assert len(response.context["page"].object_list) == 2
    assert all(row.guards.shortfall for row in response.context["page"])  # the two short ones
    response = client.get(URL + "?attention=guards&page=2")
    assert response.context["page"].paginator.count == 2
    assert response.context["page"].number == 1  # past the last page → the last one


@ON_DAY
def test_cached_summary_follows_a_change_at_once(
    county, other_county, city_bureau, city_admin, client_for, settings
):
    settings.FIGURES_CACHE_MIN_HOSPITALS = 0  # cache even this small scope
    _mixed(county, other_county, city_admin)
    client = client_for(city_bureau)
    before = client.get(URL).context["data"].items_met
    assert client.get(URL).context["data"].items_met == before  # from the cache
    hospital = Hospital.objects.filter(region=county).order_by("pk")[2]
    item = ChecklistItem.objects.get(hospital=hospital, kind=ItemKind.POLICE_ROOM)
    item_confirm(item=item, by=city_admin, met_on=dt.date(2022, 6, 1))
    assert client.get(URL).context["data"].items_met == before + 1


@pytest.mark.parametrize("cached", [False, True])
def test_overview_queries_do_not_grow_with_the_institutions(
    city, county, other_county, city_bureau, client_for, settings, django_assert_num_queries, cached
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.FIGURES_CACHE_MIN_HOSPITALS = 0 if cached else 10_000
    client = client_for(city_bureau)

    def populate(n):
        for i in range(n):
            _hospital(county if i % 2 else other_county, custom=1, short=bool(i % 3))

    populate(3)
    client.get(URL)  # warm up (session, content types)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL + "?sort=met").status_code == 200
    populate(9)
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL + "?sort=met")
    assert response.context["data"].covered == 12
    assert len(response.context["page"]) == 12


def test_figures_table_filters_and_sorts_like_the_rows():
    from security.selectors import FiguresTable, HospitalFigures

    figures = [
        HospitalFigures(1, "甲医院", "/1/2/", 3, 5, 1, 0, 4, False),
        HospitalFigures(2, "乙医院", "/1/3/", 5, 5, 0, 2, 0, True),
        HospitalFigures(3, "丙医院", "/1/3/", 0, 6, 3, 0, 9, False),
    ]
    table = FiguresTable(figures)
    assert list(table) == figures
    assert table.pks(table.select()) == [1, 2, 3]
    assert table.pks(table.select(attention="overdue", sort="overdue")) == [3, 1]
    assert table.pks(table.select(attention="pending")) == [2]
    assert table.pks(table.select(attention="guards", sort="guards")) == [3, 1]
    assert table.pks(table.select(attention="no_report")) == [1, 3]
    assert table.pks(table.select(sort="met")) == [3, 1, 2]
    assert table.pks(table.select(q="乙")) == [2]

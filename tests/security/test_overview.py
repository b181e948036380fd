from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from hospitals.models import Hospital
from security.choices import ItemKind, ItemStatus
from security.models import ChecklistItem
from security.selectors import (
    guard_shortfalls,
    half_year_reports_missing,
    items_due_within,
    items_past_deadline,
    plan_for_region,
    region_overview,
    security_status_summary,
)
from security.services import checklist_ensure, item_confirm, plan_save
from tests.factories import HospitalFactory
from tests.security.factories import (
    CustomItemFactory,
    EntranceFactory,
    ProfileFactory,
    SecurityPlanFactory,
    complete_records,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 3, 1)  # 2022 deadlines passed, 2023 ones not yet
# The tests that count statuses "as of TODAY" run on TODAY: a past date replays the history.
ON_TODAY = time_machine.travel(dt.datetime(2023, 3, 1, 4, tzinfo=dt.UTC), tick=False)


def _met(hospital, kind, by):
    item = ChecklistItem.objects.get(hospital=hospital, kind=kind)
    item_confirm(item=item, by=by, met_on=dt.date(2022, 6, 1))


@ON_TODAY
def test_overview_counts_match_the_items(county, hospital_a, county_bureau):
    second = HospitalFactory(region=county, level="2")
    first_level = HospitalFactory(region=county, level="1")  # not covered by default
    for hospital in (hospital_a, second, first_level):
        checklist_ensure(hospital=hospital)
    complete_records(hospital_a)
    complete_records(second)
    _met(hospital_a, ItemKind.GUARDS, county_bureau)
    _met(hospital_a, ItemKind.ALARM, county_bureau)  # item 3 needs face recognition too
    _met(second, ItemKind.ALARM, county_bureau)
    _met(second, ItemKind.FACE, county_bureau)
    _met(second, ItemKind.POLICE_ROOM, county_bureau)

    data = region_overview(
        Hospital.objects.in_region(county),
        today=TODAY,
    )
    assert data.covered == 2
    rates = {r.number: (r.met, r.total) for r in data.rates}
    assert rates == {"1": (1, 2), "2": (0, 2), "3": (1, 2), "4": (1, 2)}
    assert data.items_met == 5 and data.items_total == 10
    # 2022 deadlines passed on TODAY: screening ×2, alarm ×0 (both met), police room ×1 (hospital A)
    overdue = {(row.hospital.pk, s.kind) for row, s in data.overdue}
    assert overdue == {
        (hospital_a.pk, ItemKind.SCREENING),
        (second.pk, ItemKind.SCREENING),
        (hospital_a.pk, ItemKind.POLICE_ROOM),
    }


@ON_TODAY
def test_n_items_appear_in_the_overview(county, hospital_a, county_bureau, client_for):
    CustomItemFactory(hospital=hospital_a, name="智能门禁", status=ItemStatus.MET)
    CustomItemFactory(hospital=hospital_a, name="电子巡更")
    data = region_overview(Hospital.objects.in_region(county), today=TODAY)
    row = data.rows[0]
    assert [s.label for s in row.custom] == ["智能门禁", "电子巡更"]
    assert data.custom_total == 2 and data.custom_met == 1
    body = client_for(county_bureau).get(reverse("security:overview")).content.decode()
    assert "1/2" in body


def test_overview_is_scoped_to_the_bureau_region(hospital_a, hospital_b, county_bureau, client_for):
    body = client_for(county_bureau).get(reverse("security:overview")).content.decode()
    assert hospital_a.name in body
    assert hospital_b.name not in body


def test_officer_cannot_open_the_overview(officer_a, client_for):
    assert client_for(officer_a).get(reverse("security:overview")).status_code == 403


def test_index_sends_officer_to_own_hospital_and_bureau_to_overview(
    officer_a, county_bureau, client_for
):
    response = client_for(officer_a).get(reverse("security:index"))
    assert response.url == reverse("security:hospital", args=[officer_a.hospital_id])
    response = client_for(county_bureau).get(reverse("security:index"))
    assert response.url == reverse("security:overview")


def _populate(region, n):
    for _ in range(n):
        hospital = HospitalFactory(region=region, level="2")
        checklist_ensure(hospital=hospital)
        CustomItemFactory(hospital=hospital)
        ProfileFactory(hospital=hospital)


def test_overview_query_count_is_constant(
    county, city_bureau, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    SecurityPlanFactory(region=county)
    client = client_for(city_bureau)
    _populate(county, 2)
    client.get(reverse("security:overview"))  # warm up
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("security:overview")).status_code == 200
    _populate(county, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("security:overview"))
    assert response.status_code == 200
    assert response.context["data"].covered == 14
    assert len(response.context["page"]) == 14


def test_plan_is_inherited_by_sub_regions_unless_they_define_their_own(city, county, other_county):
    SecurityPlanFactory(region=city, guards_deadline=dt.date(2024, 6, 30))
    assert plan_for_region(county).guards_deadline == dt.date(2024, 6, 30)
    SecurityPlanFactory(region=county, guards_deadline=dt.date(2025, 6, 30))
    assert plan_for_region(county).guards_deadline == dt.date(2025, 6, 30)
    assert plan_for_region(other_county).guards_deadline == dt.date(2024, 6, 30)


def test_regions_without_a_plan_use_the_seed_defaults(county):
    plan = plan_for_region(county)
    assert plan.pk is None
    assert plan.screening_deadline == dt.date(2022, 12, 31)
    assert plan.face_deadline == dt.date(2023, 12, 31)
    assert plan.video_retention_days == 90


def test_plan_include_and_exclude_change_coverage(county, hospital_a, county_admin):
    small = HospitalFactory(region=county, level="1")
    plan = SecurityPlanFactory(region=county)
    plan_save(plan=plan, by=county_admin, includes=[small], excludes=[hospital_a])
    covered = {r.hospital.pk for r in region_overview(Hospital.objects.all()).rows}
    assert covered == {small.pk}


def test_only_region_admin_may_edit_the_plan(county, county_bureau, county_admin, client_for):
    url = reverse("security:plan_edit", args=[county.pk])
    assert client_for(county_bureau).get(url).status_code == 403
    response = client_for(county_admin).post(
        url,
        {
            "name": "晋江市平安医院“4+N”行动计划",
            "guards_deadline": "2024-12-31",
            "screening_deadline": "2023-06-30",
            "alarm_deadline": "2023-06-30",
            "face_deadline": "2024-12-31",
            "police_room_deadline": "2023-06-30",
            "staff_percent": "3",
            "beds_per_guard": "20",
            "outpatient_permille": "3",
            "video_retention_days": "90",
            "police_unit": "晋江市公安局",
            "police_contact": "王警官",
        },
    )
    assert response.status_code == 302
    assert plan_for_region(county).police_contact == "王警官"


def test_county_admin_cannot_edit_the_city_plan(city, county_admin, client_for):
    assert (
        client_for(county_admin).get(reverse("security:plan_edit", args=[city.pk])).status_code
        == 404
    )


def test_requirement_follows_hospital_figures(county, hospital_a):
    hospital_a.beds_actual, hospital_a.on_duty_staff, hospital_a.daily_outpatients = 601, 0, 0
    hospital_a.save()
    ProfileFactory(hospital=hospital_a, full_time_guards=20, certified_guards=20)
    shortfalls = guard_shortfalls(Hospital.objects.all())
    assert shortfalls[0]["required"] == 31 and shortfalls[0]["shortfall"] == 11
    hospital_a.beds_actual = 400
    hospital_a.save()
    assert guard_shortfalls(Hospital.objects.all()) == []


@ON_TODAY
def test_status_summary_for_reports(county, hospital_a, county_bureau):
    checklist_ensure(hospital=hospital_a)
    complete_records(hospital_a)
    _met(hospital_a, ItemKind.GUARDS, county_bureau)
    summary = security_status_summary(Hospital.objects.in_region(county), today=TODAY)
    assert summary["covered_hospitals"] == 1
    assert summary["items_met"] == 1 and summary["items_total"] == 5
    assert summary["plan_items"][0]["percent"] == 100.0


def test_reminder_selectors(county, hospital_a):
    hospitals = Hospital.objects.all()
    due = items_due_within(31, hospitals=hospitals, today=dt.date(2023, 12, 1))
    assert {s.kind for _h, s in due} == {ItemKind.GUARDS, ItemKind.FACE}
    late = items_past_deadline(hospitals=hospitals, today=dt.date(2023, 1, 1))
    assert {s.kind for _h, s in late} == {ItemKind.SCREENING, ItemKind.ALARM, ItemKind.POLICE_ROOM}
    assert half_year_reports_missing(2023, 2, hospitals=hospitals) == [hospital_a]


def test_overview_page_lists_overdue_hospitals_for_the_notice(
    hospital_a, county_bureau, client_for
):
    with time_machine.travel(dt.datetime(2023, 2, 1, 12, tzinfo=dt.UTC)):
        body = client_for(county_bureau).get(reverse("security:overview")).content.decode()
    assert "通报" in body
    assert "32 天" in body  # 2022-12-31 → 2023-02-01


def test_overview_exports_the_matrix_and_the_notice_list(hospital_a, county_bureau, client_for):
    import io

    from openpyxl import load_workbook

    with time_machine.travel(dt.datetime(2023, 2, 1, 12, tzinfo=dt.UTC)):
        response = client_for(county_bureau).get(reverse("security:overview") + "?export=xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 3
    values = [
        cell for row in workbook.worksheets[2].iter_rows(values_only=True) for cell in row if cell
    ]
    assert hospital_a.name in values
    assert any("配备安检器材" in str(v) for v in values)


def test_overview_lists_pending_items_and_sorts_by_guard_shortfall(
    county, hospital_a, officer_a, county_bureau, client_for
):
    from core.uploads import clean_evidence_upload
    from security.services import evidence_add, item_submit
    from tests.security.factories import png_upload

    short = HospitalFactory(region=county, level="2", name="晋江市第二医院", beds_actual=2000)
    ProfileFactory(hospital=short, full_time_guards=0, certified_guards=0)
    ProfileFactory(hospital=hospital_a, full_time_guards=500, certified_guards=500)
    EntranceFactory(hospital=hospital_a)
    item = next(i for i in checklist_ensure(hospital=hospital_a) if i.kind == ItemKind.SCREENING)
    evidence_add(item=item, uploads=[clean_evidence_upload(png_upload())], by=officer_a)
    item_submit(item=item, by=officer_a)

    response = client_for(county_bureau).get(reverse("security:overview") + "?sort=guards")
    assert [row.hospital.name for row in response.context["page"]] == [short.name, hospital_a.name]
    assert [(row.hospital.pk, s.kind) for row, s in response.context["pending"]] == [
        (hospital_a.pk, ItemKind.SCREENING)
    ]
    assert reverse("security:item", args=[item.pk]) in response.content.decode()

"""Pages of the incidents app: scoping (another hospital → 404), refusals (403), constant
query counts for the lists, exports, the dashboard card and the demo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.dates import today
from hospitals.models import Hospital
from incidents.models import Incident, Patrol
from incidents.selectors import dashboard_figures
from tests.factories import HospitalFactory, OfficerFactory
from tests.reports.helpers import table

from .factories import make_incident, make_patrols

pytestmark = pytest.mark.django_db


def test_outsiders_get_404_and_nothing_changes(
    client, officer_a, officer_b, other_county_bureau, hospital_a
):
    incident = make_incident(hospital_a, officer_a)
    patrol = make_patrols(hospital_a, officer_a, today(), 1)[0]
    for outsider in (officer_b, other_county_bureau):
        client.force_login(outsider)
        for name, obj in (
            ("incidents:incident_detail", incident),
            ("incidents:incident_edit", incident),
            ("incidents:patrol_detail", patrol),
            ("incidents:patrol_edit", patrol),
        ):
            assert client.get(reverse(name, args=[obj.pk])).status_code == 404
        response = client.post(
            reverse("incidents:incident_edit", args=[incident.pk]),
            {
                "kind": "theft",
                "occurred_at": "2026-01-01T10:00",
                "location": "X",
                "description": "X",
                "handled_by": "X",
            },
        )
        assert response.status_code == 404
        response = client.post(
            reverse("incidents:patrol_raise", args=[patrol.pk]),
            {"category": "security", "risk_level": "general", "location": "X", "description": "X"},
        )
        assert response.status_code == 404
        # Lists and exports simply do not show A's records.
        assert "门诊大厅" not in client.get(reverse("incidents:incident_list")).content.decode()
    incident.refresh_from_db()
    patrol.refresh_from_db()
    assert incident.kind == "tout" and incident.location == "门诊大厅"
    assert patrol.hazards.count() == 0


def test_bureau_reads_but_may_not_edit(client, officer_a, city_bureau, hospital_a):
    incident = make_incident(hospital_a, officer_a)
    client.force_login(city_bureau)
    response = client.get(reverse("incidents:incident_detail", args=[incident.pk]))
    assert response.status_code == 200
    assert reverse("incidents:incident_edit", args=[incident.pk]) not in response.content.decode()
    assert client.get(reverse("incidents:incident_edit", args=[incident.pk])).status_code == 403
    assert client.get(reverse("incidents:incident_new")).status_code == 403


def test_officer_registers_an_incident_with_a_photo(client, officer_a, hospital_a):
    from tests.security.factories import png_upload

    client.force_login(officer_a)
    page = client.get(reverse("incidents:incident_new")).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="attachments"' in page
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("incidents:incident_new"),
        {
            "kind": "violence",
            "occurred_at": when,
            "location": "急诊科",
            "description": "家属推搡医生",
            "handled_by": "保卫科 黄文斌",
            "police_involved": "on",
            "police_case_number": "J2026110001",
            "attachments": [png_upload()],
            "upload_key": "abcdefgh12345678",
        },
    )
    incident = Incident.objects.get()
    assert response["Location"] == reverse("incidents:incident_detail", args=[incident.pk])
    assert incident.hospital == hospital_a and incident.attachments.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "J2026110001" in detail and "修改历史" in detail
    attachment = incident.attachments.get()
    download = client.get(reverse("incidents:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


def test_form_shows_the_services_refusal(client, officer_a, hospital_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("incidents:incident_new"),
        {
            "kind": "tout",
            "occurred_at": "2026-01-05T10:00",
            "location": "门诊",
            "description": "医托",
            "handled_by": "保安",
            "police_case_number": "J1",
        },
    )
    assert response.status_code == 200
    assert "未报警的事件不能填写警情号" in response.content.decode()
    assert Incident.objects.count() == 0


def _many(hospital, officer, n):
    for index in range(n):
        make_incident(hospital, officer, location=f"地点{index}")
    for index in range(n):
        make_patrols(hospital, officer, today() - dt.timedelta(days=index), 1)


@pytest.mark.parametrize("name", ["incidents:incident_list", "incidents:patrol_list"])
def test_list_query_count_is_constant(client, county_bureau, hospital_a, county, name):
    officer = OfficerFactory(username="o_many", hospital=hospital_a)
    _many(hospital_a, officer, 2)
    client.force_login(county_bureau)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name)).status_code == 200
    other = HospitalFactory(name="晋江市第二医院", region=county)
    _many(other, OfficerFactory(username="o_more", hospital=other), 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(name), {"q": "", "date_from": "2020-01-01"}).status_code == 200
    assert len(large) == len(small), [q["sql"][:100] for q in large.captured_queries]


def test_short_days_page_query_count_is_constant(client, county_bureau, county, hospital_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(county_bureau)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("incidents:short_days"), {"month": "2026-05", "all": "1"})
    for n in range(10):
        HospitalFactory(name=f"卫生院{n}", region=county)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("incidents:short_days"), {"month": "2026-05", "all": "1"})
    assert len(large) == len(small)
    assert "卫生院3" in response.content.decode()


def test_exports_open_in_openpyxl_and_follow_the_filters(
    client, officer_a, county_bureau, hospital_a, officer_b, hospital_b
):
    make_incident(hospital_a, officer_a, kind="theft", location="住院部五楼")
    make_incident(hospital_a, officer_a, kind="tout", location="=HYPERLINK(1)")
    make_incident(hospital_b, officer_b, kind="theft", location="南安市医院门诊")
    make_patrols(hospital_a, officer_a, today(), 2)
    client.force_login(county_bureau)
    response = client.get(reverse("incidents:incident_export"), {"kind": "theft"})
    assert response.status_code == 200
    header, rows = table(load_workbook(io.BytesIO(response.content)).active, totals=False)
    text = repr(rows)
    assert "住院部五楼" in text and "南安市医院门诊" not in text and "HYPERLINK" not in text
    assert [row[header.index("事件类型")] for row in rows] == ["盗窃"]

    response = client.get(reverse("incidents:incident_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"  # a formula-like string stays text

    response = client.get(reverse("incidents:patrol_export"))
    header, data = table(load_workbook(io.BytesIO(response.content)).active, totals=False)
    assert "巡查人员" in header
    assert len(data) == 2 and all(row[header.index("医疗机构")] == "晋江市医院" for row in data)


def test_dashboard_figures_by_kind_and_short_days(
    officer_a, hospital_a, hospital_b, officer_b, county, django_assert_num_queries
):
    start, end = dt.date(2026, 5, 1), dt.date(2026, 5, 31)
    may = timezone.make_aware(dt.datetime(2026, 5, 10, 9))
    make_incident(hospital_a, officer_a, kind="tout", occurred_at=may)
    make_incident(hospital_a, officer_a, kind="tout", occurred_at=may)
    make_incident(hospital_a, officer_a, kind="fire", occurred_at=may)
    make_incident(hospital_a, officer_a, kind="fire", occurred_at=may.replace(month=6))
    make_incident(hospital_b, officer_b, kind="theft", occurred_at=may)  # another county
    for offset in range(31):
        make_patrols(hospital_a, officer_a, start + dt.timedelta(days=offset), 3)
    Patrol.objects.filter(hospital=hospital_a, patrolled_on=dt.date(2026, 5, 31)).delete()
    as_of = timezone.make_aware(dt.datetime.combine(end, dt.time.max))
    hospitals = Hospital.objects.in_region(county)
    with django_assert_num_queries(4):
        figures = dashboard_figures(hospitals=hospitals, start=start, end=end, as_of=as_of)
    counts = {k["value"]: k["count"] for k in figures["incident_kinds"]}
    assert counts == {"tout": 2, "violence": 0, "theft": 0, "fire": 1, "elevator": 0, "other": 0}
    assert figures["incidents_total"] == 3
    assert (figures["short_days"], figures["short_hospitals"], figures["hospitals"]) == (1, 1, 1)


def test_bureau_dashboard_shows_the_card(client, county_bureau, officer_a, hospital_a):
    make_incident(hospital_a, officer_a, kind="elevator")
    client.force_login(county_bureau)
    html = client.get(reverse("home")).content.decode()
    assert 'id="incidents-card"' in html and "电梯困人 1" in html


def test_demo_seeds_patrols_and_incidents_once(officer_a, hospital_a):
    from io import StringIO

    from django.core.management.color import no_style

    from hospitals.demo_size import demo_size
    from incidents import demo

    demo.seed(stdout=StringIO(), style=no_style())
    patrols = Patrol.objects.filter(hospital=hospital_a).count()
    assert patrols > 2.5 * demo_size().patrol_days  # mostly three or four a day
    assert Patrol.objects.filter(hospital=hospital_a).exclude(hazards=None).exists()
    demo.seed(stdout=StringIO(), style=no_style())
    assert Patrol.objects.filter(hospital=hospital_a).count() == patrols

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.dates import today
from hazards.choices import Source
from notifications.models import Notification
from security.choices import ItemKind, ItemStatus, ReportStatus
from security.models import DrillFinding, EmergencyDrill, HalfYearReport, SecurityProfile
from security.services import (
    SecurityError,
    checklist_ensure,
    finding_add,
    finding_raise_hazard,
    item_confirm,
    report_save,
    report_submit,
)
from tests.security.factories import (
    AlarmDrillFactory,
    EntranceFactory,
    GuardPostFactory,
    ProfileFactory,
    SecurityPlanFactory,
)

pytestmark = pytest.mark.django_db


def _draft(hospital, officer, year=2025, half=1):
    return report_save(
        hospital=hospital,
        year=year,
        half=half,
        progress="安检门已安装,警务室已设立",
        problems="人脸识别尚未联网",
        next_steps="年底前完成联网",
        by=officer,
    )


def test_half_year_snapshot_does_not_change_when_checklist_changes(
    county, hospital_a, officer_a, county_bureau, ready_a
):
    SecurityPlanFactory(region=county, police_contact="王警官", police_unit="晋江市公安局")
    items = {i.kind: i for i in checklist_ensure(hospital=hospital_a)}
    report = report_submit(report=_draft(hospital_a, officer_a), by=officer_a)
    frozen = dict(report.snapshot)
    assert report.addressed_to["police_contact"] == "王警官"
    guards = next(s for s in frozen["standard"] if s["kind"] == ItemKind.GUARDS)
    assert guards["status"] == ItemStatus.NOT_STARTED

    item_confirm(item=items[ItemKind.GUARDS], by=county_bureau)
    hospital_a.beds_actual = 2000
    hospital_a.save()

    report.refresh_from_db()
    assert report.snapshot == frozen
    guards = next(s for s in report.snapshot["standard"] if s["kind"] == ItemKind.GUARDS)
    assert guards["status"] == ItemStatus.NOT_STARTED


def test_submitted_report_cannot_be_edited_or_resubmitted(hospital_a, officer_a):
    report = report_submit(report=_draft(hospital_a, officer_a), by=officer_a)
    with pytest.raises(SecurityError):
        _draft(hospital_a, officer_a)
    with pytest.raises(SecurityError):
        report_submit(report=report, by=officer_a)


def test_report_submission_tells_the_nearest_bureau(
    hospital_a, officer_a, county_bureau, city_bureau
):
    report_submit(report=_draft(hospital_a, officer_a), by=officer_a)
    # notifications.recipients: casework goes to the nearest bureau with staff, not every level.
    assert Notification.objects.filter(recipient=county_bureau).exists()
    assert not Notification.objects.filter(recipient=city_bureau).exists()


def test_report_cannot_be_submitted_by_bureau(hospital_a, officer_a, county_bureau):
    report = _draft(hospital_a, officer_a)
    with pytest.raises(SecurityError):
        report_submit(report=report, by=county_bureau)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


PERIOD = f"{today().year}-1"  # always offered: the current year's first half has started


def test_report_flow_through_pages(hospital_a, officer_a, county_bureau, client_for):
    client = client_for(officer_a)
    response = client.post(
        reverse("security:reports", args=[hospital_a.pk]),
        {"period": PERIOD, "progress": "进展顺利", "problems": "", "next_steps": ""},
    )
    report = HalfYearReport.objects.get(hospital=hospital_a)
    assert response.url == reverse("security:report", args=[report.pk])
    client.post(reverse("security:report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.is_submitted
    body = (
        client_for(county_bureau)
        .get(reverse("security:overview") + f"?period={PERIOD}")
        .content.decode()
    )
    assert "1/1" in body


def test_bureau_sees_who_has_not_submitted(
    hospital_a, county, officer_a, county_bureau, client_for
):
    from tests.factories import HospitalFactory

    late = HospitalFactory(region=county, level="2", name="晋江市中医院")
    report_submit(report=_draft(hospital_a, officer_a, year=today().year), by=officer_a)
    response = client_for(county_bureau).get(
        reverse("security:overview") + f"?period={PERIOD}&attention=no_report"
    )
    names = [row.hospital.name for row in response.context["page"]]
    assert names == [late.name]


def test_drill_finding_raises_a_hazard_with_source_drill(hospital_a, officer_a, client_for):
    drill = EmergencyDrill.objects.create(
        hospital=hospital_a, date=dt.date(2025, 3, 1), scenario="knife_attack", participants=30
    )
    finding = finding_add(drill=drill, description="急诊分诊台无防护盾牌", by=officer_a)
    hazard = finding_raise_hazard(
        finding=finding, by=officer_a, risk_level="general", location="急诊分诊台"
    )
    assert hazard.source == Source.DRILL
    assert hazard.hospital == hospital_a
    finding.refresh_from_db()
    assert finding.hazard == hazard
    with pytest.raises(SecurityError):
        finding_raise_hazard(finding=finding, by=officer_a, risk_level="general", location="x")
    body = client_for(officer_a).get(reverse("security:drill", args=[drill.pk])).content.decode()
    assert "已登记隐患" in body


def test_drill_and_finding_pages(hospital_a, officer_a, client_for):
    client = client_for(officer_a)
    response = client.post(
        reverse("security:record_new", args=[hospital_a.pk, "drill"]),
        {"date": "2025-03-01", "scenario": "fire", "participants": "50", "response_seconds": "90"},
    )
    drill = EmergencyDrill.objects.get(hospital=hospital_a)
    assert response.url == reverse("security:drill", args=[drill.pk])
    client.post(
        reverse("security:finding_new", args=[drill.pk]), {"description": "疏散通道堆放杂物"}
    )
    finding = DrillFinding.objects.get(drill=drill)
    client.post(
        reverse("security:finding_raise", args=[finding.pk]),
        {"risk_level": "general", "location": "住院部3楼", "deadline": ""},
    )
    finding.refresh_from_db()
    assert finding.hazard is not None


def test_future_drill_date_is_rejected(hospital_a, officer_a, client_for):
    response = client_for(officer_a).post(
        reverse("security:record_new", args=[hospital_a.pk, "alarm-drill"]),
        {"date": "2999-01-01", "response_seconds": "60"},
    )
    assert response.status_code == 200
    assert "不能晚于今天" in response.content.decode()


def test_pages_render_for_officer_and_bureau(hospital_a, officer_a, county_bureau, client_for):
    ProfileFactory(hospital=hospital_a)
    GuardPostFactory(hospital=hospital_a, helmets=1)
    EntranceFactory(hospital=hospital_a, xray_machines=0)
    AlarmDrillFactory(hospital=hospital_a, response_seconds=55)
    AlarmDrillFactory(hospital=hospital_a, response_seconds=80)
    for user in (officer_a, county_bureau):
        client = client_for(user)
        for name in ("hospital", "guards", "facilities", "alarm_drills", "drills", "reports"):
            response = client.get(reverse(f"security:{name}", args=[hospital_a.pk]))
            assert response.status_code == 200, name
    body = (
        client_for(officer_a)
        .get(reverse("security:facilities", args=[hospital_a.pk]))
        .content.decode()
    )
    assert "X光检测仪" in body  # the entrance lacking an X-ray machine is flagged
    body = (
        client_for(county_bureau)
        .get(reverse("security:alarm_drills", args=[hospital_a.pk]))
        .content.decode()
    )
    assert "67.5" in body  # region median of 55 and 80


def test_guards_page_shows_terms_and_shortfall(hospital_a, officer_a, client_for):
    hospital_a.beds_actual, hospital_a.on_duty_staff, hospital_a.daily_outpatients = 601, 500, 3000
    hospital_a.save()
    client = client_for(officer_a)
    response = client.post(
        reverse("security:guards", args=[hospital_a.pk]),
        {"certified_guards": "-1", "uncertified_guards": "5"},
    )
    assert response.status_code == 200
    assert SecurityProfile.objects.filter(hospital=hospital_a).count() == 0
    client.post(
        reverse("security:guards", args=[hospital_a.pk]),
        {"certified_guards": "20", "uncertified_guards": "15"},
    )
    guards = client.get(reverse("security:guards", args=[hospital_a.pk])).context["guards"]
    assert guards.requirement.required == 31
    assert guards.requirement.deciding == ("beds",)
    assert (guards.actual, guards.certified, guards.uncertified) == (35, 20, 15)
    # 35 guards on the staff, but only the 20 certified ones count: 11 short.
    assert guards.shortfall == 11


def test_video_below_region_minimum_is_a_shortfall(county, hospital_a, officer_a, client_for):
    SecurityPlanFactory(region=county, video_retention_days=120)
    client = client_for(officer_a)
    client.post(
        reverse("security:record_new", args=[hospital_a.pk, "video"]),
        {"name": "门诊大厅", "cameras": "12", "retention_days": "90"},
    )
    facilities = client.get(reverse("security:facilities", args=[hospital_a.pk])).context[
        "facilities"
    ]
    assert [v.name for v in facilities.videos_short] == ["门诊大厅"]


def test_other_scenario_needs_a_title(hospital_a, officer_a, client_for):
    response = client_for(officer_a).post(
        reverse("security:record_new", args=[hospital_a.pk, "drill"]),
        {"date": "2025-03-01", "scenario": "other", "participants": "10"},
    )
    assert response.status_code == 200
    assert "请填写演练名称" in response.content.decode()
    assert not EmergencyDrill.objects.exists()


def test_drill_finding_with_a_deadline_before_the_drill_is_refused_with_a_message(
    hospital_a, officer_a
):
    from hazards.models import Hazard

    drill = EmergencyDrill.objects.create(
        hospital=hospital_a, date=dt.date(2025, 3, 1), scenario="fire", participants=30
    )
    finding = finding_add(drill=drill, description="消防通道堆放杂物", by=officer_a)
    with pytest.raises(SecurityError) as excinfo:
        finding_raise_hazard(
            finding=finding,
            by=officer_a,
            risk_level="general",
            location="门诊楼",
            deadline=dt.date(2025, 2, 1),
        )
    assert str(excinfo.value)
    finding.refresh_from_db()
    assert finding.hazard_id is None
    assert not Hazard.objects.filter(hospital=hospital_a).exists()

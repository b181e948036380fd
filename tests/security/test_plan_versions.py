"""Thresholds in force on a date (issue 15 part 6): a plan's thresholds are versions with an
effective date; figures as of a date use the version then in force, so GB/T 31458-2026 (from
2026-08-01) replaces GB/T 31458-2015 without rewriting earlier periods."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from hospitals.models import Hospital
from reports.periods import Period
from reports.scope import ReportScope
from reports.selectors import security_by_hospital
from security.models import PLAN_BEGINNING, PlanVersion, SecurityPlan, VideoSystem
from security.selectors import build_rows, plan_in_force, plan_version_changes
from security.services import SecurityError, plan_save, plan_version_create
from tests.security.factories import SecurityPlanFactory

pytestmark = pytest.mark.django_db

NEW_STANDARD = dt.date(2026, 8, 1)  # GB/T 31458-2026 in force


@pytest.fixture
def plan(county, county_admin):
    return plan_save(plan=SecurityPlan(region=county), by=county_admin)


@pytest.fixture
def gbt_2026(plan, county_admin):
    return plan_version_create(
        plan=plan,
        effective_from=NEW_STANDARD,
        values={"staff_percent": Decimal("4"), "video_retention_days": 180},
        standard="GB/T 31458-2026",
        by=county_admin,
    )


@pytest.fixture
def staffed(hospital_a):
    # 1000 staff on duty, nothing else: 3% asks for 30 guards, 4% for 40.
    hospital_a.on_duty_staff, hospital_a.beds_actual, hospital_a.daily_outpatients = 1000, 0, 0
    hospital_a.save()
    VideoSystem.objects.create(hospital=hospital_a, name="门诊大厅", cameras=8, retention_days=120)
    return hospital_a


def _row(on):
    return build_rows(Hospital.objects.all(), today=on)[0]


def test_a_new_plan_starts_with_one_version_in_force_from_the_beginning(plan):
    (version,) = plan.versions.all()
    assert version.effective_from == PLAN_BEGINNING
    assert version.staff_percent == Decimal("3") and version.video_retention_days == 90


def test_figures_before_the_change_use_the_old_thresholds_and_after_it_the_new(staffed, gbt_2026):
    before, after = _row(NEW_STANDARD - dt.timedelta(days=1)), _row(NEW_STANDARD)
    assert before.guards.requirement.required == 30
    assert after.guards.requirement.required == 40
    # The video minimum too: 120 days was enough under the old standard, not under the new.
    assert before.facts.retention_minimum == 90 and not before.facts.videos_short
    assert after.facts.retention_minimum == 180 and len(after.facts.videos_short) == 1
    assert plan_in_force(staffed.region, dt.date(2026, 7, 31)).staff_percent == Decimal("3")
    assert plan_in_force(staffed.region, dt.date(2026, 12, 31)).staff_percent == Decimal("4")


def test_a_report_for_an_earlier_period_keeps_the_old_value(staffed, gbt_2026, county):
    july = ReportScope(region=county, period=Period.parse("2026-07"))
    august = ReportScope(region=county, period=Period.parse("2026-08"))
    assert security_by_hospital(july)[staffed.pk].guards.requirement.required == 30
    assert security_by_hospital(august)[staffed.pk].guards.requirement.required == 40


def test_a_deadline_moved_by_a_later_version_applies_only_from_its_date(
    hospital_a, plan, county_admin
):
    plan_version_create(
        plan=plan,
        effective_from=NEW_STANDARD,
        values={"guards_deadline": dt.date(2027, 6, 30)},
        by=county_admin,
    )
    assert _row(dt.date(2026, 7, 31)).plan.guards_deadline == dt.date(2023, 12, 31)
    assert _row(dt.date(2026, 8, 2)).plan.guards_deadline == dt.date(2027, 6, 30)


def test_the_diff_shows_exactly_the_changed_thresholds(plan, gbt_2026):
    first, second = plan_version_changes(plan)
    assert first.previous is None and first.changes == []
    assert second.version == gbt_2026
    assert [(c.label, c.old, c.new) for c in second.changes] == [
        ("按在岗医务人员配比(%)", Decimal("3.00"), Decimal("4")),
        ("重点部位视频保存天数下限", 90, 180),
    ]


def test_versions_are_added_not_rewritten(plan, gbt_2026, county_admin, county_bureau):
    with pytest.raises(SecurityError, match="已有生效的方案版本"):
        plan_version_create(
            plan=plan, effective_from=NEW_STANDARD, values={"beds_per_guard": 30}, by=county_admin
        )
    with pytest.raises(SecurityError, match="相同"):
        plan_version_create(
            plan=plan,
            effective_from=dt.date(2026, 9, 1),
            values={"staff_percent": Decimal("4")},
            by=county_admin,
        )
    with pytest.raises(SecurityError, match="管理员"):
        plan_version_create(
            plan=plan,
            effective_from=dt.date(2026, 9, 1),
            values={"beds_per_guard": 30},
            by=county_bureau,
        )
    assert plan.versions.count() == 2


def test_the_data_migration_keeps_current_values_in_force_from_the_beginning(city):
    old = SecurityPlanFactory(region=city, staff_percent=Decimal("2.5"), beds_per_guard=25)
    assert not old.versions.exists()
    migration = importlib.import_module("security.migrations.0004_plan_effective_dates")
    migration.keep_current_values_in_force(apps, None)
    (version,) = old.versions.all()
    assert version.effective_from == PLAN_BEGINNING
    assert version.staff_percent == Decimal("2.5") and version.beds_per_guard == 25
    assert plan_in_force(city, dt.date(2001, 1, 1)).beds_per_guard == 25


def test_the_plan_page_lists_versions_and_adds_one_from_a_date(client, county_admin, plan, county):
    client.force_login(county_admin)
    url = reverse("security:plan_versions", args=[county.pk])
    response = client.post(
        url,
        {
            "effective_from": "2026-08-01",
            "standard": "GB/T 31458-2026",
            "note": "新国标",
            "guards_deadline": "2023-12-31",
            "screening_deadline": "2022-12-31",
            "alarm_deadline": "2022-12-31",
            "face_deadline": "2023-12-31",
            "police_room_deadline": "2022-12-31",
            "staff_percent": "3",
            "beds_per_guard": "15",
            "outpatient_permille": "3",
            "video_retention_days": "90",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "GB/T 31458-2026" in page and "每名保安员对应床位数" in page
    assert plan_in_force(county, NEW_STANDARD).beds_per_guard == 15
    assert plan_in_force(county, dt.date(2026, 7, 31)).beds_per_guard == 20


def test_editing_the_plan_does_not_overwrite_its_thresholds(client, county_admin, plan, county):
    client.force_login(county_admin)
    response = client.post(
        reverse("security:plan_edit", args=[county.pk]),
        {"name": "晋江市行动计划", "staff_percent": "9", "police_contact": "王警官"},
    )
    assert response.status_code == 302
    assert PlanVersion.objects.get(plan=plan).staff_percent == Decimal("3")
    assert plan_in_force(county, dt.date(2026, 11, 1)).staff_percent == Decimal("3")


def test_the_admin_shows_versions_read_only(client, django_user_model, plan, gbt_2026):
    admin = django_user_model.objects.create_superuser("root_pv", "root@example.com", "x-9-Pass!")
    client.force_login(admin)
    page = client.get(reverse("admin:security_securityplan_change", args=[plan.pk]))
    assert page.status_code == 200
    assert "GB/T 31458-2026" in page.content.decode()

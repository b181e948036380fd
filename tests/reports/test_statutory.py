"""The statutory 隐患排查治理情况统计表 (issue 14 part 3): figures against direct counts, due
dates, the hospital's confirmation, the list page, the reminders and the schedule."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.dates import end_of_day
from core.errors import NotAllowed
from hazards.choices import EventType, RectificationMode, RiskLevel, Status
from hazards.models import Hazard, HazardEvent
from hospitals.models import within
from notifications.choices import EventKind
from notifications.models import Notification
from reports.choices import ExportStatus, PeriodKind, ReportType
from reports.models import ReportExport, StatutoryConfirmation
from reports.periods import Period
from reports.reminders import remind_statutory_tables
from reports.scope import ReportScope
from reports.services import build_report_bytes, schedule_periodic_reports
from reports.statutory import (
    PLAN_FIELDS,
    StatutoryError,
    due_date,
    statutory_confirm,
    statutory_table,
)
from tests.factories import HospitalFactory, OfficerFactory, RegionFactory
from tests.reports.factories import make_hazard
from tests.reports.helpers import load, table

pytestmark = pytest.mark.django_db

Q3 = Period.quarter(2026, 3)
PLAN = {name: "已制定" for name in PLAN_FIELDS}


def test_due_dates_are_the_15th_after_the_quarter_and_31_january():
    assert due_date(ReportType.HAZARD_STATS_QUARTER, Q3) == dt.date(2026, 10, 15)
    assert due_date(ReportType.HAZARD_STATS_QUARTER, Period.quarter(2026, 4)) == dt.date(
        2027, 1, 15
    )
    assert due_date(ReportType.HAZARD_STATS_YEAR, Period.year(2026)) == dt.date(2027, 1, 31)


# ---- figures against direct counts ------------------------------------------------------------


@pytest.fixture
def demo_like(on_report_day, county, hospital_a, hospital_a2, hospital_b, officer_a, officer_b):
    """Sixty hazards spread over 2026 in three hospitals of two counties, with a sub-county
    hospital, 立查立改, 重大 with and without plans and funds, late close-outs, and hazards
    regraded after the quarter ended (the table counts the level in force at its end)."""
    town = RegionFactory(name="安海镇", code="AH", level="town", parent=county)
    hospital_t = HospitalFactory(name="安海镇卫生院", region=town)
    rng = random.Random(14)
    hospitals = [hospital_a, hospital_a2, hospital_t, hospital_b]
    made = []
    for _i in range(60):
        hospital = rng.choice(hospitals)
        found_on = dt.date(2026, 6, 1) + dt.timedelta(days=rng.randrange(0, 130))
        found_on = min(found_on, dt.date(2026, 10, 9))
        closed_on = None
        if rng.random() < 0.6:
            closed_on = found_on + dt.timedelta(days=rng.randrange(0, 60))
            if closed_on > dt.date(2026, 10, 9):
                closed_on = None
        major = rng.random() < 0.3
        extra = {}
        if major and rng.random() < 0.6:
            extra.update(PLAN)
        if rng.random() < 0.5:
            extra["funds"] = Decimal(rng.randrange(0, 500000)) / 100
        made.append(
            make_hazard(
                hospital=hospital,
                found_by=officer_b if hospital == hospital_b else officer_a,
                found_on=found_on,
                status=Status.CLOSED if closed_on else Status.IN_PROGRESS,
                closed_on=closed_on,
                risk_level=RiskLevel.MAJOR if major else RiskLevel.GENERAL,
                mode=RectificationMode.IMMEDIATE if rng.random() < 0.1 else "deadline",
                **extra,
            )
        )
    # Regraded on 2026-10-05, after the quarter: today's level differs from the level in force
    # at the quarter's end, which the table must count.
    after = timezone.make_aware(dt.datetime(2026, 10, 5, 9))
    regraded = [h for h in made if dt.date(2026, 7, 1) <= h.found_on <= dt.date(2026, 9, 30)][:4]
    for hazard in regraded:
        before = hazard.risk_level
        hazard.risk_level = RiskLevel.GENERAL if before == RiskLevel.MAJOR else RiskLevel.MAJOR
        hazard.save(update_fields=["risk_level"])
        event = HazardEvent.objects.create(
            hazard=hazard, kind=EventType.REGRADED, actor=officer_a, previous_risk_level=before
        )
        HazardEvent.objects.filter(pk=event.pk).update(at=after)
    return {"hospitals": hospitals, "regraded": regraded, "town": town}


def _direct(hazards, period: Period, regraded_ids):
    """Counted by hand, hazard by hazard, from the rows (and the known regrades)."""
    end = period.end
    counts = {
        "general_found": 0,
        "general_rectified": 0,
        "major_found": 0,
        "major_rectified": 0,
        "major_planned": 0,
        "major_funded": 0,
        "major_funds": Decimal("0"),
        "funds": Decimal("0"),
    }
    for h in hazards:
        if not (period.start <= h.found_on <= end):
            continue
        level = h.risk_level
        if h.pk in regraded_ids:  # the level before the October regrade
            level = RiskLevel.GENERAL if level == RiskLevel.MAJOR else RiskLevel.MAJOR
        rectified = h.closed_on is not None and h.closed_on <= end
        funds = h.funds or Decimal("0")
        counts["funds"] += funds
        if level == RiskLevel.MAJOR:
            counts["major_found"] += 1
            counts["major_rectified"] += rectified
            counts["major_planned"] += all(getattr(h, name) for name in PLAN_FIELDS)
            counts["major_funded"] += funds > 0
            counts["major_funds"] += funds
        else:
            counts["general_found"] += 1
            counts["general_rectified"] += rectified
    return counts


def _as_dict(figures):
    return {key: getattr(figures, key) for key in _direct([], Q3, set())}


@pytest.mark.parametrize("period", [Q3, Period.year(2026)], ids=["quarter", "year"])
def test_table_matches_direct_counts(demo_like, county, period):
    regraded = {h.pk for h in demo_like["regraded"]}
    if period.kind == PeriodKind.YEAR:
        regraded = set()  # the year is still running: as of now, today's levels are in force
    scope = ReportScope(region=county, period=period)
    result = statutory_table(scope)
    in_county = Hazard.objects.filter(within(county, "hospital__region"))
    assert result.total.found > 10
    assert _as_dict(result.total) == _direct(in_county, period, regraded)
    for line in result.hospitals:
        mine = Hazard.objects.filter(hospital=line.hospital)
        assert _as_dict(line.figures) == _direct(mine, period, regraded), line.hospital.name
    # the sub-region line and the county's own hospitals add up to the total
    assert [name for _r, name, _f in result.regions] == ["安海镇", "晋江市(本级)"]
    town = Hazard.objects.filter(hospital__region=demo_like["town"])
    assert _as_dict(result.regions[0][2]) == _direct(town, period, regraded)


def test_table_of_a_past_quarter_is_as_of_its_end_whenever_it_is_built(demo_like, county):
    scope = ReportScope(region=county, period=Q3)
    assert scope.as_of == end_of_day(Q3.end)
    first = _as_dict(statutory_table(scope).total)
    # a close-out and a regrade later on do not change the quarter's table
    late = Hazard.objects.filter(
        hospital__region=county, found_on__lte=Q3.end, closed_on__isnull=True
    ).first()
    late.closed_on, late.status = dt.date(2026, 10, 9), Status.CLOSED
    late.save(update_fields=["closed_on", "status"])
    again = ReportScope(region=county, period=Q3)
    assert _as_dict(statutory_table(again).total) == first


def test_workbook_prints_the_figures_the_totals_and_the_sign_off(demo_like, county):
    scope = ReportScope(region=county, period=Q3)
    result = statutory_table(scope)
    content, _rows = build_report_bytes(ReportType.HAZARD_STATS_QUARTER, scope)
    wb = load(content)
    assert wb.sheetnames == ["统计表", "分区域汇总", "签章"]
    ws = wb["统计表"]
    assert ws["A1"].value == "2026年第三季度隐患排查治理情况统计表(季度)"
    assert "报送期限:2026-10-15" in ws["A3"].value
    headers, rows = table(ws)
    assert headers[:4] == ["区域", "单位", "一般隐患排查数(项)", "一般隐患已整改(项)"]
    assert "列入治理计划(项)" in headers and "落实治理资金(项)" in headers
    total = dict(zip(headers, rows[-1], strict=False))
    assert total["单位"] == "合计"
    assert total["一般隐患排查数(项)"] == result.total.general_found
    assert total["重大隐患排查数(项)"] == result.total.major_found
    assert total["重大隐患已整改(项)"] == result.total.major_rectified
    assert total["列入治理计划(项)"] == result.total.major_planned
    assert Decimal(str(total["整改资金合计(元)"])) == result.total.funds
    assert ws.cell(row=4 + len(rows), column=12).number_format == "#,##0.00"
    _h, regions = table(wb["分区域汇总"])
    assert regions[-1][0] == "合计" and regions[-1][1] == result.total.general_found
    sign = dict(table(wb["签章"])[1])
    assert sign["填报单位(盖章)"] == "晋江市"
    assert "单位主要负责人(签字)" in sign
    assert sign["报送期限"] == "2026-10-15"
    assert sign["确认情况"].startswith("已确认 0 家")


# ---- confirmation -----------------------------------------------------------------------------


def test_officer_confirms_their_hospital_once(scenario, hospital_a, officer_a):
    confirmation = statutory_confirm(
        hospital=hospital_a, report_type=ReportType.HAZARD_STATS_QUARTER, period=Q3, by=officer_a
    )
    assert confirmation.confirmed_by == officer_a
    # h1, h3, h4 general (2 rectified), h2 major open
    assert confirmation.figures["general_found"] == "3"
    assert confirmation.figures["general_rectified"] == "2"
    assert confirmation.figures["major_found"] == "1"
    with pytest.raises(StatutoryError, match="已确认"):
        statutory_confirm(
            hospital=hospital_a,
            report_type=ReportType.HAZARD_STATS_QUARTER,
            period=Q3,
            by=officer_a,
        )
    assert StatutoryConfirmation.objects.count() == 1


def test_only_the_hospitals_own_officer_confirms(
    scenario, hospital_a, officer_b, county_bureau, county_admin
):
    for user in (officer_b, county_bureau, county_admin):
        with pytest.raises(NotAllowed):
            statutory_confirm(
                hospital=hospital_a,
                report_type=ReportType.HAZARD_STATS_QUARTER,
                period=Q3,
                by=user,
            )
    assert not StatutoryConfirmation.objects.exists()


def test_a_running_period_cannot_be_confirmed(scenario, hospital_a, officer_a):
    with pytest.raises(StatutoryError, match="尚未结束"):
        statutory_confirm(
            hospital=hospital_a,
            report_type=ReportType.HAZARD_STATS_QUARTER,
            period=Period.quarter(2026, 4),
            by=officer_a,
        )
    with pytest.raises(StatutoryError, match="不符"):
        statutory_confirm(
            hospital=hospital_a,
            report_type=ReportType.HAZARD_STATS_YEAR,
            period=Q3,
            by=officer_a,
        )


def _list(client, user, **query):
    client.force_login(user)
    params = {"type": ReportType.HAZARD_STATS_QUARTER, "period": Q3.key, **query}
    return client.get(reverse("reports:statutory"), params)


def _confirm_url(hospital, period=Q3):
    return reverse(
        "reports:statutory_confirm",
        args=[ReportType.HAZARD_STATS_QUARTER, period.key, hospital.pk],
    )


def test_officer_page_lists_their_table_with_its_due_date_and_the_button(
    client, scenario, hospital_a, hospital_a2, officer_a
):
    body = _list(client, officer_a).content.decode()
    assert "2026-10-15" in body
    assert hospital_a.name in body and hospital_a2.name not in body
    assert _confirm_url(hospital_a) in body
    response = client.post(_confirm_url(hospital_a))
    assert response.status_code == 302
    assert StatutoryConfirmation.objects.get().hospital == hospital_a
    body = _list(client, officer_a).content.decode()
    assert _confirm_url(hospital_a) not in body  # confirmed: no button any more
    assert "已确认" in body


def test_another_hospitals_table_is_404_for_an_officer(client, scenario, hospital_a2, officer_a):
    client.force_login(officer_a)
    assert client.post(_confirm_url(hospital_a2)).status_code == 404
    download = reverse("reports:statutory_download", args=[ReportType.HAZARD_STATS_QUARTER, Q3.key])
    assert client.get(download, {"hospital": hospital_a2.pk}).status_code == 404
    assert client.get(download, {"region": hospital_a2.region_id}).status_code == 403
    assert not StatutoryConfirmation.objects.exists()


def test_bureau_sees_who_has_not_confirmed_and_no_button(
    client, scenario, county, hospital_a, hospital_a2, officer_a, county_bureau
):
    statutory_confirm(
        hospital=hospital_a, report_type=ReportType.HAZARD_STATS_QUARTER, period=Q3, by=officer_a
    )
    response = _list(client, county_bureau)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="statutory-confirmed">1 / 2<' in body
    assert hospital_a2.name in body and "未确认" in body
    assert "/confirm/" not in body
    assert client.post(_confirm_url(hospital_a2)).status_code == 403
    download = reverse("reports:statutory_download", args=[ReportType.HAZARD_STATS_QUARTER, Q3.key])
    response = client.get(download, {"region": county.pk})
    assert response.status_code == 200
    sign = dict(table(load(response.content)["签章"])[1])
    assert sign["确认情况"] == f"已确认 1 家,共 2 家;未确认:{hospital_a2.name}"


def test_hospital_download_is_its_own_table(client, scenario, hospital_a, officer_a):
    client.force_login(officer_a)
    download = reverse("reports:statutory_download", args=[ReportType.HAZARD_STATS_QUARTER, Q3.key])
    response = client.get(download, {"hospital": hospital_a.pk})
    wb = load(response.content)
    assert wb.sheetnames == ["统计表", "签章"]
    _headers, rows = table(wb["统计表"])
    assert [row[1] for row in rows] == [hospital_a.name, "合计"]


# ---- reminders and the schedule ------------------------------------------------------------


def _titles(user):
    return list(
        Notification.objects.filter(
            recipient=user, event=EventKind.STATUTORY_TABLE_DUE
        ).values_list("title", flat=True)
    )


def test_unconfirmed_hospitals_are_reminded_then_their_bureau(
    scenario, county, hospital_a, hospital_a2, officer_a, county_bureau
):
    officer_a2 = OfficerFactory(hospital=hospital_a2)
    statutory_confirm(
        hospital=hospital_a, report_type=ReportType.HAZARD_STATS_QUARTER, period=Q3, by=officer_a
    )
    # 2026-10-10: five days before the 15th (inside the 10-day window)
    assert remind_statutory_tables(today=dt.date(2026, 10, 10)) >= 1
    assert remind_statutory_tables(today=dt.date(2026, 10, 10)) == 0  # deduplicated
    assert _titles(officer_a) == []  # A has confirmed
    assert _titles(officer_a2) == [
        "请于 2026-10-15 前确认2026年第三季度隐患排查治理情况统计表(季度)(还有 5 天)"
    ]
    assert _titles(county_bureau) == []
    # the day after the due date: overdue, the bureau hears too
    with time_machine.travel(dt.datetime(2026, 10, 16, 3, tzinfo=dt.UTC)):
        remind_statutory_tables(today=dt.date(2026, 10, 16))
    overdue = f"{hospital_a2.name} 逾期未确认2026年第三季度隐患排查治理情况统计表(季度)"
    assert overdue in _titles(officer_a2)
    assert overdue in _titles(county_bureau)
    assert not any(hospital_a.name in t for t in _titles(county_bureau))


def test_rule_is_registered_with_the_reminder_scan():
    from notifications.tasks import reminder_modules

    rules = [rule for module in reminder_modules() for rule in module.REMINDER_RULES]
    assert remind_statutory_tables in rules


def test_statutory_tables_and_the_weekly_report_are_scheduled(county, hospital_a):
    with time_machine.travel(dt.datetime(2027, 1, 1, 3, tzinfo=dt.UTC)):
        created = schedule_periodic_reports(today=dt.date(2027, 1, 1))
    keys = {(e.report_type, e.period_key) for e in created if e.region_id == county.pk}
    assert (ReportType.HAZARD_STATS_QUARTER, "2026-Q4") in keys
    assert (ReportType.HAZARD_STATS_YEAR, "2026") in keys
    assert (ReportType.PROGRESS, "2026-12") in keys
    assert (ReportType.PROGRESS, "2026-W52") in keys
    weekly = ReportExport.objects.get(
        report_type=ReportType.PROGRESS, period_key="2026-W52", region=county
    )
    assert weekly.is_scheduled and weekly.status == ExportStatus.QUEUED
    assert weekly.period_kind == PeriodKind.WEEK


def test_the_export_form_asks_for_the_tables_own_period_kind(
    client, scenario, county, county_bureau
):
    client.force_login(county_bureau)
    data = {"report_type": ReportType.HAZARD_STATS_QUARTER, "region": county.pk}
    response = client.post(
        reverse("reports:list"), {**data, "period_kind": "month", "month": "2026-09"}
    )
    assert response.status_code == 400
    assert "该报表的期间应为季度" in response.content.decode()
    response = client.post(
        reverse("reports:list"), {**data, "period_kind": "quarter", "quarter": Q3.key}
    )
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert (export.report_type, export.period_key) == (ReportType.HAZARD_STATS_QUARTER, "2026-Q3")

"""Every page and workbook states the instant its figures are as of, and follows the selected
period (issue 10 part 2). Scenario: tests/reports/conftest.py (today 2026-10-10)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.dates import end_of_day, format_as_of
from hazards.choices import EventType, RiskLevel, Status
from hazards.models import Hazard, HazardEvent
from hazards.selectors import rectification_rate
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from reports.periods import Period, as_of_for, as_of_text
from reports.services import export_build
from tests.reports.helpers import as_dicts, load
from tests.reports.test_dashboard import kpi

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


# ---- the rule --------------------------------------------------------------------------------


def test_a_past_period_is_as_of_the_end_of_its_last_day_a_running_one_as_of_now():
    now = at(2026, 10, 10, 18, 5)
    october, september = Period.parse("2026-10"), Period.parse("2026-09")
    assert as_of_for(september, now) == end_of_day(dt.date(2026, 9, 30))
    assert as_of_for(october, now) == now
    assert as_of_for(Period.parse("2027"), now) == now  # a period ending in the future
    assert as_of_text(as_of_for(september, now)) == "数据截至 2026-09-30 24:00"
    assert as_of_text(now) == "数据截至 2026-10-10 18:05"
    # The end of a day in Shanghai is 15:59:59.999999 UTC: still the same local day.
    assert timezone.localdate(end_of_day(dt.date(2026, 9, 30))) == dt.date(2026, 9, 30)
    assert format_as_of(dt.date(2026, 2, 28)) == "2026-02-28 24:00"


def _event(hazard, actor, when, **values):
    event = HazardEvent.objects.create(
        hazard=hazard, actor=actor, kind=EventType.EXTENSION_APPROVED, **values
    )
    HazardEvent.objects.filter(pk=event.pk).update(at=when)


def test_figures_read_the_deadline_and_risk_level_in_force_then(scenario, county, officer_a):
    """h2 (重大, deadline 09-30) had deadline 09-10 until an extension on 09-20 and was general
    until regraded on 08-20. As of 09-15 it was overdue and major only from 08-20 on."""
    h2 = scenario["h2"]
    _event(h2, officer_a, at(2026, 9, 20, 9), previous_deadline=dt.date(2026, 9, 10))
    _event(h2, officer_a, at(2026, 8, 20, 9), previous_risk_level=RiskLevel.GENERAL)
    period = (dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    assert rectification_rate(county, period, as_of=dt.date(2026, 9, 15)).overdue == 1
    assert rectification_rate(county, period, as_of=at(2026, 9, 20, 8)).overdue == 1
    assert rectification_rate(county, period, as_of=at(2026, 9, 20, 10)).overdue == 0
    assert rectification_rate(county, period, as_of=dt.date(2026, 10, 1)).overdue == 1
    assert rectification_rate(county, period, as_of=dt.date(2026, 8, 19)).major == 0
    assert rectification_rate(county, period, as_of=dt.date(2026, 8, 21)).major == 1
    # Today's status is not read: closed out on 10-05, h2 was still open as of 10-01.
    Hazard.objects.filter(pk=h2.pk).update(status=Status.CLOSED, closed_on=dt.date(2026, 10, 5))
    as_of_1st = rectification_rate(county, period, as_of=dt.date(2026, 10, 1))
    assert (as_of_1st.open, as_of_1st.rectified, as_of_1st.major_open) == (1, 0, 1)
    assert rectification_rate(county, period).rectified == 1


# ---- the dashboard ---------------------------------------------------------------------------


def _late_linked_inspection(hospital, officer, submitted_at):
    """Hospital A's linked department inspects September's 26th on 10-02 (late)."""
    from inspections.choices import AssignmentKind, InspectionKind, InspectionStatus
    from inspections.models import Assignment, ChecklistTemplate, Inspection

    assignment = Assignment.objects.get(
        hospital=hospital, kind=AssignmentKind.LINKED, period=dt.date(2026, 9, 1)
    )
    Inspection.objects.create(
        hospital=hospital,
        kind=InspectionKind.LINKED,
        template=ChecklistTemplate.objects.order_by("-version").first(),
        assignment=assignment,
        inspected_on=submitted_at.date(),
        status=InspectionStatus.SUBMITTED,
        created_by=officer,
        submitted_by=officer,
        submitted_at=submitted_at,
    )


def test_dashboard_states_the_as_of_instant_and_coverage_of_the_selected_period(
    client, inspection_scenario, county_bureau, hospital_a, officer_a
):
    _late_linked_inspection(hospital_a, officer_a, at(2026, 10, 2, 9))
    client.force_login(county_bureau)

    september = client.get(reverse("home"), {"period": "2026-09"})
    html = september.content.decode()
    assert "数据截至 2026-09-30 24:00" in html
    # September's days as of 09-30 24:00: A's self-inspection done; A's linked day (done late,
    # on 10-02) and A2's self-inspection missed.
    assert kpi(html, "coverage") == "33.3%"
    assert "已检 1 / 应检 3" in html

    year = client.get(reverse("home"), {"period": "2026"})
    html = year.content.decode()
    now = timezone.localtime()
    assert f"数据截至 {now:%Y-%m-%d} " in html
    assert year.context["as_of"] <= timezone.now()
    # As of now the late linked inspection counts.
    assert kpi(html, "coverage") == "66.7%"
    assert "已检 2 / 应检 3" in html

    october = client.get(reverse("home"), {"period": "2026-10"})
    assert kpi(october.content.decode(), "coverage") == "—"  # no days in October yet


def test_dashboard_overdue_card_follows_the_period_not_today(client, scenario, county_bureau):
    """h2 (deadline 09-30) is overdue today (10-10) but was not at the end of Q3."""
    client.force_login(county_bureau)
    q3 = client.get(reverse("home"), {"period": "2026-Q3"})
    assert kpi(q3.content.decode(), "overdue") == "0"
    assert "含以前各期共 1 条" in q3.content.decode()  # the Q2 hazard (deadline 06-01)
    year = client.get(reverse("home"), {"period": "2026"})
    assert kpi(year.content.decode(), "overdue") == "2"  # h2 and the Q2 one, as of now


def test_officer_desk_states_that_it_shows_now(client, scenario, officer_a):
    client.force_login(officer_a)
    html = client.get(reverse("home")).content.decode()
    assert f"数据截至 {timezone.localtime():%Y-%m-%d} " in html


# ---- reports ---------------------------------------------------------------------------------


def _export(region, period_key):
    period = Period.parse(period_key)
    return ReportExport.objects.create(
        report_type=ReportType.QUARTERLY,
        region=region,
        period_kind=period.kind,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        status=ExportStatus.QUEUED,
    )


def _summary(export) -> tuple[str, dict]:
    wb = load(export.file.open("rb").read())
    total = next(row for row in as_dicts(wb["汇总"], totals=True) if row["区域"] == "合计")
    return wb["汇总"]["A2"].value, total


def test_a_report_records_and_prints_its_as_of_and_a_rebuild_gives_the_same_numbers(
    client, scenario, county, officer_a, county_bureau
):
    export = export_build(_export(county, "2026-Q3").pk)
    assert export.status == ExportStatus.READY
    assert export.as_of == end_of_day(dt.date(2026, 9, 30))
    header, first = _summary(export)
    assert "数据截至 2026-09-30 24:00" in header
    client.force_login(county_bureau)
    for page in (reverse("reports:detail", args=[export.pk]), reverse("reports:list")):
        assert "2026-09-30 24:00" in client.get(page).content.decode()
    assert (first["发现隐患"], first["已整改"], first["重大隐患未销号"]) == (5, 3, 1)

    # A month later h2 is extended (from 09-30) and then closed out, h4 is closed out.
    h2, h4 = scenario["h2"], scenario["h4"]
    with time_machine.travel(at(2026, 11, 12, 10), tick=False):
        _event(h2, officer_a, timezone.now(), previous_deadline=h2.deadline)
        for hazard in (h2, h4):
            Hazard.objects.filter(pk=hazard.pk).update(
                status=Status.CLOSED,
                closed_on=dt.date(2026, 11, 12),
                deadline=dt.date(2026, 12, 31),
            )
        again = export_build(_export(county, "2026-Q3").pk)
    assert again.as_of == export.as_of
    assert _summary(again) != (header, first)  # the generation time differs …
    assert _summary(again)[1] == first  # … the figures do not


def test_a_running_period_is_as_of_the_build(scenario, county):
    export = export_build(_export(county, "2026-Q4").pk)
    assert export.started_at - dt.timedelta(seconds=1) <= export.as_of <= export.started_at
    header, _total = _summary(export)
    assert f"数据截至 {format_as_of(export.as_of)}" in header


# ---- the calendar ----------------------------------------------------------------------------


def test_calendar_coverage_is_the_selectors_coverage(client, inspection_scenario, county_bureau):
    from inspections.selectors import coverage

    client.force_login(county_bureau)
    response = client.get(reverse("inspections:calendar"), {"month": "2026-09"})
    assert response.status_code == 200
    shown = response.context["coverage"]
    assert shown == coverage(county_bureau.region, 2026, 9)
    assert (shown.done, shown.due, shown.missed) == (1, 3, 2)
    day_15 = next(
        day for week in response.context["weeks"] for day in week if day["date"].day == 15
    )
    states = {state.value: n for kind in day_15["kinds"] for state, n, _badge in kind["states"]}
    assert states == {"done": 1, "missed": 1}

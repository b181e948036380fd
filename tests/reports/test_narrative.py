"""Narrative sections of the 信息周报/月报 and the 专项整治 year-end summary (issue 14 part 4):
pre-filled from the period's figures, edited by bureau staff, printed by the export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.errors import NotAllowed
from hazards.choices import EventType
from hazards.models import HazardEvent
from reports.choices import ReportType
from reports.models import Narrative, ReportExport
from reports.narratives import NarrativeError, narrative_for, narrative_save, prefill
from reports.periods import Period
from reports.scope import ReportScope
from reports.selectors import summarise_scope
from reports.services import build_report_bytes
from tests.reports.helpers import load, table

pytestmark = pytest.mark.django_db

Q3 = Period.quarter(2026, 3)
SEPTEMBER = Period.month(2026, 9)


def _sections(content: bytes) -> dict:
    return dict(table(load(content)["工作情况"])[1])


def test_prefill_states_the_periods_figures(scenario, county):
    scope = ReportScope(region=county, period=Q3)
    total = summarise_scope(scope).total
    text = prefill(scope)
    assert text.work_done.startswith(
        f"本季度开展检查 {total.inspections} 次,发现隐患 {total.found} 条(其中重大隐患 "
        f"{total.major} 条、立查立改 {total.immediate} 条),已整改 {total.rectified} 条,"
        f"整改率 {total.rate_display};"
    )
    assert (total.found, total.rectified, total.major, total.immediate) == (5, 3, 1, 1)
    assert "截至 2026-09-30 24:00,累计逾期未整改隐患 1 条,重大隐患未销号 1 条" in text.problems
    assert "晋江市医院(1 条)" in text.problems
    assert "对 1 条逾期隐患限期整改" in text.next_steps
    assert "一患一档" in text.next_steps


def test_prefill_counts_the_listings_of_the_period(scenario, county, county_bureau):
    event = HazardEvent.objects.create(
        hazard=scenario["h2"], kind=EventType.LISTED, actor=county_bureau
    )
    HazardEvent.objects.filter(pk=event.pk).update(at=event.at.replace(year=2026, month=8, day=11))
    assert "对 1 条重大隐患实行挂牌督办" in prefill(ReportScope(region=county, period=Q3)).work_done
    assert "挂牌督办" not in prefill(ReportScope(region=county, period=SEPTEMBER)).work_done


def test_the_monthly_report_prints_the_prefilled_then_the_saved_text(
    scenario, county, county_bureau
):
    scope = ReportScope(region=county, period=SEPTEMBER)
    content, _rows = build_report_bytes(ReportType.PROGRESS, scope)
    sections = _sections(content)
    assert sections["一、工作开展情况"].startswith("本月开展检查")
    assert "发现隐患 2 条" in sections["一、工作开展情况"]  # h3 and h4 in September

    narrative_save(
        report_type=ReportType.PROGRESS,
        region=county,
        period=SEPTEMBER,
        work_done="本月组织联合检查 2 次。",
        problems="个别单位整改不及时。",
        next_steps="十月开展复查。",
        by=county_bureau,
    )
    content, _rows = build_report_bytes(ReportType.PROGRESS, scope)
    assert _sections(content) == {
        "一、工作开展情况": "本月组织联合检查 2 次。",
        "二、存在问题": "个别单位整改不及时。",
        "三、下步打算": "十月开展复查。",
    }
    # the saved text is the scope's and the period's only
    other = ReportScope(region=county, period=Period.month(2026, 8))
    assert not narrative_for(ReportType.PROGRESS, other).is_saved


def test_the_year_end_summary_has_the_text_and_the_figures(scenario, county):
    scope = ReportScope(region=county, period=Period.year(2026))
    content, _rows = build_report_bytes(ReportType.CAMPAIGN_SUMMARY, scope)
    wb = load(content)
    assert wb.sheetnames == ["工作情况", "主要指标", "各机构"]
    assert wb["工作情况"]["A1"].value == "2026年专项整治年度工作总结"
    assert _sections(content)["一、工作开展情况"].startswith("今年以来开展检查")
    figures = {row[0]: row[1] for row in table(wb["主要指标"])[1]}
    total = scope and summarise_scope(scope).total
    assert figures["发现隐患(条)"] == total.found == 6


def test_only_bureau_staff_over_the_region_save(
    scenario, county, other_county, officer_a, other_county_bureau, county_admin
):
    for user, region in ((officer_a, county), (other_county_bureau, county)):
        with pytest.raises(NotAllowed):
            narrative_save(
                report_type=ReportType.PROGRESS,
                region=region,
                period=SEPTEMBER,
                work_done="x",
                problems="",
                next_steps="",
                by=user,
            )
    with pytest.raises(NarrativeError):
        narrative_save(
            report_type=ReportType.QUARTERLY,
            region=county,
            period=Q3,
            work_done="x",
            problems="",
            next_steps="",
            by=county_admin,
        )
    assert not Narrative.objects.exists()


def _url(region, period=SEPTEMBER, report_type=ReportType.PROGRESS):
    return (
        reverse("reports:narrative") + f"?type={report_type}&period={period.key}&region={region.pk}"
    )


def test_form_page_shows_the_draft_saves_and_exports(client, scenario, county, county_bureau):
    client.force_login(county_bureau)
    response = client.get(_url(county))
    body = response.content.decode()
    assert response.status_code == 200
    assert "本月开展检查" in body and "自动生成的初稿" in body
    data = {"work_done": "已改写的工作情况", "problems": "问题", "next_steps": "打算"}
    response = client.post(_url(county), data)
    assert response.status_code == 302
    saved = Narrative.objects.get()
    assert (saved.work_done, saved.updated_by) == ("已改写的工作情况", county_bureau)
    assert "已改写的工作情况" in client.get(_url(county)).content.decode()

    response = client.post(_url(county), {**data, "export": "1"})
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[export.pk])
    assert (export.report_type, export.period_key) == (ReportType.PROGRESS, "2026-09")
    assert Narrative.objects.count() == 1


def test_form_page_refuses_officers_and_other_regions(
    client, scenario, county, officer_a, other_county_bureau
):
    client.force_login(officer_a)
    assert client.get(_url(county)).status_code == 403
    client.force_login(other_county_bureau)
    assert client.get(_url(county)).status_code == 404
    assert client.post(_url(county), {"work_done": "x"}).status_code == 404
    assert not Narrative.objects.exists()


def test_a_quarter_is_not_a_progress_text_period(client, scenario, county, county_bureau):
    client.force_login(county_bureau)
    assert client.get(_url(county, period=Q3)).status_code == 404
    summary = _url(county, Period.year(2026), ReportType.CAMPAIGN_SUMMARY)
    assert "今年以来开展检查" in client.get(summary).content.decode()

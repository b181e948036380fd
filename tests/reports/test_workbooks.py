"""Every report type opened with openpyxl: headers, row counts and figures against the seeded
scenario (tests/reports/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from hazards.models import Hazard
from reports.choices import ReportType
from reports.periods import Period
from reports.scope import ReportScope
from reports.services import build_report_bytes
from tests.reports.helpers import as_dicts, header_row, load, table

pytestmark = pytest.mark.django_db

Q3 = Period.parse("2026-Q3")


def build(report_type, region, period=Q3, hospital=None):
    content, rows = build_report_bytes(
        report_type, ReportScope(region=region, period=period, hospital=hospital)
    )
    return load(content), rows


def test_hazard_ledger_has_the_ledger_columns_one_row_per_hazard_and_overdue_highlighted(
    scenario, county
):
    wb, rows = build(ReportType.HAZARD_LEDGER, county)
    ws = wb["隐患台账"]
    headers, data = table(ws, totals=False)
    for column in (
        "编号",
        "排查时间",
        "部位",
        "排查人",
        "隐患描述",
        "等级",
        "类别",
        "整改措施",
        "资金(元)",
        "责任人",
        "整改期限",
        "临时安全措施",
        "进度",
        "整改前照片",
        "整改后照片",
        "复查人",
        "复查日期",
        "验收人",
        "销号日期",
        "逾期说明",
        "销号",
    ):
        assert column in headers
    expected = Hazard.objects.filter(
        hospital__region=county, found_on__gte=Q3.start, found_on__lte=Q3.end
    )
    assert rows == len(data) == expected.count() == 5
    assert sorted(r[headers.index("编号")] for r in data) == sorted(
        expected.values_list("code", flat=True)
    )
    # Real dates, not text.
    first = data[0]
    assert isinstance(first[headers.index("排查时间")], dt.datetime)
    # As of the end of Q3 (09-30 24:00) h2's deadline day (09-30) is still in time.
    assert _highlighted_codes(ws, headers) == set()
    overdue_days = {r[headers.index("编号")]: r[headers.index("逾期天数")] for r in data}
    assert overdue_days[scenario["h2"].code] is None
    # A period still running is as of now (10-10): h2 is overdue, highlighted in every cell.
    running = Period.custom(dt.date(2026, 7, 1), dt.date(2026, 10, 31))
    wb, _rows = build(ReportType.HAZARD_LEDGER, county, running)
    ws = wb["隐患台账"]
    headers, data = table(ws, totals=False)
    assert _highlighted_codes(ws, headers) == {scenario["h2"].code}
    overdue_days = {r[headers.index("编号")]: r[headers.index("逾期天数")] for r in data}
    assert overdue_days[scenario["h2"].code] == 10  # deadline 09-30, today 10-10


def _highlighted_codes(ws, headers) -> set:
    code_col = headers.index("编号") + 1
    hr = header_row(ws)
    last = hr + len(table(ws, totals=False)[1])
    return {
        ws.cell(row=r, column=code_col).value
        for r in range(hr + 1, last + 1)
        if ws.cell(row=r, column=code_col).fill.fgColor.rgb not in (None, "00000000")
        and ws.cell(row=r, column=code_col).fill.fill_type == "solid"
    }


def test_workbook_has_title_scope_period_frozen_header_autofilter_and_print_setup(scenario, county):
    wb, _rows = build(ReportType.HAZARD_LEDGER, county)
    ws = wb["隐患台账"]
    assert ws["A1"].value == "2026年第三季度隐患台账"
    assert "晋江市" in ws["A2"].value and "2026年第三季度" in ws["A2"].value
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref.startswith("A4:")
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$4:$4"
    assert ws["A4"].font.b


def test_inspection_month_summary_counts_assignments_items_and_hazards(inspection_scenario, county):
    wb, rows = build(ReportType.INSPECTION_MONTH, county, Period.parse("2026-09"))
    ws = wb["检查日汇总"]
    data = as_dicts(ws)
    # Two hospitals in the county, one month.
    assert rows == len(data) == 2
    line = next(d for d in data if d["医疗机构"] == "晋江市医院")
    assert line["医院自查"] == "已完成"
    assert line["挂钩科室检查"] == "已错过"
    assert line["检查项数(自查+挂钩)"] == 3
    assert line["不合格项"] == 1
    assert line["发现隐患"] == 2  # h3 and h4, both from the self-inspection in September
    assert line["立查立改"] == 1  # h3
    other = next(d for d in data if d["医疗机构"] == "晋江市安海卫生院")
    assert other["医院自查"] == "已错过"


@pytest.fixture
def security_scenario(scenario, hospital_a, officer_a):
    """Hospital A (三级, covered by 4+N) has met item 1 (guards) on 2026-08-01 and has 30
    full-time guards; hospital B (二级) has nothing; A2 (一级) is not covered."""
    from security.choices import ItemKind, ItemStatus
    from security.models import ChecklistItem, SecurityProfile

    item = ChecklistItem.objects.create(
        hospital=hospital_a, kind=ItemKind.GUARDS, status=ItemStatus.MET, met_on=dt.date(2026, 8, 1)
    )
    # Recorded back then: figures as of a past period end only count what existed at that time.
    ChecklistItem.objects.filter(pk=item.pk).update(
        created_at=dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    SecurityProfile.objects.create(hospital=hospital_a, full_time_guards=30, certified_guards=28)
    return scenario


def test_quarterly_report_totals_per_region_rank_major_overdue_and_security(
    security_scenario, city, county, other_county
):
    wb, _rows = build(ReportType.QUARTERLY, city)
    assert wb.sheetnames == ["汇总", "各机构", "重大隐患", "逾期隐患", "4+N 建设情况"]

    summary = {row["区域"]: row for row in as_dicts(wb["汇总"], totals=True)}
    assert set(summary) == {"晋江市", "南安市", "合计"}
    jj, na, total = summary["晋江市"], summary["南安市"], summary["合计"]
    # As of the end of Q3 (09-30 24:00): h2's deadline is 09-30, so not overdue yet; the Q2
    # hazard (deadline 06-01) is in the backlog only.
    assert (jj["发现隐患"], jj["已整改"], jj["逾期未整改"], jj["重大隐患未销号"]) == (5, 3, 0, 1)
    assert jj["累计逾期未整改"] == 1
    assert jj["整改率"] == pytest.approx(0.6)
    assert (na["发现隐患"], na["已整改"], na["逾期未整改"], na["重大隐患未销号"]) == (2, 1, 0, 1)
    assert (total["发现隐患"], total["已整改"], total["重大隐患未销号"]) == (7, 4, 2)
    assert total["整改率"] == pytest.approx(4 / 7, abs=1e-4)
    # 4+N: A and B are covered (5 standard items each), A has met one.
    assert (total["4+N 达标项"], total["4+N 项目数"]) == (1, 10)
    # The rate is a real number with a percent format.
    ws = wb["汇总"]
    rate_cell = ws.cell(row=header_row(ws) + 1, column=5)
    assert rate_cell.number_format == "0.0%"

    hospitals = as_dicts(wb["各机构"])
    # A and B both 50% with nothing overdue at the end of Q3: more found ranks first.
    assert [h["医疗机构"] for h in hospitals] == ["晋江市安海卫生院", "晋江市医院", "南安市医院"]
    assert [h["排名"] for h in hospitals] == [1, 2, 3]

    majors = as_dicts(wb["重大隐患"])
    assert {m["编号"] for m in majors} == {
        security_scenario["h2"].code,
        security_scenario["h6"].code,
    }
    h2 = next(m for m in majors if m["编号"] == security_scenario["h2"].code)
    assert h2["挂牌督办级别"] == "县级挂牌督办"

    late = {row["编号"]: row["逾期天数"] for row in as_dicts(wb["逾期隐患"])}
    assert late == {security_scenario["old"].code: 121}  # 06-01 → 09-30

    security = {row["医疗机构"]: row for row in as_dicts(wb["4+N 建设情况"])}
    assert set(security) == {"晋江市医院", "南安市医院"}
    assert security["晋江市医院"]["1. 专职保安员"] == "已达标"
    assert security["晋江市医院"]["专职保安员"] == 30


def test_security_half_year_progress_lists_items_shortfalls_and_reports(
    security_scenario, city, hospital_b
):
    from security.choices import Half, ReportStatus
    from security.models import HalfYearReport

    HalfYearReport.objects.create(
        hospital=hospital_b, year=2026, half=Half.SECOND, status=ReportStatus.DRAFT
    )
    wb, _rows = build(ReportType.SECURITY_HALF_YEAR, city, Period.parse("2026-H2"))
    rows = {row["医疗机构"]: row for row in as_dicts(wb["4+N 进展"])}
    assert set(rows) == {"晋江市医院", "南安市医院"}
    a = rows["晋江市医院"]
    assert (a["达标项"], a["项目总数"]) == (1, 5)
    assert a["保安员应配"] == 24  # 480 beds / 20
    assert a["缺口"] == 0
    assert rows["南安市医院"]["缺口"] == 24
    assert a["半年报告"] == "未报送"
    assert rows["南安市医院"]["半年报告"] == "草稿"
    overdue_items = as_dicts(wb["逾期未达标项目"])
    # Deadlines of the default plan are in 2022/2023: every unmet standard item is overdue.
    assert len(overdue_items) == 4 + 5


def test_progress_report_compares_with_the_previous_period(scenario, county):
    wb, _rows = build(ReportType.PROGRESS, county, Period.parse("2026-Q3"))
    figures = {row["指标"]: row for row in as_dicts(wb["主要指标"])}
    found = figures["新发现隐患(条)"]
    assert (found["本期(2026年第三季度)"], found["上期(2026年第二季度)"], found["增减"]) == (
        5,
        1,
        4,
    )
    assert found["变化幅度"] == pytest.approx(4.0)
    closed = figures["本期整改销号(条)"]
    assert closed["本期(2026年第三季度)"] == 3
    rates = {row["指标"]: row for row in as_dicts(wb["比率"])}
    assert rates["整改率(本期发现)"]["本期(2026年第三季度)"] == pytest.approx(0.6)
    per_hospital = {row["医疗机构"]: row for row in as_dicts(wb["各机构"])}
    assert per_hospital["晋江市医院"]["本期发现"] == 4
    assert per_hospital["晋江市医院"]["其中逾期"] == 1


def test_weekly_progress_report_uses_the_previous_week(scenario, county):
    wb, _rows = build(ReportType.PROGRESS, county, Period.parse("2026-W38"))
    assert wb["主要指标"]["A1"].value.endswith("(周报)")
    figures = {row["指标"]: row for row in as_dicts(wb["主要指标"])}
    # 2026-W38 is 09-14..09-20: h3 (09-15) and h4 (09-20).
    assert figures["新发现隐患(条)"]["本期(2026年第38周(09.14至09.20))"] == 2


def test_hospitals_of_the_region_itself_get_their_own_row_so_rows_add_up(scenario, city, officer_a):
    from tests.factories import HospitalFactory
    from tests.reports.factories import make_hazard

    city_hospital = HospitalFactory(name="泉州市第一医院", region=city, level="3")
    make_hazard(hospital=city_hospital, found_by=officer_a, found_on=dt.date(2026, 8, 3))
    wb, _rows = build(ReportType.QUARTERLY, city)
    summary = {row["区域"]: row for row in as_dicts(wb["汇总"], totals=True)}
    assert summary["泉州市(本级)"]["发现隐患"] == 1
    parts = [row for name, row in summary.items() if name != "合计"]
    assert sum(row["发现隐患"] for row in parts) == summary["合计"]["发现隐患"] == 8
    assert sum(row["机构数"] for row in parts) == summary["合计"]["机构数"] == 4

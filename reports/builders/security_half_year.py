"""4+N half-year progress: hospitals × items with status, shortfalls and submitted reports.

A hospital that submitted its half-year report is rolled up from the snapshot frozen in it (what
it reported to the bureau and the police); a hospital that did not is computed live as of the
end of the period (or today, for the current half-year) and labelled so, and is listed on a
sheet of its own.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.dates import today
from core.excel import Column, Sheet
from security.choices import PLAN_ITEMS
from security.selectors import half_year_of, half_year_rows
from security.staffing import TERM_LABELS

from ..choices import ReportType
from . import WorkbookPlan


def _cell(row, position: int) -> str:
    cell = row.cells[position]
    text = cell.status_label
    if cell.overdue:
        text += _("(逾期)")
    return text


def _deciding(row) -> str:
    return "、".join(str(TERM_LABELS[name]) for name in row.guards.requirement.deciding)


def _report(row) -> str:
    report = row.report
    if report is None:
        return _("未报送")
    if report.is_submitted and report.submitted_at:
        return _("已报送(%(date)s)") % {"date": report.submitted_at.date().isoformat()}
    return report.get_status_display()


def security_status_sheet(rows, *, title: str, with_reports: bool = False) -> Sheet:
    """Live rows (security.selectors.OverviewRow): the quarterly report's 4+N sheet."""
    columns = [
        Column(_("区域"), lambda r: r.hospital.region.name, width=12),
        Column(_("医疗机构"), lambda r: r.hospital.name, width=26),
        Column(_("等级"), lambda r: r.hospital.get_level_display(), width=8),
    ]
    for position, (number, label, _kinds) in enumerate(PLAN_ITEMS):
        columns.append(
            Column(f"{number}. {label}", lambda r, p=position: _cell(r, p), width=14, wrap=True)
        )
    columns += [
        Column(_("N 项达标/总数"), lambda r: f"{r.custom_met}/{len(r.custom)}", width=12),
        Column(_("达标项"), lambda r: r.items_met, width=8, kind="int", total="sum"),
        Column(_("项目总数"), lambda r: r.items_total, width=8, kind="int", total="sum"),
        Column(_("逾期项"), lambda r: len(r.overdue), width=8, kind="int", total="sum"),
        Column(
            _("保安员应配"),
            lambda r: r.guards.requirement.required,
            width=10,
            kind="int",
            total="sum",
        ),
        Column(_("决定因素"), _deciding, width=14),
        Column(_("专职保安员"), lambda r: r.guards.actual, width=10, kind="int", total="sum"),
        Column(_("持证"), lambda r: r.guards.certified, width=8, kind="int", total="sum"),
        Column(_("缺口"), lambda r: r.guards.shortfall, width=8, kind="int", total="sum"),
    ]
    if with_reports:
        columns.append(Column(_("半年报告"), _report, width=20))
    return Sheet(
        title=title,
        columns=columns,
        rows=rows,
        highlight=lambda r: bool(r.overdue or r.guards.shortfall),
        subtitle=_("逾期未达标或保安员不足的机构以红色底纹标出。"),
    )


def _half_cell(row, position: int) -> str:
    if position >= len(row.plan_items):
        return ""
    cell = row.plan_items[position]
    return cell.status_label + (_("(逾期)") if cell.overdue else "")


def half_year_sheet(rows, *, title: str) -> Sheet:
    """security.selectors.HalfYearRow rows: each hospital from its submitted snapshot, or live
    (labelled) when it did not submit."""
    columns = [
        Column(_("区域"), lambda r: r.hospital.region.name, width=12),
        Column(_("医疗机构"), lambda r: r.hospital.name, width=26),
        Column(_("等级"), lambda r: r.hospital.get_level_display(), width=8),
        Column(_("数据来源"), lambda r: r.source_label, width=20, wrap=True),
    ]
    for position, (number, label, _kinds) in enumerate(PLAN_ITEMS):
        columns.append(
            Column(
                f"{number}. {label}", lambda r, p=position: _half_cell(r, p), width=14, wrap=True
            )
        )
    columns += [
        Column(_("N 项达标/总数"), lambda r: f"{r.custom_met}/{len(r.custom)}", width=12),
        Column(_("达标项"), lambda r: r.items_met, width=8, kind="int", total="sum"),
        Column(_("项目总数"), lambda r: r.items_total, width=8, kind="int", total="sum"),
        Column(_("逾期项"), lambda r: len(r.overdue), width=8, kind="int", total="sum"),
        Column(_("保安员应配"), lambda r: r.guards["required"], width=10, kind="int", total="sum"),
        Column(
            _("决定因素"),
            lambda r: "、".join(str(TERM_LABELS[n]) for n in r.guards["deciding"]),
            width=14,
        ),
        Column(_("专职保安员"), lambda r: r.guards["actual"], width=10, kind="int", total="sum"),
        Column(_("持证"), lambda r: r.guards["certified"], width=8, kind="int", total="sum"),
        Column(_("缺口"), lambda r: r.guards["shortfall"], width=8, kind="int", total="sum"),
        Column(_("半年报告"), _report, width=20),
    ]
    return Sheet(
        title=title,
        columns=columns,
        rows=rows,
        highlight=lambda r: bool(r.overdue or r.guards["shortfall"]),
        subtitle=_(
            "已报送的机构按其报送时的快照统计;未报送的机构按系统实时核算并注明。"
            "逾期未达标或保安员不足的机构以红色底纹标出。"
        ),
    )


def non_submitters_sheet(rows, *, period_label: str) -> Sheet:
    missing = [r for r in rows if not r.submitted]
    return Sheet(
        title=_("未报送机构"),
        columns=[
            Column(_("区域"), lambda r: r.hospital.region.name, width=12),
            Column(_("医疗机构"), lambda r: r.hospital.name, width=26),
            Column(_("等级"), lambda r: r.hospital.get_level_display(), width=8),
            Column(_("报告状态"), _report, width=14),
        ],
        rows=missing,
        highlight=lambda r: True,
        subtitle=_("%(period)s未报送 4+N 进展报告的机构(共 %(n)s 家),其数据按实时核算。")
        % {"period": period_label, "n": len(missing)},
    )


def overdue_items_sheet(rows, on) -> Sheet:
    pairs = [(row, item) for row in rows for item in row.overdue]
    pairs.sort(key=lambda pair: (pair[1].deadline or on, pair[0].hospital.name))
    return Sheet(
        title=_("逾期未达标项目"),
        columns=[
            Column(_("区域"), lambda p: p[0].hospital.region.name, width=12),
            Column(_("医疗机构"), lambda p: p[0].hospital.name, width=26),
            Column(_("项目"), lambda p: f"{p[1].number}. {p[1].label}", width=24),
            Column(_("状态"), lambda p: p[1].status_label, width=10),
            Column(_("完成期限"), lambda p: p[1].deadline, width=12, kind="date"),
            Column(_("逾期天数"), lambda p: p[1].days_late, width=9, kind="int"),
        ],
        rows=pairs,
        highlight=lambda p: True,
        subtitle=_("截至 %(date)s(已报送的机构截至其报送日)。") % {"date": on.isoformat()},
    )


def custom_items_sheet(rows) -> Sheet:
    pairs = [(row, item) for row in rows for item in row.custom]
    return Sheet(
        title=_("N 项"),
        columns=[
            Column(_("区域"), lambda p: p[0].hospital.region.name, width=12),
            Column(_("医疗机构"), lambda p: p[0].hospital.name, width=26),
            Column(_("项目名称"), lambda p: p[1].label, width=30, wrap=True),
            Column(_("状态"), lambda p: p[1].status_label, width=10),
            Column(_("计划完成日期"), lambda p: p[1].deadline, width=12, kind="date"),
            Column(_("达标日期"), lambda p: p[1].met_on, width=12, kind="date"),
        ],
        rows=pairs,
        highlight=lambda p: p[1].overdue,
    )


def build(scope) -> WorkbookPlan:
    as_of = min(scope.period.end, today())
    year, half = half_year_of(as_of)
    rows = half_year_rows(scope.hospitals(), year, half, today=as_of)
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.SECURITY_HALF_YEAR.label}",
        sheets=[
            half_year_sheet(rows, title=_("4+N 进展")),
            non_submitters_sheet(rows, period_label=scope.period.label),
            overdue_items_sheet(rows, as_of),
            custom_items_sheet(rows),
        ],
    )

"""4+N half-year progress: hospitals × items with status, shortfalls and submitted reports."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.dates import today
from core.excel import Column, Sheet
from security.choices import PLAN_ITEMS
from security.selectors import build_rows, half_year_of
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
    columns = [
        Column(_("区域"), lambda r: r.hospital.region.name, width=12),
        Column(_("医疗机构"), lambda r: r.hospital.name, width=26),
        Column(_("等级"), lambda r: r.hospital.get_level_display(), width=8),
    ]
    for position, (number, label, _kinds) in enumerate(PLAN_ITEMS):
        columns.append(Column(f"{number}. {label}", lambda r, p=position: _cell(r, p), width=16))
    columns += [
        Column(_("N 项达标/总数"), lambda r: f"{r.custom_met}/{len(r.custom)}", width=12),
        Column(_("达标项"), lambda r: r.items_met, width=8, kind="int"),
        Column(_("项目总数"), lambda r: r.items_total, width=8, kind="int"),
        Column(_("逾期项"), lambda r: len(r.overdue), width=8, kind="int"),
        Column(_("保安员应配"), lambda r: r.guards.requirement.required, width=10, kind="int"),
        Column(_("决定因素"), _deciding, width=14),
        Column(_("专职保安员"), lambda r: r.guards.actual, width=10, kind="int"),
        Column(_("持证"), lambda r: r.guards.certified, width=8, kind="int"),
        Column(_("缺口"), lambda r: r.guards.shortfall, width=8, kind="int"),
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


def overdue_items_sheet(rows, on) -> Sheet:
    pairs = [(row, state) for row in rows for state in row.overdue]
    pairs.sort(key=lambda pair: (pair[1].deadline, pair[0].hospital.name))
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
        subtitle=_("截至 %(date)s。") % {"date": on.isoformat()},
    )


def custom_items_sheet(rows) -> Sheet:
    pairs = [(row, state) for row in rows for state in row.custom]
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
        highlight=lambda p: p[1].is_overdue,
    )


def build(scope) -> WorkbookPlan:
    on = today()
    year, half = half_year_of(min(scope.period.end, on))
    rows = build_rows(scope.hospitals(), today=on, period=(year, half))
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.SECURITY_HALF_YEAR.label}",
        sheets=[
            security_status_sheet(rows, title=_("4+N 进展"), with_reports=True),
            overdue_items_sheet(rows, on),
            custom_items_sheet(rows),
        ],
    )

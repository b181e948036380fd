"""季度报表 (any period): totals per region, per hospital with rank, open 重大隐患, overdue
hazards and the 4+N status."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.dates import as_of_date
from core.excel import Column, Sheet
from hazards.choices import RiskLevel, Status, SupervisionLevel, Suspension
from hazards.selectors import days_overdue_at, major_open_at, overdue_at

from ..choices import ReportType
from ..selectors import scope_hazards, summarise_scope
from . import WorkbookPlan, labels
from .security_half_year import security_status_sheet

CHUNK_SIZE = 1000


def figure_columns(get) -> list[Column]:
    """The figures shared by the region and hospital sheets; `get(row)` returns Figures."""
    return [
        Column(_("发现隐患"), lambda r: get(r).found, width=10, kind="int"),
        Column(_("已整改"), lambda r: get(r).rectified, width=10, kind="int"),
        Column(_("整改率"), lambda r: get(r).rate, width=10, kind="percent"),
        Column(_("逾期未整改"), lambda r: get(r).overdue, width=11, kind="int"),
        Column(_("重大隐患未销号"), lambda r: get(r).major_open, width=14, kind="int"),
        Column(_("累计逾期未整改"), lambda r: get(r).overdue_all, width=14, kind="int"),
        Column(_("检查日应检"), lambda r: get(r).inspections_due, width=11, kind="int"),
        Column(_("检查日已检"), lambda r: get(r).inspections_done, width=11, kind="int"),
        Column(_("检查覆盖率"), lambda r: get(r).coverage, width=11, kind="percent"),
        Column(_("4+N 达标项"), lambda r: get(r).security_met, width=11, kind="int"),
        Column(_("4+N 项目数"), lambda r: get(r).security_total, width=11, kind="int"),
        Column(_("4+N 达标率"), lambda r: get(r).security_rate, width=11, kind="percent"),
    ]


def region_sheet(summary) -> Sheet:
    rows = [(label, figures) for _region, label, figures in summary.regions]
    columns = [
        Column(_("区域"), lambda r: r[0], width=16),
        Column(_("机构数"), lambda r: r[1].hospitals, width=8, kind="int"),
        *figure_columns(lambda r: r[1]),
    ]
    total = (_("合计"), summary.total)
    return Sheet(
        title=_("汇总"),
        columns=columns,
        rows=rows,
        totals=[column.value(total) for column in columns],
        subtitle=_(
            "发现、整改、逾期按本期发现的隐患统计;整改率=已整改÷发现;"
            "重大隐患未销号、累计逾期未整改含以前各期。"
        ),
    )


class _Total:
    """The scope's total in the shape of a hospital line (for the totals row)."""

    def __init__(self, figures):
        self.figures = figures


def hospital_sheet(summary) -> Sheet:
    figures = figure_columns(lambda line: line.figures)
    return Sheet(
        title=_("各机构"),
        columns=[
            Column(_("排名"), lambda line: line.rank, width=6, kind="int"),
            Column(_("区域"), lambda line: line.hospital.region.name, width=12),
            Column(_("医疗机构"), lambda line: line.hospital.name, width=26, wrap=True),
            Column(_("等级"), lambda line: line.hospital.get_level_display(), width=8),
            *figures,
        ],
        rows=summary.hospitals,
        totals=[None, None, None, None]
        + [column.value(_Total(summary.total)) for column in figures],
        highlight=lambda line: line.figures.overdue > 0,
        subtitle=_("按整改率从高到低排名,整改率相同时逾期少者在前。"),
    )


def major_sheet(scope) -> Sheet:
    supervision, suspension, status = labels(SupervisionLevel), labels(Suspension), labels(Status)
    as_of = scope.as_of
    hazards = (
        major_open_at(scope_hazards(scope), as_of)
        .select_related("hospital", "hospital__region")
        .order_by("deadline_then", "found_on", "pk")
    )
    return Sheet(
        title=_("重大隐患"),
        columns=[
            Column(_("编号"), lambda h: h.code, width=18),
            Column(_("区域"), lambda h: h.hospital.region.name, width=12),
            Column(_("医疗机构"), lambda h: h.hospital.name, width=24),
            Column(_("排查时间"), lambda h: h.found_on, width=12, kind="date"),
            Column(_("部位"), lambda h: h.location, width=18, wrap=True),
            Column(_("隐患描述"), lambda h: h.description, width=40, wrap=True),
            Column(_("挂牌督办级别"), lambda h: supervision.get(h.supervision_level, ""), width=14),
            Column(_("督办文号"), lambda h: h.supervision_notice_no, width=16),
            Column(_("停业/停用整改"), lambda h: suspension.get(h.suspension, ""), width=12),
            Column(_("整改期限"), lambda h: h.deadline_then, width=12, kind="date"),
            Column(_("状态"), lambda h: status[h.status_then], width=10),
            Column(_("逾期天数"), lambda h: days_overdue_at(h, as_of) or None, width=9, kind="int"),
            Column(_("责任人"), lambda h: h.responsible_person, width=10),
        ],
        rows=hazards.iterator(chunk_size=CHUNK_SIZE),
        highlight=lambda h: days_overdue_at(h, as_of) > 0,
        subtitle=_("截至 %(date)s 尚未销号的重大隐患。") % {"date": as_of_date(as_of).isoformat()},
    )


def overdue_sheet(scope) -> Sheet:
    risk, missing = labels(RiskLevel), _("未提交")
    as_of = scope.as_of
    hazards = (
        overdue_at(scope_hazards(scope), as_of)
        .select_related("hospital", "hospital__region")
        .order_by("deadline_then", "pk")
    )
    return Sheet(
        title=_("逾期隐患"),
        columns=[
            Column(_("编号"), lambda h: h.code, width=18),
            Column(_("区域"), lambda h: h.hospital.region.name, width=12),
            Column(_("医疗机构"), lambda h: h.hospital.name, width=24),
            Column(_("排查时间"), lambda h: h.found_on, width=12, kind="date"),
            Column(_("部位"), lambda h: h.location, width=18, wrap=True),
            Column(_("隐患描述"), lambda h: h.description, width=40, wrap=True),
            Column(_("等级"), lambda h: risk[h.risk_level_then], width=10),
            Column(_("整改期限"), lambda h: h.deadline_then, width=12, kind="date"),
            Column(_("逾期天数"), lambda h: days_overdue_at(h, as_of), width=9, kind="int"),
            Column(_("责任科室"), lambda h: h.responsible_department, width=14),
            Column(_("责任人"), lambda h: h.responsible_person, width=10),
            Column(
                _("书面说明"),
                lambda h: h.overdue_explanation if h.has_current_explanation else missing,
                width=30,
                wrap=True,
            ),
        ],
        rows=hazards.iterator(chunk_size=CHUNK_SIZE),
        highlight=lambda h: True,
        subtitle=_("截至 %(date)s 超过整改期限仍未销号的隐患。")
        % {"date": as_of_date(as_of).isoformat()},
    )


def build(scope) -> WorkbookPlan:
    summary = summarise_scope(scope)
    security_rows = [line.security for line in summary.hospitals if line.security is not None]
    security_rows.sort(key=lambda row: (row.hospital.region.path, row.hospital.name))
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.QUARTERLY.label}",
        sheets=[
            region_sheet(summary),
            hospital_sheet(summary),
            major_sheet(scope),
            overdue_sheet(scope),
            security_status_sheet(security_rows, title=_("4+N 建设情况")),
        ],
    )

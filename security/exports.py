"""Excel output of the 4+N overview: the status matrix and the 通报 list (past deadline, not met).
One column spec per sheet; rows come from the same selectors as the page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.excel import Column, Sheet, workbook_bytes

from .selectors import Overview


def _cell_text(cell) -> str:
    text = cell.status_label
    if len(cell.parts) > 1:
        text += "(" + "、".join(f"{p.label}:{p.status_label}" for p in cell.parts) + ")"
    if cell.overdue:
        text += _("【逾期】")
    return text


def matrix_columns(overview: Overview) -> list[Column]:
    columns = [
        Column(_("医疗机构"), lambda r: r.hospital.name, width=28),
        Column(_("区域"), lambda r: r.hospital.region.name, width=10),
        Column(_("等级"), lambda r: r.hospital.get_level_display(), width=8),
    ]
    for position, rate in enumerate(overview.rates):
        columns.append(
            Column(
                f"{rate.number}. {rate.label}",
                lambda r, i=position: _cell_text(r.cells[i]),
                width=22,
                wrap=True,
            )
        )
    columns += [
        Column(_("N 项 已达标/总数"), lambda r: f"{r.custom_met}/{len(r.custom)}", width=14),
        Column(_("应配保安员"), lambda r: r.guards.requirement.required, kind="int"),
        Column(_("实有保安员"), lambda r: r.guards.actual, kind="int"),
        Column(_("持证保安员"), lambda r: r.guards.certified, kind="int"),
        Column(_("持证保安员缺口"), lambda r: r.guards.shortfall, kind="int"),
        Column(
            _("半年报送"),
            lambda r: (
                _("已报送")
                if r.report and r.report.is_submitted
                else (_("草稿") if r.report else _("未报送"))
            ),
            width=10,
        ),
    ]
    return columns


def notice_columns() -> list[Column]:
    return [
        Column(_("医疗机构"), lambda pair: pair[0].hospital.name, width=28),
        Column(_("区域"), lambda pair: pair[0].hospital.region.name, width=10),
        Column(_("项目"), lambda pair: f"{pair[1].number} {pair[1].label}", width=24),
        Column(_("期限"), lambda pair: pair[1].deadline, kind="date"),
        Column(_("逾期天数"), lambda pair: pair[1].days_late, kind="int"),
        Column(_("当前状态"), lambda pair: pair[1].status_label, width=10),
    ]


def overview_workbook(overview: Overview, *, scope: str, period: str) -> bytes:
    rates = Sheet(
        title=_("达标率"),
        columns=[
            Column(_("项目"), lambda r: f"{r.number}. {r.label}", width=28),
            Column(_("已达标"), lambda r: r.met, kind="int"),
            Column(_("覆盖医院"), lambda r: r.total, kind="int"),
            Column(_("达标率"), lambda r: r.met / r.total if r.total else 0, kind="percent"),
        ],
        rows=overview.rates + overview.part_rates,
    )
    matrix = Sheet(
        title=_("各医院达标情况"),
        columns=matrix_columns(overview),
        rows=overview.rows,
        highlight=lambda r: bool(r.overdue),
    )
    notice = Sheet(title=_("逾期未达标名单"), columns=notice_columns(), rows=overview.overdue)
    return workbook_bytes(
        [rates, matrix, notice],
        report_title=_("平安医院“4+N”建设进展"),
        scope=scope,
        period=period,
    )

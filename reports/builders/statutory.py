"""隐患排查治理情况统计表 (季度 / 年度): one line per hospital, per sub-region and the total, with
the sign-off sheet the principal signs (原国家安监总局令第16号 第十四条)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.excel import Column, Sheet

from ..choices import PeriodKind, ReportType
from ..models import StatutoryConfirmation
from ..statutory import LEGAL_BASIS, StatutoryFigures, due_date, statutory_table
from . import WorkbookPlan


def report_type_of(scope) -> str:
    if scope.period.kind == PeriodKind.YEAR:
        return ReportType.HAZARD_STATS_YEAR
    return ReportType.HAZARD_STATS_QUARTER


def figure_columns(value) -> list[Column]:
    """The 统计表 columns; `value(row)` gives a row's StatutoryFigures."""
    return [
        Column(_("一般隐患排查数(项)"), lambda r: value(r).general_found, width=11, kind="int"),
        Column(_("一般隐患已整改(项)"), lambda r: value(r).general_rectified, width=11, kind="int"),
        Column(_("一般隐患整改率"), lambda r: value(r).general_rate, width=10, kind="percent"),
        Column(_("重大隐患排查数(项)"), lambda r: value(r).major_found, width=11, kind="int"),
        Column(_("重大隐患已整改(项)"), lambda r: value(r).major_rectified, width=11, kind="int"),
        Column(_("列入治理计划(项)"), lambda r: value(r).major_planned, width=11, kind="int"),
        Column(_("落实治理资金(项)"), lambda r: value(r).major_funded, width=11, kind="int"),
        Column(_("重大隐患整改率"), lambda r: value(r).major_rate, width=10, kind="percent"),
        Column(_("重大隐患治理资金(元)"), lambda r: value(r).major_funds, width=14, kind="decimal"),
        Column(_("整改资金合计(元)"), lambda r: value(r).funds, width=14, kind="decimal"),
    ]


def _confirmation_text(scope, report_type: str, hospitals: list) -> str:
    confirmations = {
        c.hospital_id: c
        for c in StatutoryConfirmation.objects.filter(
            report_type=report_type,
            period_key=scope.period.key,
            hospital__in=[h.pk for h in hospitals],
        ).select_related("confirmed_by")
    }
    if scope.hospital is not None:
        confirmation = confirmations.get(scope.hospital.pk)
        if confirmation is None:
            return _("未确认")
        return _("%(name)s 于 %(at)s 确认") % {
            "name": confirmation.confirmed_by.display_name,
            "at": timezone.localtime(confirmation.confirmed_at).strftime("%Y-%m-%d %H:%M"),
        }
    missing = [h.name for h in hospitals if h.is_active and h.pk not in confirmations]
    text = _("已确认 %(done)d 家,共 %(total)d 家") % {
        "done": len(confirmations),
        "total": len([h for h in hospitals if h.is_active]),
    }
    if missing:
        text += _(";未确认:%(names)s") % {"names": "、".join(missing)}
    return text


def build(scope) -> WorkbookPlan:
    report_type = report_type_of(scope)
    table = statutory_table(scope)
    due = due_date(report_type, scope.period)
    title = f"{scope.period.label}{ReportType(report_type).label}"
    subtitle = _("报送期限:%(due)s    依据:%(basis)s") % {
        "due": due.isoformat(),
        "basis": LEGAL_BASIS,
    }

    rows: list[tuple[str, str, StatutoryFigures]] = [
        (line.hospital.region.name, line.hospital.name, line.figures) for line in table.hospitals
    ]
    rows.append(("", _("合计"), table.total))
    sheets = [
        Sheet(
            title=_("统计表"),
            subtitle=subtitle,
            columns=[
                Column(_("区域"), lambda r: r[0], width=12),
                Column(_("单位"), lambda r: r[1], width=26, wrap=True),
                *figure_columns(lambda r: r[2]),
            ],
            rows=rows,
            highlight=lambda r: r[1] == _("合计"),
        )
    ]
    if scope.hospital is None:
        region_rows = [(name, figures) for _region, name, figures in table.regions]
        region_rows.append((_("合计"), table.total))
        sheets.append(
            Sheet(
                title=_("分区域汇总"),
                subtitle=subtitle,
                columns=[
                    Column(_("区域"), lambda r: r[0], width=18),
                    *figure_columns(lambda r: r[1]),
                ],
                rows=region_rows,
                highlight=lambda r: r[0] == _("合计"),
            )
        )
    hospitals = [line.hospital for line in table.hospitals]
    blank = "____________________"
    sign_off = [
        (_("填报单位(盖章)"), scope.name),
        (_("单位主要负责人(签字)"), blank),
        (_("审核人"), blank),
        (_("填报人"), blank),
        (_("联系电话"), blank),
        (_("填报日期"), _("____年____月____日")),
        (_("报送期限"), due.isoformat()),
        (_("确认情况"), _confirmation_text(scope, report_type, hospitals)),
        (
            _("说明"),
            _("整改率 = 已整改 ÷ 排查数;数据为期间内排查发现的隐患,%(as_of)s。")
            % {"as_of": scope.as_of_text},
        ),
    ]
    sheets.append(
        Sheet(
            title=_("签章"),
            columns=[
                Column(_("项目"), lambda r: r[0], width=24),
                Column(_("内容"), lambda r: r[1], width=70, wrap=True),
            ],
            rows=sign_off,
        )
    )
    return WorkbookPlan(title=title, sheets=sheets)


def estimate_rows(scope) -> int:
    return scope.hospitals().count() + 20

"""信息周报/月报: the period's figures against the previous period of the same length."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.dates import as_of_date
from core.excel import Column, Sheet
from security.choices import ItemStatus
from security.models import ChecklistItem as SecurityItem

from ..choices import PeriodKind, ReportType
from ..scope import ReportScope
from ..selectors import Figures, ScopeSummary, summarise_scope
from . import WorkbookPlan
from .narrative import narrative_sheet


@dataclass
class PeriodFigures:
    """A period's figures as of its scope's instant: `summarise_scope` totals plus the 4+N items
    met in the period."""

    summary: ScopeSummary
    security_met: int

    def value(self, name: str):
        """A figure by name: `security_met`, or any `Figures` field/property of the total."""
        if name == "security_met":
            return self.security_met
        return getattr(self.summary.total, name)


def period_figures(scope: ReportScope) -> PeriodFigures:
    """THE figures of a 信息周报/月报 period: `summarise_scope` as of `scope.as_of`."""
    start, end = scope.period.start, scope.period.end
    return PeriodFigures(
        summary=summarise_scope(scope),
        security_met=SecurityItem.objects.filter(
            scope.hospital_filter(),
            status=ItemStatus.MET,
            met_on__gte=start,
            met_on__lte=min(end, as_of_date(scope.as_of)),
        ).count(),
    )


def _change(now, before):
    if now is None or before is None:
        return None
    return now - before


def _relative(now, before):
    if not before or now is None:
        return None
    return (Decimal(now - before) / Decimal(before)).quantize(Decimal("0.0001"))


def build(scope) -> WorkbookPlan:
    previous_scope = scope.with_period(scope.period.previous())
    now, before = period_figures(scope), period_figures(previous_scope)
    counts = [
        (_("新发现隐患(条)"), "found"),
        (_("其中:重大隐患(条)"), "major"),
        (_("其中:立查立改(条)"), "immediate"),
        (_("其中:已整改(条)"), "rectified"),
        (_("其中:逾期未整改(条)"), "overdue"),
        (_("本期整改销号(条)"), "closed"),
        (_("累计逾期未整改(条)"), "overdue_all"),
        (_("重大隐患未销号(条)"), "major_open"),
        (_("开展安全检查(次)"), "inspections"),
        (_("检查日应检(家次)"), "inspections_due"),
        (_("检查日已检(家次)"), "inspections_done"),
        (_("4+N 新达标项目(项)"), "security_met"),
    ]
    count_rows = [(label, now.value(attr), before.value(attr)) for label, attr in counts]
    rate_rows = [
        (_("整改率(本期发现)"), now.value("rate"), before.value("rate")),
        (_("检查日覆盖率"), now.value("coverage"), before.value("coverage")),
    ]
    kind_label = {
        PeriodKind.WEEK: _("周报"),
        PeriodKind.MONTH: _("月报"),
        PeriodKind.QUARTER: _("季报"),
        PeriodKind.HALF_YEAR: _("半年报"),
        PeriodKind.YEAR: _("年报"),
    }.get(scope.period.kind, _("专报"))
    header_now = _("本期(%(p)s)") % {"p": scope.period.label}
    header_before = _("上期(%(p)s)") % {"p": previous_scope.period.label}
    hospitals = by_hospital_sheet(now.summary, before.summary)
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.PROGRESS.label}({kind_label})",
        sheets=[
            Sheet(
                title=_("主要指标"),
                columns=[
                    Column(_("指标"), lambda r: r[0], width=24),
                    Column(header_now, lambda r: r[1], width=22, kind="int"),
                    Column(header_before, lambda r: r[2], width=22, kind="int"),
                    Column(_("增减"), lambda r: _change(r[1], r[2]), width=10, kind="int"),
                    Column(
                        _("变化幅度"), lambda r: _relative(r[1], r[2]), width=10, kind="percent"
                    ),
                ],
                rows=count_rows,
            ),
            Sheet(
                title=_("比率"),
                columns=[
                    Column(_("指标"), lambda r: r[0], width=24),
                    Column(header_now, lambda r: r[1], width=22, kind="percent"),
                    Column(header_before, lambda r: r[2], width=22, kind="percent"),
                    Column(
                        _("增减(百分点)"), lambda r: _change(r[1], r[2]), width=14, kind="percent"
                    ),
                ],
                rows=rate_rows,
            ),
            hospitals,
            # 工作开展情况 / 存在问题 / 下步打算 (the saved or pre-filled text): narrative.py
            narrative_sheet(scope, ReportType.PROGRESS, now.summary),
        ],
    )


def by_hospital_sheet(now: ScopeSummary, before: ScopeSummary) -> Sheet:
    previous = {line.hospital.pk: line.figures for line in before.hospitals}
    rows = []
    for line in sorted(now.hospitals, key=lambda ln: (ln.hospital.region.path, ln.hospital.name)):
        figures = line.figures
        rows.append(
            (
                line.hospital,
                figures.found,
                previous.get(line.hospital.pk, Figures()).found,
                figures.closed,
                figures.open_all,
                figures.overdue_all,
            )
        )
    return Sheet(
        title=_("各机构"),
        columns=[
            Column(_("区域"), lambda r: r[0].region.name, width=12),
            Column(_("医疗机构"), lambda r: r[0].name, width=26, wrap=True),
            Column(_("本期发现"), lambda r: r[1], width=10, kind="int", total="sum"),
            Column(_("上期发现"), lambda r: r[2], width=10, kind="int", total="sum"),
            Column(_("增减"), lambda r: r[1] - r[2], width=8, kind="int", total="sum"),
            Column(_("本期销号"), lambda r: r[3], width=10, kind="int", total="sum"),
            Column(_("未销号"), lambda r: r[4], width=8, kind="int", total="sum"),
            Column(_("其中逾期"), lambda r: r[5], width=10, kind="int", total="sum"),
        ],
        rows=rows,
        highlight=lambda r: r[5] > 0,
    )

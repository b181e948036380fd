"""The text sections (工作开展情况 / 存在问题 / 下步打算) of the 信息周报/月报 and the year-end
专项整治 summary: the saved text of the scope and period, else the text pre-filled from its
figures (`reports.narratives`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.excel import Column, Sheet

from ..choices import ReportType
from ..narratives import narrative_for
from ..selectors import ScopeSummary, summarise_scope
from . import WorkbookPlan


def narrative_sheet(scope, report_type: str, summary: ScopeSummary | None = None) -> Sheet:
    """One sheet: the three sections, one row each, text wrapped."""
    text = narrative_for(report_type, scope, summary)
    rows = [
        (_("一、工作开展情况"), text.work_done),
        (_("二、存在问题"), text.problems),
        (_("三、下步打算"), text.next_steps),
    ]
    return Sheet(
        title=_("工作情况"),
        columns=[
            Column(_("部分"), lambda r: r[0], width=18),
            Column(_("内容"), lambda r: r[1], width=90, wrap=True),
        ],
        rows=rows,
    )


def build_campaign_summary(scope) -> WorkbookPlan:
    """专项整治年度工作总结 (seed 001, due end of November): the text sections, the year's key
    figures and each hospital's line, as of `scope.as_of`."""
    summary = summarise_scope(scope)
    t = summary.total
    figures = [
        (_("开展检查(次)"), t.inspections, None),
        (_("发现隐患(条)"), t.found, None),
        (_("其中:重大隐患(条)"), t.major, None),
        (_("其中:立查立改(条)"), t.immediate, None),
        (_("已整改(条)"), t.rectified, t.rate),
        (_("逾期未整改(条)"), t.overdue, None),
        (_("累计逾期未整改(条)"), t.overdue_all, None),
        (_("重大隐患未销号(条)"), t.major_open, None),
        (_("检查日已检(家次)"), t.inspections_done, t.coverage),
        (_("检查日应检(家次)"), t.inspections_due, None),
    ]
    hospitals = sorted(
        summary.hospitals, key=lambda ln: (ln.hospital.region.path, ln.hospital.name)
    )
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.CAMPAIGN_SUMMARY.label}",
        sheets=[
            narrative_sheet(scope, ReportType.CAMPAIGN_SUMMARY, summary),
            Sheet(
                title=_("主要指标"),
                columns=[
                    Column(_("指标"), lambda r: r[0], width=24),
                    Column(_("数量"), lambda r: r[1], width=12, kind="int"),
                    Column(_("比率"), lambda r: r[2], width=12, kind="percent"),
                ],
                rows=figures,
            ),
            Sheet(
                title=_("各机构"),
                columns=[
                    Column(_("区域"), lambda r: r.hospital.region.name, width=12),
                    Column(_("医疗机构"), lambda r: r.hospital.name, width=26),
                    Column(
                        _("开展检查(次)"), lambda r: r.figures.inspections, width=10, kind="int"
                    ),
                    Column(_("发现隐患(条)"), lambda r: r.figures.found, width=10, kind="int"),
                    Column(_("已整改(条)"), lambda r: r.figures.rectified, width=10, kind="int"),
                    Column(_("整改率"), lambda r: r.figures.rate, width=10, kind="percent"),
                    Column(
                        _("累计逾期(条)"), lambda r: r.figures.overdue_all, width=10, kind="int"
                    ),
                ],
                rows=hospitals,
                highlight=lambda r: r.figures.overdue_all > 0,
            ),
        ],
    )

"""信息周报/月报: the period's figures against the previous period of the same length."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core.dates import today
from core.excel import Column, Sheet
from hazards.choices import OPEN_STATUSES, RectificationMode, RiskLevel
from hazards.selectors import overdue, rectification_rate
from inspections.selectors import submitted_inspections
from security.choices import ItemStatus
from security.models import ChecklistItem as SecurityItem

from ..choices import PeriodKind, ReportType
from ..scope import ReportScope
from ..selectors import coverage_by_hospital, scope_hazards
from . import WorkbookPlan


@dataclass
class PeriodFigures:
    found: int
    major: int
    immediate: int
    closed: int
    overdue: int
    inspections: int
    inspections_due: int
    inspections_done: int
    security_met: int
    rate: Decimal | None

    @property
    def coverage(self) -> Decimal | None:
        if not self.inspections_due:
            return None
        return (Decimal(self.inspections_done) / Decimal(self.inspections_due)).quantize(
            Decimal("0.0001")
        )


def period_figures(scope: ReportScope) -> PeriodFigures:
    start, end = scope.period.start, scope.period.end
    on = min(end, today())
    hazards = scope_hazards(scope)
    found = hazards.filter(found_on__gte=start, found_on__lte=end).aggregate(
        found=Count("pk"),
        major=Count("pk", filter=Q(risk_level=RiskLevel.MAJOR)),
        immediate=Count("pk", filter=Q(mode=RectificationMode.IMMEDIATE)),
    )
    figures = rectification_rate(hazards, (start, end), as_of=on)
    coverage = coverage_by_hospital(scope, on=on).values()
    return PeriodFigures(
        found=found["found"],
        major=found["major"],
        immediate=found["immediate"],
        closed=hazards.closed().filter(closed_on__gte=start, closed_on__lte=end).count(),
        overdue=overdue(hazards.filter(found_on__lte=end), on=on).count(),
        inspections=submitted_inspections(
            hospitals=scope.hospitals(), start=start, end=end
        ).count(),
        inspections_due=sum(due for _done, due in coverage),
        inspections_done=sum(done for done, _due in coverage),
        security_met=SecurityItem.objects.filter(
            **scope.hospital_filter(),
            status=ItemStatus.MET,
            met_on__gte=start,
            met_on__lte=end,
        ).count(),
        rate=figures.rate,
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
    previous_scope = ReportScope(
        region=scope.region, hospital=scope.hospital, period=scope.period.previous()
    )
    now, before = period_figures(scope), period_figures(previous_scope)
    counts = [
        (_("新发现隐患(条)"), "found"),
        (_("其中:重大隐患(条)"), "major"),
        (_("其中:立查立改(条)"), "immediate"),
        (_("本期整改销号(条)"), "closed"),
        (_("期末逾期未整改(条)"), "overdue"),
        (_("开展安全检查(次)"), "inspections"),
        (_("检查日应检(家次)"), "inspections_due"),
        (_("检查日已检(家次)"), "inspections_done"),
        (_("4+N 新达标项目(项)"), "security_met"),
    ]
    count_rows = [(label, getattr(now, attr), getattr(before, attr)) for label, attr in counts]
    rate_rows = [
        (_("整改率(本期发现)"), now.rate, before.rate),
        (_("检查日覆盖率"), now.coverage, before.coverage),
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
    hospitals = by_hospital_sheet(scope, previous_scope)
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
        ],
    )


def by_hospital_sheet(scope: ReportScope, previous_scope: ReportScope) -> Sheet:
    start, end = scope.period.start, scope.period.end
    prev_start = previous_scope.period.start
    on = min(end, today())
    hazards = scope_hazards(scope)
    grouped = {
        row["hospital_id"]: row
        for row in hazards.filter(found_on__gte=prev_start, found_on__lte=end)
        .order_by()
        .values("hospital_id")
        .annotate(
            found=Count("pk", filter=Q(found_on__gte=start)),
            found_before=Count("pk", filter=Q(found_on__lt=start)),
        )
    }
    closed = {
        row["hospital_id"]: row["n"]
        for row in hazards.closed()
        .filter(closed_on__gte=start, closed_on__lte=end)
        .order_by()
        .values("hospital_id")
        .annotate(n=Count("pk"))
    }
    open_now = {
        row["hospital_id"]: row
        for row in hazards.filter(status__in=OPEN_STATUSES, found_on__lte=end)
        .order_by()
        .values("hospital_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=on)))
    }
    rows = []
    for hospital in scope.hospitals().select_related("region").order_by("region__path", "name"):
        g = grouped.get(hospital.pk, {})
        o = open_now.get(hospital.pk, {})
        if not hospital.is_active and not (g or o):
            continue
        rows.append(
            (
                hospital,
                g.get("found", 0),
                g.get("found_before", 0),
                closed.get(hospital.pk, 0),
                o.get("n", 0),
                o.get("late", 0),
            )
        )
    return Sheet(
        title=_("各机构"),
        columns=[
            Column(_("区域"), lambda r: r[0].region.name, width=12),
            Column(_("医疗机构"), lambda r: r[0].name, width=26),
            Column(_("本期发现"), lambda r: r[1], width=10, kind="int"),
            Column(_("上期发现"), lambda r: r[2], width=10, kind="int"),
            Column(_("增减"), lambda r: r[1] - r[2], width=8, kind="int"),
            Column(_("本期销号"), lambda r: r[3], width=10, kind="int"),
            Column(_("未销号"), lambda r: r[4], width=8, kind="int"),
            Column(_("其中逾期"), lambda r: r[5], width=10, kind="int"),
        ],
        rows=rows,
        highlight=lambda r: r[5] > 0,
    )

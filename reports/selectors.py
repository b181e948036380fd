"""Figures for reports and dashboards, grouped so that a page or a workbook costs a fixed
number of queries however many hospitals it covers.

Every rule comes from the owning app: open / closed / overdue hazards from `hazards.selectors`
and the Hazard queryset, assignment state from `inspections.selectors.with_state`, 4+N status
from `security.selectors`. This module only groups and adds them up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from core.dates import today as local_today
from hazards.choices import Category, RectificationMode, RiskLevel
from hazards.models import Hazard
from hazards.selectors import format_rate, open_hazards, rectification_figures_by

from .scope import ReportScope


def ratio(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


@dataclass
class Figures:
    """The figures every report and the dashboard show for a hospital, a region or a scope."""

    found: int = 0
    rectified: int = 0
    overdue: int = 0
    open: int = 0
    major_open: int = 0
    immediate: int = 0
    inspections_due: int = 0
    inspections_done: int = 0
    security_met: int = 0
    security_total: int = 0
    hospitals: int = 0

    @property
    def rate(self) -> Decimal | None:
        """整改率 = rectified / found (None when nothing was found)."""
        return ratio(self.rectified, self.found)

    @property
    def rate_display(self) -> str:
        return format_rate(self.rate)

    @property
    def coverage(self) -> Decimal | None:
        return ratio(self.inspections_done, self.inspections_due)

    @property
    def coverage_display(self) -> str:
        return format_rate(self.coverage)

    @property
    def security_rate(self) -> Decimal | None:
        return ratio(self.security_met, self.security_total)

    def add(self, other: Figures) -> None:
        for name in (
            "found",
            "rectified",
            "overdue",
            "open",
            "major_open",
            "immediate",
            "inspections_due",
            "inspections_done",
            "security_met",
            "security_total",
            "hospitals",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def scope_hazards(scope: ReportScope):
    """Every hazard of the scope's hospitals (whatever the period)."""
    return Hazard.objects.filter(**scope.hospital_filter())


def period_hazards(scope: ReportScope):
    """Hazards found in the scope during the period."""
    return scope_hazards(scope).filter(
        found_on__gte=scope.period.start, found_on__lte=scope.period.end
    )


def _count_by(queryset, key: str) -> dict:
    return {
        row[key]: row["n"]
        for row in queryset.order_by().values(key).annotate(n=Count("pk", distinct=True))
    }


def hazard_figures_by_hospital(scope: ReportScope, *, on: dt.date | None = None) -> dict:
    """{hospital_id: Figures (hazard part)} for the period: 3 queries for any number of
    hospitals. Found/rectified/overdue/open are `hazards.selectors.rectification_figures_by`
    (hazards found in the period, as of `on`); open 重大隐患 are all of the scope's open major
    hazards found up to the period end."""
    on = on or local_today()
    rectification = rectification_figures_by(
        scope_hazards(scope),
        group_by="hospital_id",
        period=(scope.period.start, scope.period.end),
        as_of=on,
    )
    major_open = _count_by(
        open_hazards(scope_hazards(scope)).filter(
            risk_level=RiskLevel.MAJOR, found_on__lte=scope.period.end
        ),
        "hospital_id",
    )
    immediate = _count_by(
        period_hazards(scope).filter(mode=RectificationMode.IMMEDIATE), "hospital_id"
    )
    result: dict[int, Figures] = defaultdict(Figures)
    for hospital_id, figures in rectification.items():
        line = result[hospital_id]
        line.found, line.rectified = figures.found, figures.rectified
        line.overdue, line.open = figures.overdue, figures.open
    for key, source in (("major_open", major_open), ("immediate", immediate)):
        for hospital_id, n in source.items():
            setattr(result[hospital_id], key, n)
    return result


def coverage_by_hospital(scope: ReportScope, *, on: dt.date | None = None) -> dict:
    """{hospital_id: (done, due)} for the inspection days falling in the period:
    `inspections.selectors.coverage_by` grouped per hospital (one query)."""
    from inspections.selectors import coverage_by

    on = on or local_today()
    rows = coverage_by(
        scope.hospital or scope.region,
        group_by="hospital_id",
        days=(scope.period.start, scope.period.end),
        on=on,
    )
    return {hospital_id: (figures.done, figures.due) for hospital_id, figures in rows.items()}


def security_by_hospital(scope: ReportScope, *, on: dt.date | None = None) -> dict:
    """{hospital_id: OverviewRow} for the hospitals the 4+N plan covers (fixed queries)."""
    from security.selectors import build_rows

    return {row.hospital.pk: row for row in build_rows(scope.hospitals(), today=on)}


@dataclass
class HospitalLine:
    hospital: object
    figures: Figures
    rank: int | None = None
    security: object = None


@dataclass
class ScopeSummary:
    total: Figures
    hospitals: list[HospitalLine]
    regions: list[tuple[object, Figures]] = field(default_factory=list)


def summarise_scope(scope: ReportScope, *, on: dt.date | None = None) -> ScopeSummary:
    """Figures per hospital, per sub-region and for the whole scope, in a fixed number of
    queries. Hospitals are ranked by rectification rate (highest first), then overdue (fewest
    first), then found (most first)."""
    on = on or local_today()
    hazards = hazard_figures_by_hospital(scope, on=on)
    coverage = coverage_by_hospital(scope, on=on)
    security = security_by_hospital(scope, on=on)
    hospitals = list(scope.hospitals().select_related("region").order_by("region__path", "name"))
    lines = []
    for hospital in hospitals:
        figures = hazards.get(hospital.pk) or Figures()
        done, due = coverage.get(hospital.pk, (0, 0))
        figures.inspections_done, figures.inspections_due = done, due
        row = security.get(hospital.pk)
        if row is not None:
            figures.security_met, figures.security_total = row.items_met, row.items_total
        figures.hospitals = 1
        if not hospital.is_active and not (figures.found or figures.open or due):
            continue
        lines.append(HospitalLine(hospital, figures, security=row))
    ranked = sorted(
        lines,
        key=lambda line: (
            line.figures.rate is None,
            -(line.figures.rate or 0),
            line.figures.overdue,
            -line.figures.found,
            line.hospital.name,
        ),
    )
    for position, line in enumerate(ranked, start=1):
        line.rank = position
    total = Figures()
    for line in lines:
        total.add(line.figures)
    regions = []
    children = scope.child_regions()
    for region in children:
        figures = Figures()
        for line in lines:
            if line.hospital.region.path.startswith(region.path):
                figures.add(line.figures)
        regions.append((region, region.name, figures))
    if children != [scope.region]:
        # Hospitals attached to the region itself (e.g. city hospitals, 市直) get their own row
        # so the sub-region rows add up to the total.
        direct = [line for line in lines if line.hospital.region_id == scope.region.pk]
        if direct:
            figures = Figures()
            for line in direct:
                figures.add(line.figures)
            regions.append(
                (scope.region, _("%(name)s(本级)") % {"name": scope.region.name}, figures)
            )
    return ScopeSummary(total=total, hospitals=ranked, regions=regions)


def category_counts(scope: ReportScope) -> list[tuple[str, str, int, int]]:
    """(category value, label, found, open) for hazards found in the period (one query):
    `hazards.selectors.rectification_figures_by` grouped per category."""
    rows = rectification_figures_by(
        scope_hazards(scope),
        group_by="category",
        period=(scope.period.start, scope.period.end),
    )
    return [
        (value, str(label), rows[value].found, rows[value].open)
        for value, label in Category.choices
        if value in rows
    ]

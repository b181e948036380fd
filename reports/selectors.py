"""Figures for reports and dashboards, grouped so that a page or a workbook costs a fixed
number of queries however many hospitals it covers.

One period rule: every figure of a `ReportScope` is computed as of `scope.as_of` (the end of
the period, or now while it runs — `reports.periods.as_of_for`). Every rule comes from the
owning app: found / rectified / open / overdue / major hazards from `hazards.selectors`
(`hazard_figures_by`), inspection-day coverage from `inspections.selectors.coverage_by`, 4+N
status from `security.selectors.build_rows`. This module only groups and adds them up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from core.dates import as_of_date
from hazards.choices import Category
from hazards.models import Hazard
from hazards.selectors import format_rate, hazard_figures_by

from .scope import ReportScope


def ratio(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


@dataclass
class Figures:
    """The figures every report and the dashboard show for a hospital, a region or a scope."""

    found: int = 0  # found in the period
    rectified: int = 0  # of those, closed out by the as-of date
    overdue: int = 0  # of those, open and past the deadline in force at the as-of instant
    open: int = 0  # of those, not closed out by the as-of date
    major: int = 0  # of those, 重大 at the as-of instant
    immediate: int = 0  # of those, 立查立改
    major_open: int = 0  # backlog: every open 重大隐患 found up to the as-of date
    overdue_all: int = 0  # backlog: every overdue hazard found up to the as-of date
    open_all: int = 0  # backlog: every hazard found up to the as-of date and still open then
    closed: int = 0  # close-outs dated in the period (whatever the found date)
    inspections: int = 0  # inspections done in the period and submitted by the as-of instant
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
        for name in FIGURE_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


# Every field of Figures is a count: adding two lines adds each (derived, so a new figure can
# never be left out of the totals).
FIGURE_NAMES = tuple(f.name for f in fields(Figures))


def scope_hazards(scope: ReportScope):
    """Every hazard of the scope's hospitals (whatever the period)."""
    return Hazard.objects.filter(**scope.hospital_filter())


def period_hazards(scope: ReportScope):
    """Hazards found in the scope during the period (and by the as-of date)."""
    return scope_hazards(scope).filter(
        found_on__gte=scope.period.start,
        found_on__lte=min(scope.period.end, as_of_date(scope.as_of)),
    )


HAZARD_FIGURES = (
    "found",
    "rectified",
    "overdue",
    "open",
    "major",
    "immediate",
    "major_open",
    "overdue_all",
    "open_all",
    "closed",
)


def hazard_figures_by_hospital(scope: ReportScope) -> dict:
    """{hospital_id: Figures (hazard part)} of the period as of `scope.as_of`: one query for any
    number of hospitals (`hazards.selectors.hazard_figures_by`)."""
    grouped = hazard_figures_by(
        scope_hazards(scope),
        group_by="hospital_id",
        period=(scope.period.start, scope.period.end),
        as_of=scope.as_of,
    )
    result: dict[int, Figures] = defaultdict(Figures)
    for hospital_id, figures in grouped.items():
        line = result[hospital_id]
        for name in HAZARD_FIGURES:
            setattr(line, name, getattr(figures, name))
    return result


def coverage_by_hospital(scope: ReportScope) -> dict:
    """{hospital_id: (done, due)} for the inspection days falling in the period, as of
    `scope.as_of`: `inspections.selectors.coverage_by` grouped per hospital (one query)."""
    from inspections.selectors import coverage_by

    rows = coverage_by(
        scope.hospital or scope.region,
        group_by="hospital_id",
        days=(scope.period.start, scope.period.end),
        as_of=scope.as_of,
    )
    return {hospital_id: (figures.done, figures.due) for hospital_id, figures in rows.items()}


def inspections_by_hospital(scope: ReportScope) -> dict:
    """{hospital_id: inspections carried out in the period and submitted by `scope.as_of`}."""
    from inspections.selectors import submitted_inspections

    rows = (
        submitted_inspections(
            hospitals=scope.hospitals(),
            start=scope.period.start,
            end=scope.period.end,
            as_of=scope.as_of,
        )
        .order_by()
        .values("hospital_id")
        .annotate(n=Count("pk"))
    )
    return {row["hospital_id"]: row["n"] for row in rows}


def security_by_hospital(scope: ReportScope) -> dict:
    """{hospital_id: OverviewRow} for the hospitals the 4+N plan covers (fixed queries), on the
    as-of date."""
    from security.selectors import build_rows

    rows = build_rows(scope.hospitals(), today=as_of_date(scope.as_of))
    return {row.hospital.pk: row for row in rows}


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


def summarise_scope(scope: ReportScope) -> ScopeSummary:
    """THE figures of a scope's period as of `scope.as_of`, per hospital, per sub-region and for
    the whole scope, in a fixed number of queries. Dashboards, league tables and every report
    take their figures from here. Hospitals are ranked by rectification rate (highest first),
    then overdue (fewest first), then found (most first)."""
    hazards = hazard_figures_by_hospital(scope)
    coverage = coverage_by_hospital(scope)
    inspections = inspections_by_hospital(scope)
    security = security_by_hospital(scope)
    hospitals = list(scope.hospitals().select_related("region").order_by("region__path", "name"))
    lines = []
    for hospital in hospitals:
        figures = hazards.get(hospital.pk) or Figures()
        done, due = coverage.get(hospital.pk, (0, 0))
        figures.inspections_done, figures.inspections_due = done, due
        figures.inspections = inspections.get(hospital.pk, 0)
        row = security.get(hospital.pk)
        if row is not None:
            figures.security_met, figures.security_total = row.items_met, row.items_total
        figures.hospitals = 1
        if not hospital.is_active and not (
            figures.found or figures.open_all or figures.closed or due
        ):
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
    """(category value, label, found, open) for hazards found in the period, as of
    `scope.as_of` (one query): `hazards.selectors.hazard_figures_by` grouped per category."""
    rows = hazard_figures_by(
        scope_hazards(scope),
        group_by="category",
        period=(scope.period.start, scope.period.end),
        as_of=scope.as_of,
    )
    return [
        (value, str(label), rows[value].found, rows[value].open)
        for value, label in Category.choices
        if value in rows and rows[value].found
    ]

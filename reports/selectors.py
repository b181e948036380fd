"""Figures for reports and dashboards, grouped so that a page or a workbook costs a fixed
number of queries however many hospitals it covers.

One period rule: every figure of a `ReportScope` is computed as of `scope.as_of` (the end of
the period, or now while it runs — `reports.periods.as_of_for`). Every rule comes from the
owning app: found / rectified / open / overdue / major hazards from `hazards.selectors`
(`hazard_figures_by`), inspection-day coverage from `inspections.selectors.coverage_by`, 4+N
status from `security.selectors.build_rows`. This module only groups and adds them up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from core.dates import add_months, as_of_date
from hazards.choices import Category
from hazards.models import Hazard
from hazards.selectors import format_rate, hazard_figures_by
from hospitals.models import Hospital, Region
from inspections.selectors import coverage_by, submitted_inspections
from security.selectors import OverviewRow, build_rows

from .scope import ReportScope

F = TypeVar("F", bound="_Addable")


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
        mine, theirs = self.__dict__, other.__dict__  # a province adds 2,000 lines twice
        for name in FIGURE_NAMES:
            mine[name] += theirs[name]


# Every field of Figures is a count: adding two lines adds each (derived, so a new figure can
# never be left out of the totals).
FIGURE_NAMES = tuple(f.name for f in fields(Figures))


def scope_hazards(scope: ReportScope) -> QuerySet[Hazard]:
    """Every hazard of the scope's hospitals (whatever the period)."""
    return Hazard.objects.filter(scope.hospital_filter())


def period_hazards(scope: ReportScope) -> QuerySet[Hazard]:
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


def hazard_figures_by_hospital(
    scope: ReportScope, hospitals: QuerySet[Hospital] | None = None
) -> dict[int, Figures]:
    """{hospital_id: Figures (hazard part)} of the period as of `scope.as_of`: one query for any
    number of hospitals (`hazards.selectors.hazard_figures_by`). `hospitals` (a queryset of the
    scope's hospitals) narrows it."""
    hazards = scope_hazards(scope)
    if hospitals is not None:
        hazards = hazards.filter(hospital__in=hospitals)
    grouped = hazard_figures_by(
        hazards,
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


def coverage_by_hospital(
    scope: ReportScope, hospitals: QuerySet[Hospital] | None = None
) -> dict[int, tuple[int, int]]:
    """{hospital_id: (done, due)} for the inspection days falling in the period, as of
    `scope.as_of`: `inspections.selectors.coverage_by` grouped per hospital (one query)."""

    rows = coverage_by(
        scope.hospitals() if hospitals is None else hospitals,
        group_by="hospital_id",
        days=(scope.period.start, scope.period.end),
        as_of=scope.as_of,
    )
    return {hospital_id: (figures.done, figures.due) for hospital_id, figures in rows.items()}


def inspections_by_hospital(
    scope: ReportScope, hospitals: QuerySet[Hospital] | None = None
) -> dict[int, int]:
    """{hospital_id: inspections carried out in the period and submitted by `scope.as_of`}."""

    rows = (
        submitted_inspections(
            hospitals=scope.hospitals() if hospitals is None else hospitals,
            start=scope.period.start,
            end=scope.period.end,
            as_of=scope.as_of,
        )
        .order_by()
        .values("hospital_id")
        .annotate(n=Count("pk"))
    )
    return {row["hospital_id"]: row["n"] for row in rows}


def security_by_hospital(
    scope: ReportScope, hospitals: QuerySet[Hospital] | None = None
) -> dict[int, OverviewRow]:
    """{hospital_id: OverviewRow} for the hospitals the 4+N plan covers (fixed queries), on the
    as-of date."""

    rows = build_rows(
        scope.hospitals() if hospitals is None else hospitals, today=as_of_date(scope.as_of)
    )
    return {row.hospital.pk: row for row in rows}


@dataclass
class HospitalLine:
    hospital: Hospital
    figures: Figures
    rank: int | None = None
    security: OverviewRow | None = None


@dataclass
class ScopeSummary:
    total: Figures
    hospitals: list[HospitalLine]
    # (region, its row label, its figures): the sub-regions, then the region's own hospitals.
    regions: list[tuple[Region, str, Figures]] = field(default_factory=list)


def figures_by_hospital(
    scope: ReportScope, hospital_ids: Iterable[int] | None = None
) -> tuple[dict[int, Figures], dict[int, OverviewRow]]:
    """THE per-hospital figures of a scope's period as of `scope.as_of` — ({hospital_id:
    Figures} for every hospital of the scope, or of `hospital_ids` among them; {hospital_id:
    4+N OverviewRow}) — in a fixed number of queries. `summarise_scope` adds them up; the
    stored figure runs (`reports.snapshots`) keep exactly these lines."""
    hospitals = scope.hospitals()
    if hospital_ids is not None:
        hospitals = hospitals.filter(pk__in=list(hospital_ids))
    hazards = hazard_figures_by_hospital(scope, hospitals)
    coverage = coverage_by_hospital(scope, hospitals)
    inspections = inspections_by_hospital(scope, hospitals)
    security = security_by_hospital(scope, hospitals)
    result: dict[int, Figures] = {}
    for hospital_id in hospitals.order_by().values_list("pk", flat=True):
        figures = hazards.get(hospital_id) or Figures()
        figures.inspections_done, figures.inspections_due = coverage.get(hospital_id, (0, 0))
        figures.inspections = inspections.get(hospital_id, 0)
        row = security.get(hospital_id)
        if row is not None:
            figures.security_met, figures.security_total = row.items_met, row.items_total
        figures.hospitals = 1
        result[hospital_id] = figures
    return result, security


def summarise_scope(scope: ReportScope) -> ScopeSummary:
    """THE figures of a scope's period as of `scope.as_of`, per hospital, per sub-region and for
    the whole scope, in a fixed number of queries. Dashboards, league tables and every report
    take their figures from here (or from a stored run of the same lines, `reports.snapshots`)."""
    figures, security = figures_by_hospital(scope)
    return assemble_summary(scope, figures, security)


def assemble_summary(
    scope: ReportScope,
    figures: dict[int, Figures],
    security: dict[int, OverviewRow] | None = None,
    hospitals: Iterable[Hospital] | None = None,
) -> ScopeSummary:
    """The ScopeSummary of per-hospital `figures` ({hospital_id: Figures}): hospitals ranked by
    rectification rate (highest first), then overdue (fewest first), then found (most first);
    totals per sub-region (by where each hospital is now) and for the scope. `hospitals`: the
    scope's hospitals in (region path, name) order, if the caller has read them already."""
    security = security or {}
    if hospitals is None:
        hospitals = list(
            scope.hospitals().select_related("region").order_by("region__path", "name")
        )
    lines: list[HospitalLine] = []
    for hospital in hospitals:
        line_figures = figures.get(hospital.pk)
        if line_figures is None:
            line_figures = Figures(hospitals=1)
        if not hospital.is_active and not (
            line_figures.found
            or line_figures.open_all
            or line_figures.closed
            or line_figures.inspections_due
        ):
            continue
        lines.append(HospitalLine(hospital, line_figures, security=security.get(hospital.pk)))
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
    total, regions = region_totals(scope, lines, Figures)
    return ScopeSummary(total=total, hospitals=ranked, regions=regions)


class _Addable(Protocol):
    def add(self, other: Any, /) -> None: ...


class _Line(Protocol):
    @property
    def hospital(self) -> Hospital: ...

    @property
    def figures(self) -> Any: ...


def region_totals(
    scope: ReportScope, lines: Sequence[_Line], new: Callable[[], F]
) -> tuple[F, list[tuple[Region, str, F]]]:
    """The total of `lines` (each a hospital and its figures, which `add`) and a row per
    sub-region of the scope (by where each hospital is now), for the dashboard's summary and
    the statutory table alike. `new()`: empty figures of the lines' kind."""
    total = new()
    for line in lines:
        total.add(line.figures)
    regions: list[tuple[Region, str, F]] = []
    children = scope.child_regions()
    for region in children:
        region_figures = new()
        for line in lines:
            if region.contains(line.hospital.region):
                region_figures.add(line.figures)
        regions.append((region, region.name, region_figures))
    if children != [scope.region]:
        # Hospitals attached to the region itself (e.g. city hospitals, 市直) get their own row
        # so the sub-region rows add up to the total.
        direct = [line for line in lines if line.hospital.region_id == scope.region.pk]
        if direct:
            region_figures = new()
            for line in direct:
                region_figures.add(line.figures)
            regions.append(
                (scope.region, _("%(name)s(本级)") % {"name": scope.region.name}, region_figures)
            )
    return total, regions


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


def trend_months(on: dt.date, months: int = 12) -> list[dt.date]:
    """The first days of the `months` months up to the date `on`."""
    first = dt.date(*add_months(on.year, on.month, -(months - 1)), 1)
    return [dt.date(*add_months(first.year, first.month, i), 1) for i in range(months)]


def monthly_counts(
    hazards: QuerySet[Hazard], months: list[dt.date], on: dt.date, *, by: str | None = None
) -> dict[tuple[Any, ...], int]:
    """{("found"|"closed", month[, by value]): n} — hazards found and closed out per month
    within `months` up to `on` (2 queries). THE trend rule (live and stored figures)."""
    result: dict[tuple[Any, ...], int] = {}
    for date_field in ("found_on", "closed_on"):
        grouped = ("month",) if by is None else ("month", by)
        rows = (
            hazards.filter(**{f"{date_field}__gte": months[0], f"{date_field}__lte": on})
            .annotate(month=TruncMonth(date_field))
            .order_by()
            .values(*grouped)
            .annotate(n=Count("pk"))
        )
        kind = date_field.removesuffix("_on")
        for row in rows:
            month = row["month"]
            if isinstance(month, dt.datetime):
                month = month.date()
            key = (kind, month) if by is None else (kind, month, row[by])
            result[key] = row["n"]
    return result


def trend_of(months: list[dt.date], counts: dict[tuple[Any, ...], int]) -> dict[str, list[Any]]:
    return {
        "labels": [f"{k.year}-{k.month:02d}" for k in months],
        "found": [counts.get(("found", k), 0) for k in months],
        "closed": [counts.get(("closed", k), 0) for k in months],
    }

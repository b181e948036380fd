"""Reads of the 4+N plan: which plan governs a hospital, which hospitals it covers, each
hospital's checklist with deadlines, the region overview, and summaries other apps use.

Overdue and due-soon are computed here from the plan's deadlines and today's date; nothing is a
stored flag. Every function that takes a set of hospitals issues a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from core.dates import half_year_bounds
from core.dates import today as local_today
from hospitals.models import Hospital, Region

from .choices import (
    ITEM_NUMBERS,
    PLAN_ITEMS,
    STANDARD_KINDS,
    STATUS_COLOURS,
    STATUS_ICONS,
    ItemKind,
    ItemStatus,
    ReportStatus,
)
from .models import (
    COVERED_LEVELS,
    PLAN_DEFAULTS,
    AlarmDrill,
    ChecklistItem,
    Entrance,
    GuardPost,
    HalfYearReport,
    SecurityPlan,
    SecurityProfile,
    VideoSystem,
)
from .staffing import (
    EQUIPMENT_FIELDS,
    GuardRequirement,
    equipment_totals,
    post_equipment,
    required_guards,
)

# ---------------------------------------------------------------------------------------------
# Plans and coverage


def default_plan() -> SecurityPlan:
    """The plan of a region tree that has not defined one: the seed-004 defaults."""
    plan = SecurityPlan(**PLAN_DEFAULTS)
    plan.include_ids = frozenset()
    plan.exclude_ids = frozenset()
    return plan


def _region_ids(region: Region) -> list[int]:
    """Nearest first: the region itself, then its parent, … (from the materialised path)."""
    return list(reversed(region.ancestor_ids))


class PlanIndex:
    """All plans in memory (one per region at most, a small table): resolves the governing plan
    and coverage of any number of hospitals without further queries."""

    def __init__(self, plans: Iterable[SecurityPlan]):
        self.by_region = {plan.region_id: plan for plan in plans}
        self._default = default_plan()

    @classmethod
    def load(cls) -> PlanIndex:
        plans = SecurityPlan.objects.select_related("region").prefetch_related(
            Prefetch("include_hospitals", queryset=Hospital.objects.only("id")),
            Prefetch("exclude_hospitals", queryset=Hospital.objects.only("id")),
        )
        loaded = []
        for plan in plans:
            plan.include_ids = frozenset(h.pk for h in plan.include_hospitals.all())
            plan.exclude_ids = frozenset(h.pk for h in plan.exclude_hospitals.all())
            loaded.append(plan)
        return cls(loaded)

    def for_region(self, region: Region) -> SecurityPlan:
        for region_id in _region_ids(region):
            if region_id in self.by_region:
                return self.by_region[region_id]
        return self._default

    def for_hospital(self, hospital: Hospital) -> SecurityPlan:
        return self.for_region(hospital.region)

    def covers(self, hospital: Hospital) -> bool:
        plan = self.for_hospital(hospital)
        if hospital.pk in plan.exclude_ids:
            return False
        if hospital.pk in plan.include_ids:
            return True
        return hospital.is_active and hospital.level in COVERED_LEVELS


def plan_for_region(region: Region) -> SecurityPlan:
    """The plan that applies in a region: its own, else the nearest ancestor's, else defaults."""
    return PlanIndex.load().for_region(region)


def plan_for_hospital(hospital: Hospital) -> SecurityPlan:
    return PlanIndex.load().for_hospital(hospital)


def covered_hospitals(hospitals, index: PlanIndex | None = None) -> list[Hospital]:
    """The hospitals of a queryset that the governing 4+N plan covers (region loaded)."""
    index = index or PlanIndex.load()
    return [
        h
        for h in hospitals.select_related("region").order_by("region__path", "name")
        if index.covers(h)
    ]


def hospital_is_covered(hospital: Hospital) -> bool:
    return PlanIndex.load().covers(hospital)


# ---------------------------------------------------------------------------------------------
# One hospital's checklist


@dataclass
class ItemState:
    kind: str
    number: str
    label: str
    status: str
    deadline: dt.date | None
    today: dt.date
    item: ChecklistItem | None = None

    @property
    def is_met(self) -> bool:
        return self.status == ItemStatus.MET

    @property
    def days_left(self) -> int | None:
        """Days until the deadline (negative = days late); None when there is no deadline."""
        if self.deadline is None:
            return None
        return (self.deadline - self.today).days

    @property
    def days_late(self) -> int:
        left = self.days_left
        return -left if left is not None and left < 0 else 0

    @property
    def is_overdue(self) -> bool:
        return not self.is_met and self.days_left is not None and self.days_left < 0

    @property
    def colour(self) -> str:
        if self.is_overdue:
            return "danger"
        return STATUS_COLOURS[self.status]

    @property
    def icon(self) -> str:
        return STATUS_ICONS[self.status]

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)

    @property
    def met_on(self) -> dt.date | None:
        return self.item.met_on if self.item else None


def _state(kind, item, plan, today) -> ItemState:
    if kind == ItemKind.CUSTOM:
        return ItemState(kind, "N", item.name, item.status, item.target_date, today, item)
    return ItemState(
        kind,
        ITEM_NUMBERS[kind],
        str(ItemKind(kind).label),
        item.status if item else ItemStatus.NOT_STARTED,
        plan.deadline_for(kind),
        today,
        item,
    )


def checklist_states(
    hospital: Hospital, items: Iterable[ChecklistItem], plan: SecurityPlan, today=None
) -> tuple[list[ItemState], list[ItemState]]:
    """(standard item states in plan order, N item states). A standard item without a row yet
    is 未启动."""
    today = today or local_today()
    standard = {}
    custom = []
    for item in items:
        if item.kind == ItemKind.CUSTOM:
            custom.append(_state(ItemKind.CUSTOM, item, plan, today))
        else:
            standard[item.kind] = item
    return (
        [_state(kind, standard.get(kind), plan, today) for kind in STANDARD_KINDS],
        custom,
    )


def combined_status(states: list[ItemState]) -> str:
    """Status of a plan item made of parts (item 3): met only when every part is met."""
    statuses = [s.status for s in states]
    if all(s == ItemStatus.MET for s in statuses):
        return ItemStatus.MET
    if all(s in (ItemStatus.MET, ItemStatus.PENDING) for s in statuses):
        return ItemStatus.PENDING
    if any(s != ItemStatus.NOT_STARTED for s in statuses):
        return ItemStatus.IN_PROGRESS
    return ItemStatus.NOT_STARTED


@dataclass
class PlanItemCell:
    number: str
    label: str
    status: str
    overdue: bool
    parts: list[ItemState]

    @property
    def colour(self) -> str:
        return "danger" if self.overdue else STATUS_COLOURS[self.status]

    @property
    def icon(self) -> str:
        return STATUS_ICONS[self.status]

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)

    @property
    def is_met(self) -> bool:
        return self.status == ItemStatus.MET


def plan_item_cells(standard: list[ItemState]) -> list[PlanItemCell]:
    by_kind = {s.kind: s for s in standard}
    cells = []
    for number, label, kinds in PLAN_ITEMS:
        parts = [by_kind[k] for k in kinds]
        cells.append(
            PlanItemCell(
                number,
                str(label),
                combined_status(parts),
                any(p.is_overdue for p in parts),
                parts,
            )
        )
    return cells


def hospital_beds(hospital: Hospital) -> int:
    """Beds for the 1-per-20 term: actual open beds (实有床位), else authorised (编制床位)."""
    return hospital.beds_actual or hospital.beds_authorized or 0


def guard_requirement(hospital: Hospital, plan: SecurityPlan) -> GuardRequirement:
    """Computed from the hospital's current figures every time: never stored."""
    return required_guards(
        hospital.on_duty_staff, hospital_beds(hospital), hospital.daily_outpatients, plan.ratios
    )


@dataclass
class GuardSituation:
    requirement: GuardRequirement
    actual: int
    certified: int

    @property
    def shortfall(self) -> int:
        return max(self.requirement.required - self.actual, 0)

    @property
    def uncertified(self) -> int:
        return max(self.actual - self.certified, 0)

    @property
    def certified_shortfall(self) -> int:
        """Guards still needed who hold the 国家保安员证 (the plan asks for certified guards)."""
        return max(self.requirement.required - self.certified, 0)


def guard_situation(hospital: Hospital, plan: SecurityPlan, profile=None) -> GuardSituation:
    if profile is None:
        profile = SecurityProfile.objects.filter(hospital=hospital).first()
    return GuardSituation(
        guard_requirement(hospital, plan),
        profile.full_time_guards if profile else 0,
        profile.certified_guards if profile else 0,
    )


def equipment_situation(hospital: Hospital):
    """([(post, its gear lines)], totals per equipment kind) for the hospital's posts."""
    pairs = [
        (p, post_equipment(p.name, p.guards_on_duty, {f: getattr(p, f) for f in EQUIPMENT_FIELDS}))
        for p in GuardPost.objects.filter(hospital=hospital).order_by("id")
    ]
    return pairs, equipment_totals(equipment for _post, equipment in pairs)


@dataclass
class FacilitySituation:
    entrances: list
    entrances_short: list
    alarm_points: list
    alarm_points_offline: list
    videos: list
    videos_short: list
    retention_minimum: int
    profile: SecurityProfile | None


def facility_situation(hospital: Hospital, plan: SecurityPlan) -> FacilitySituation:
    entrances = list(Entrance.objects.filter(hospital=hospital))
    points = list(hospital.alarm_points.all())
    videos = list(VideoSystem.objects.filter(hospital=hospital))
    minimum = plan.video_retention_days
    return FacilitySituation(
        entrances,
        [e for e in entrances if e.missing],
        points,
        [p for p in points if not p.networked],
        videos,
        [v for v in videos if v.retention_days < minimum],
        minimum,
        SecurityProfile.objects.filter(hospital=hospital).first(),
    )


# ---------------------------------------------------------------------------------------------
# Region overview (constant number of queries)


@dataclass
class OverviewRow:
    hospital: Hospital
    plan: SecurityPlan
    standard: list[ItemState]
    custom: list[ItemState]
    cells: list[PlanItemCell]
    guards: GuardSituation
    report: HalfYearReport | None = None

    @property
    def overdue(self) -> list[ItemState]:
        return [s for s in self.standard + self.custom if s.is_overdue]

    @property
    def items_total(self) -> int:
        return len(self.standard) + len(self.custom)

    @property
    def items_met(self) -> int:
        return sum(1 for s in self.standard + self.custom if s.is_met)

    @property
    def custom_met(self) -> int:
        return sum(1 for s in self.custom if s.is_met)


@dataclass
class ItemRate:
    number: str
    label: str
    met: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.met / self.total, 1) if self.total else 0.0


@dataclass
class Overview:
    rows: list[OverviewRow]
    rates: list[ItemRate]
    part_rates: list[ItemRate]
    overdue: list[tuple[OverviewRow, ItemState]]
    guards_required: int
    guards_actual: int
    guards_certified: int
    guards_shortfall: int
    hospitals_short_of_guards: int
    custom_total: int
    custom_met: int
    reports_submitted: int
    period: tuple[int, int] | None = None
    pending_review: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def covered(self) -> int:
        return len(self.rows)

    @property
    def items_total(self) -> int:
        return sum(r.items_total for r in self.rows)

    @property
    def items_met(self) -> int:
        return sum(r.items_met for r in self.rows)


def build_rows(
    hospitals, *, today=None, period: tuple[int, int] | None = None
) -> list[OverviewRow]:
    """One OverviewRow per covered hospital in the queryset. Queries: hospitals, plans (3),
    checklist items, security profiles, and the period's reports: 7 whatever the size."""
    today = today or local_today()
    index = PlanIndex.load()
    covered = covered_hospitals(hospitals, index)
    ids = [h.pk for h in covered]
    items_by_hospital = defaultdict(list)
    for item in ChecklistItem.objects.filter(hospital_id__in=ids).order_by("id"):
        items_by_hospital[item.hospital_id].append(item)
    profiles = {p.hospital_id: p for p in SecurityProfile.objects.filter(hospital_id__in=ids)}
    reports = {}
    if period:
        reports = {
            r.hospital_id: r
            for r in HalfYearReport.objects.filter(
                hospital_id__in=ids, year=period[0], half=period[1]
            )
        }
    rows = []
    for hospital in covered:
        plan = index.for_hospital(hospital)
        standard, custom = checklist_states(hospital, items_by_hospital[hospital.pk], plan, today)
        profile = profiles.get(hospital.pk)
        guards = GuardSituation(
            guard_requirement(hospital, plan),
            profile.full_time_guards if profile else 0,
            profile.certified_guards if profile else 0,
        )
        rows.append(
            OverviewRow(
                hospital,
                plan,
                standard,
                custom,
                plan_item_cells(standard),
                guards,
                reports.get(hospital.pk),
            )
        )
    return rows


def summarise(rows: list[OverviewRow], *, period=None) -> Overview:
    rates = []
    for position, (number, label, _kinds) in enumerate(PLAN_ITEMS):
        met = sum(1 for r in rows if r.cells[position].is_met)
        rates.append(ItemRate(number, str(label), met, len(rows)))
    part_rates = []
    for position, kind in enumerate(STANDARD_KINDS):
        met = sum(1 for r in rows if r.standard[position].is_met)
        part_rates.append(ItemRate(ITEM_NUMBERS[kind], str(ItemKind(kind).label), met, len(rows)))
    overdue = [(row, state) for row in rows for state in row.overdue]
    overdue.sort(key=lambda pair: (pair[1].deadline, pair[0].hospital.name))
    return Overview(
        rows=rows,
        rates=rates,
        part_rates=part_rates,
        overdue=overdue,
        guards_required=sum(r.guards.requirement.required for r in rows),
        guards_actual=sum(r.guards.actual for r in rows),
        guards_certified=sum(r.guards.certified for r in rows),
        guards_shortfall=sum(r.guards.shortfall for r in rows),
        hospitals_short_of_guards=sum(1 for r in rows if r.guards.shortfall),
        custom_total=sum(len(r.custom) for r in rows),
        custom_met=sum(r.custom_met for r in rows),
        reports_submitted=sum(1 for r in rows if r.report and r.report.is_submitted),
        period=period,
        pending_review=sum(
            1 for r in rows for s in r.standard + r.custom if s.status == ItemStatus.PENDING
        ),
    )


def region_overview(hospitals, *, today=None, period=None) -> Overview:
    """The bureau's overview of a (scoped) hospital queryset."""
    return summarise(build_rows(hospitals, today=today, period=period), period=period)


# ---------------------------------------------------------------------------------------------
# Selectors for other apps (reports, reminders). They take an already scoped hospital queryset.


def security_status_summary(hospitals, *, today=None) -> dict:
    """4+N status of a scope: covered hospitals, items met / total, per-item percentages,
    overdue items, guard totals. `hospitals` is a Hospital queryset already scoped by the caller
    (e.g. `Hospital.objects.visible_to(user)` or `.in_region(region)`)."""
    overview = region_overview(hospitals, today=today)
    return {
        "covered_hospitals": overview.covered,
        "items_total": overview.items_total,
        "items_met": overview.items_met,
        "items_percent": round(100 * overview.items_met / overview.items_total, 1)
        if overview.items_total
        else 0.0,
        "plan_items": [
            {
                "number": r.number,
                "label": r.label,
                "met": r.met,
                "total": r.total,
                "percent": r.percent,
            }
            for r in overview.rates
        ],
        "standard_items": [
            {
                "number": r.number,
                "label": r.label,
                "met": r.met,
                "total": r.total,
                "percent": r.percent,
            }
            for r in overview.part_rates
        ],
        "custom_total": overview.custom_total,
        "custom_met": overview.custom_met,
        "overdue_items": len(overview.overdue),
        "hospitals_overdue": len({row.hospital.pk for row, _s in overview.overdue}),
        "guards_required": overview.guards_required,
        "guards_actual": overview.guards_actual,
        "guards_certified": overview.guards_certified,
        "guards_shortfall": overview.guards_shortfall,
        "hospitals_short_of_guards": overview.hospitals_short_of_guards,
    }


def guard_shortfalls(hospitals) -> list[dict]:
    """Covered hospitals with fewer full-time guards than required, largest shortfall first."""
    rows = build_rows(hospitals)
    result = [
        {
            "hospital": r.hospital,
            "required": r.guards.requirement.required,
            "deciding": r.guards.requirement.deciding,
            "actual": r.guards.actual,
            "certified": r.guards.certified,
            "shortfall": r.guards.shortfall,
        }
        for r in rows
        if r.guards.shortfall
    ]
    result.sort(key=lambda d: (-d["shortfall"], d["hospital"].name))
    return result


def overdue_items(hospitals, *, today=None) -> list[tuple[Hospital, ItemState]]:
    """(hospital, item) pairs past their deadline and not met: the 通报 list."""
    rows = build_rows(hospitals, today=today)
    return [(row.hospital, state) for row in rows for state in row.overdue]


def items_past_deadline(*, hospitals=None, today=None) -> list[tuple[Hospital, ItemState]]:
    """For reminders: every not-met item (standard or N) whose deadline has passed."""
    return overdue_items(
        hospitals if hospitals is not None else Hospital.objects.all(), today=today
    )


def items_due_within(days: int, *, hospitals=None, today=None) -> list[tuple[Hospital, ItemState]]:
    """For reminders: not-met items whose deadline is today or within `days` days."""
    today = today or local_today()
    rows = build_rows(hospitals if hospitals is not None else Hospital.objects.all(), today=today)
    return [
        (row.hospital, state)
        for row in rows
        for state in row.standard + row.custom
        if not state.is_met and state.days_left is not None and 0 <= state.days_left <= days
    ]


def half_year_of(date: dt.date) -> tuple[int, int]:
    return date.year, 1 if date.month <= 6 else 2


def report_due_date(year: int, half: int) -> dt.date:
    """A half-year's report is due by the last day of that half-year."""
    return half_year_bounds(year, half)[1]


def previous_half_year(year: int, half: int) -> tuple[int, int]:
    return (year, 1) if half == 2 else (year - 1, 2)


def half_year_reports_missing(year: int, half: int, *, hospitals=None) -> list[Hospital]:
    """Covered hospitals that have not submitted their report for the half-year."""
    hospitals = hospitals if hospitals is not None else Hospital.objects.all()
    covered = covered_hospitals(hospitals)
    submitted = set(
        HalfYearReport.objects.filter(
            hospital_id__in=[h.pk for h in covered],
            year=year,
            half=half,
            status=ReportStatus.SUBMITTED,
        ).values_list("hospital_id", flat=True)
    )
    return [h for h in covered if h.pk not in submitted]


# ---------------------------------------------------------------------------------------------
# Alarm drills


@dataclass
class DrillStats:
    count: int
    best: int | None
    median: float | None
    latest: int | None


def _stats(values: list[int], latest: int | None = None) -> DrillStats:
    if not values:
        return DrillStats(0, None, None, None)
    return DrillStats(len(values), min(values), statistics.median(values), latest)


def alarm_drill_stats(hospitals) -> DrillStats:
    """Best and median response (seconds) over every drill of the hospitals (e.g. a region)."""
    values = list(
        AlarmDrill.objects.filter(hospital__in=hospitals).values_list("response_seconds", flat=True)
    )
    return _stats(values)


def alarm_drill_trend(hospital: Hospital) -> list[AlarmDrill]:
    return list(
        AlarmDrill.objects.filter(hospital=hospital)
        .select_related("alarm_point")
        .order_by("date", "id")
    )

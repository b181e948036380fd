"""Reads of the 4+N plan: which plan governs a hospital, which hospitals it covers, each
hospital's checklist with deadlines, the region overview, and summaries other apps use.

Overdue and due-soon are computed here from the plan's deadlines and today's date; nothing is a
stored flag. Every function that takes a set of hospitals issues a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import half_year_bounds
from core.dates import today as local_today
from core.figures import cached_figures
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
    THRESHOLD_FIELDS,
    AlarmDrill,
    AlarmPoint,
    ChecklistItem,
    Entrance,
    GuardPost,
    HalfYearReport,
    ItemEvent,
    PlanVersion,
    SecurityPlan,
    SecurityProfile,
    VideoSystem,
    version_in_force,
)
from .rules import GuardSituation, HospitalFacts, shortfalls
from .staffing import (
    EQUIPMENT_FIELDS,
    EquipmentLine,
    GuardRequirement,
    PostEquipment,
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

    def __init__(self, plans: Iterable[SecurityPlan]) -> None:
        self.by_region = {plan.region_id: plan for plan in plans}
        self._default = default_plan()

    @classmethod
    def load(cls, on: dt.date | None = None) -> PlanIndex:
        """Every plan with the thresholds of its version in force on `on` (default today):
        the rules, deadlines and guard ratios read them off the plan, so a figure as of a past
        date uses the values then in force. A plan without versions (made before versions
        existed and not migrated) keeps its own values."""
        on = on or local_today()
        plans = SecurityPlan.objects.select_related("region").prefetch_related(
            Prefetch("include_hospitals", queryset=Hospital.objects.only("id")),
            Prefetch("exclude_hospitals", queryset=Hospital.objects.only("id")),
            Prefetch("versions", queryset=PlanVersion.objects.order_by("effective_from")),
        )
        loaded = []
        for plan in plans:
            plan.include_ids = frozenset(h.pk for h in plan.include_hospitals.all())
            plan.exclude_ids = frozenset(h.pk for h in plan.exclude_hospitals.all())
            plan.version = version_in_force(list(plan.versions.all()), on)
            if plan.version is not None:
                for name, value in plan.version.values().items():
                    setattr(plan, name, value)
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


def plan_in_force(region: Region, on: dt.date) -> SecurityPlan:
    """The plan that applies in a region with the thresholds in force on `on`."""
    return PlanIndex.load(on).for_region(region)


@dataclass
class ThresholdChange:
    label: str
    old: object
    new: object


@dataclass
class VersionChanges:
    version: PlanVersion
    previous: PlanVersion | None
    changes: list[ThresholdChange]


def plan_version_changes(plan: SecurityPlan) -> list[VersionChanges]:
    """Each version of a plan, oldest first, with the thresholds it changed from the version
    before it (the first version changes nothing: it is where the plan starts). One query."""
    versions = list(plan.versions.order_by("effective_from")) if plan.pk else []
    result = []
    previous = None
    for version in versions:
        changes: list[ThresholdChange] = []
        if previous is not None:
            for name in THRESHOLD_FIELDS:
                old, new = getattr(previous, name), getattr(version, name)
                if old != new:
                    label = str(getattr(PlanVersion._meta.get_field(name), "verbose_name", name))
                    changes.append(ThresholdChange(label, old, new))
        result.append(VersionChanges(version, previous, changes))
        previous = version
    return result


def plan_for_hospital(hospital: Hospital) -> SecurityPlan:
    return PlanIndex.load().for_hospital(hospital)


def covered_hospitals(
    hospitals: QuerySet[Hospital], index: PlanIndex | None = None
) -> list[Hospital]:
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
    # Why the hospital's records say this item is short (security.rules.shortfalls).
    shortfalls: list[str] = field(default_factory=list)
    met_on_as_of: dt.date | None = None

    @property
    def is_met(self) -> bool:
        """Confirmed 已达标 by the bureau (the recorded finding)."""
        return self.status == ItemStatus.MET

    @property
    def contradicted(self) -> bool:
        """Confirmed, but the records now say short (e.g. guards left after confirmation)."""
        return self.is_met and bool(self.shortfalls)

    @property
    def is_achieved(self) -> bool:
        """What every figure counts as met: confirmed AND nothing short by the computed rule."""
        return self.is_met and not self.shortfalls

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
        if self.contradicted:
            return "warning"
        return STATUS_COLOURS[self.status]

    @property
    def icon(self) -> str:
        return "bi-exclamation-triangle" if self.contradicted else STATUS_ICONS[self.status]

    @property
    def status_label(self) -> str:
        label = str(ItemStatus(self.status).label)
        if self.contradicted:
            return _("%(status)s(核算不足)") % {"status": label}
        return label

    @property
    def met_on(self) -> dt.date | None:
        if not self.is_met:
            return None
        return self.met_on_as_of or (self.item.met_on if self.item else None)


def _state(
    kind: str,
    item: ChecklistItem | None,
    plan: SecurityPlan,
    today: dt.date,
    facts: HospitalFacts | None = None,
    status: str | None = None,
) -> ItemState:
    if kind == ItemKind.CUSTOM:
        assert item is not None  # an N item is its row
        return ItemState(kind, "N", item.name, status or item.status, item.target_date, today, item)
    return ItemState(
        kind,
        ITEM_NUMBERS[kind],
        str(ItemKind(kind).label),
        status or (item.status if item else ItemStatus.NOT_STARTED),
        plan.deadline_for(kind),
        today,
        item,
        shortfalls(kind, facts),
    )


def checklist_states(
    hospital: Hospital,
    items: Iterable[ChecklistItem],
    plan: SecurityPlan,
    today: dt.date | None = None,
    facts: HospitalFacts | None = None,
    statuses: dict[int, str] | None = None,
) -> tuple[list[ItemState], list[ItemState]]:
    """(standard item states in plan order, N item states). A standard item without a row yet
    is 未启动. With `facts` each standard state carries the computed shortfalls; `statuses`
    (item id → status) overrides the stored status (the status as of a past date)."""
    today = today or local_today()
    statuses = statuses or {}
    standard: dict[str, ChecklistItem] = {}
    custom: list[ItemState] = []
    for item in items:
        if item.kind == ItemKind.CUSTOM:
            custom.append(_state(ItemKind.CUSTOM, item, plan, today, status=statuses.get(item.pk)))
        else:
            standard[item.kind] = item
    states = []
    for kind in STANDARD_KINDS:
        row = standard.get(kind)
        states.append(_state(kind, row, plan, today, facts, statuses.get(row.pk) if row else None))
    return states, custom


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
        if self.overdue:
            return "danger"
        return "warning" if self.contradicted else STATUS_COLOURS[self.status]

    @property
    def icon(self) -> str:
        return "bi-exclamation-triangle" if self.contradicted else STATUS_ICONS[self.status]

    @property
    def status_label(self) -> str:
        label = str(ItemStatus(self.status).label)
        if self.contradicted:
            return _("%(status)s(核算不足)") % {"status": label}
        return label

    @property
    def is_met(self) -> bool:
        return self.status == ItemStatus.MET

    @property
    def is_achieved(self) -> bool:
        """Met and nothing short by the computed rule, for every part (what figures count)."""
        return all(p.is_achieved for p in self.parts)

    @property
    def contradicted(self) -> bool:
        return self.is_met and not self.is_achieved


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


def guard_situation(
    hospital: Hospital, plan: SecurityPlan, profile: SecurityProfile | None = None
) -> GuardSituation:
    if profile is None:
        profile = SecurityProfile.objects.filter(hospital=hospital).first()
    return _guards(hospital, plan, profile)


def _guards(
    hospital: Hospital, plan: SecurityPlan, profile: SecurityProfile | None
) -> GuardSituation:
    return GuardSituation(
        guard_requirement(hospital, plan),
        profile.certified_guards if profile else 0,
        profile.uncertified_guards if profile else 0,
    )


def equipment_situation(
    hospital: Hospital,
) -> tuple[list[tuple[GuardPost, PostEquipment]], list[EquipmentLine]]:
    """([(post, its gear lines)], totals per equipment kind) for the hospital's posts."""
    pairs = [(p, _post_equipment(p)) for p in GuardPost.objects.filter(hospital=hospital)]
    return pairs, equipment_totals(equipment for _post, equipment in pairs)


def _post_equipment(post: GuardPost) -> PostEquipment:
    return post_equipment(
        post.name, post.guards_on_duty, {f: getattr(post, f) for f in EQUIPMENT_FIELDS}
    )


def hospital_facts_for(hospitals: list[Hospital], index: PlanIndex) -> dict[int, HospitalFacts]:
    """The records behind the computed rules (security.rules) for many hospitals: five
    queries whatever their number. The per-hospital page and the overview both use it, so a
    hospital's figures are the same wherever they are shown."""
    ids = [h.pk for h in hospitals]
    profiles = {p.hospital_id: p for p in SecurityProfile.objects.filter(hospital_id__in=ids)}
    grouped: dict[str, dict[int, list]] = {}
    for name, model in (
        ("posts", GuardPost),
        ("entrances", Entrance),
        ("alarm_points", AlarmPoint),
        ("videos", VideoSystem),
    ):
        rows = defaultdict(list)
        for record in model.objects.filter(hospital_id__in=ids).order_by("id"):
            rows[record.hospital_id].append(record)
        grouped[name] = rows
    facts = {}
    for hospital in hospitals:
        plan = index.for_hospital(hospital)
        profile = profiles.get(hospital.pk)
        facts[hospital.pk] = HospitalFacts(
            guards=_guards(hospital, plan, profile),
            posts=[_post_equipment(p) for p in grouped["posts"][hospital.pk]],
            entrances=grouped["entrances"][hospital.pk],
            alarm_points=grouped["alarm_points"][hospital.pk],
            videos=grouped["videos"][hospital.pk],
            retention_minimum=plan.video_retention_days,
            profile=profile,
        )
    return facts


def hospital_facts(hospital: Hospital, index: PlanIndex | None = None) -> HospitalFacts:
    return hospital_facts_for([hospital], index or PlanIndex.load())[hospital.pk]


def item_shortfalls(item: ChecklistItem) -> list[str]:
    """Why the records say this checklist item is short now ([] for N items)."""
    if item.is_custom:
        return []
    return shortfalls(item.kind, hospital_facts(item.hospital))


def facility_situation(hospital: Hospital, plan: SecurityPlan | None = None) -> HospitalFacts:
    """Items 2–4 records of one hospital (entrances, alarm points, videos, profile)."""
    return hospital_facts(hospital)


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
    facts: HospitalFacts | None = None

    @property
    def overdue(self) -> list[ItemState]:
        return [s for s in self.standard + self.custom if s.is_overdue]

    @property
    def items_total(self) -> int:
        return len(self.standard) + len(self.custom)

    @property
    def items_met(self) -> int:
        """Items counted as met: confirmed and not short by the computed rule."""
        return sum(1 for s in self.standard + self.custom if s.is_achieved)

    @property
    def contradicted(self) -> list[ItemState]:
        return [s for s in self.standard if s.contradicted]

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


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def statuses_as_of(
    items: list[ChecklistItem], day: dt.date
) -> dict[int, tuple[str, dt.date | None]]:
    """Item id → (status, date it became met or None) at the end of `day`, replayed from the
    ItemEvent history: the last status change up to then; before the first change, the status
    that change started from. An item with no status events keeps its stored status (the
    history does not say otherwise). One query."""
    end = _end_of(day)
    before: dict[int, tuple[str, dt.datetime, dt.date | None]] = {}
    first_after: dict[int, str] = {}
    events = (
        ItemEvent.objects.filter(item_id__in=[i.pk for i in items])
        .exclude(to_status="")
        .order_by("at", "id")
        .values_list("item_id", "from_status", "to_status", "at", "met_on")
    )
    for item_id, from_status, to_status, at, met_on in events:
        if at < end:
            before[item_id] = (to_status, at, met_on)
        elif item_id not in first_after:
            first_after[item_id] = from_status or ItemStatus.NOT_STARTED
    result: dict[int, tuple[str, dt.date | None]] = {}
    for item in items:
        if item.pk in before:
            status, at, met_on = before[item.pk]
            if status != ItemStatus.MET:
                met_on = None
            elif met_on is None:  # confirmed before events kept the date
                met_on = item.met_on or timezone.localdate(at)
            result[item.pk] = (status, met_on)
        elif item.pk in first_after:
            result[item.pk] = (first_after[item.pk], None)
        elif item.created_at and item.created_at >= end:
            result[item.pk] = (ItemStatus.NOT_STARTED, None)
    return result


def build_rows(
    hospitals: QuerySet[Hospital],
    *,
    today: dt.date | None = None,
    period: tuple[int, int] | None = None,
) -> list[OverviewRow]:
    """One OverviewRow per covered hospital in the queryset, as of `today` (default: now).

    For a past date the item statuses are replayed from the ItemEvent history and N items
    created later are left out. The records behind the computed rules (guards, posts,
    entrances, alarm points, videos) have no history: a past date shows today's records and
    does not mark confirmed items as contradicted by them.

    Queries: hospitals, plans (3), checklist items, records (5), the period's reports, plus the
    event history for a past date — a fixed number whatever the size."""
    real_today = local_today()
    today = today or real_today
    past = today < real_today
    index = PlanIndex.load(today)
    covered = covered_hospitals(hospitals, index)
    ids = [h.pk for h in covered]
    items = list(ChecklistItem.objects.filter(hospital_id__in=ids).order_by("id"))
    as_of: dict[int, tuple[str, dt.date | None]] = {}
    if past:
        end = _end_of(today)
        items = [i for i in items if not (i.is_custom and i.created_at and i.created_at >= end)]
        as_of = statuses_as_of(items, today)
    items_by_hospital: defaultdict[int, list[ChecklistItem]] = defaultdict(list)
    for item in items:
        items_by_hospital[item.hospital_id].append(item)
    facts = hospital_facts_for(covered, index)
    reports: dict[int, HalfYearReport] = {}
    if period:
        reports = {
            r.hospital_id: r
            for r in HalfYearReport.objects.filter(
                hospital_id__in=ids, year=period[0], half=period[1]
            )
        }
    statuses = {pk: status for pk, (status, _met_on) in as_of.items()}
    rows = []
    for hospital in covered:
        plan = index.for_hospital(hospital)
        hospital_facts_ = facts[hospital.pk]
        standard, custom = checklist_states(
            hospital,
            items_by_hospital[hospital.pk],
            plan,
            today,
            facts=None if past else hospital_facts_,
            statuses=statuses,
        )
        for state in standard + custom:
            if state.item is not None and state.item.pk in as_of:
                state.met_on_as_of = as_of[state.item.pk][1]
        rows.append(
            OverviewRow(
                hospital,
                plan,
                standard,
                custom,
                plan_item_cells(standard),
                hospital_facts_.guards,
                reports.get(hospital.pk),
                hospital_facts_,
            )
        )
    return rows


def summarise(rows: list[OverviewRow], *, period: tuple[int, int] | None = None) -> Overview:
    rates = []
    for position, (number, label, _kinds) in enumerate(PLAN_ITEMS):
        met = sum(1 for r in rows if r.cells[position].is_achieved)
        rates.append(ItemRate(number, str(label), met, len(rows)))
    part_rates = []
    for position, kind in enumerate(STANDARD_KINDS):
        met = sum(1 for r in rows if r.standard[position].is_achieved)
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


def region_overview(
    hospitals: QuerySet[Hospital],
    *,
    today: dt.date | None = None,
    period: tuple[int, int] | None = None,
) -> Overview:
    """The bureau's overview of a (scoped) hospital queryset."""
    return summarise(build_rows(hospitals, today=today, period=period), period=period)


# ---------------------------------------------------------------------------------------------
# The overview at province scale: figures per hospital (from the rows above: one rule), summed
# by sub-region; full rows are built only for the page of hospitals shown.


@dataclass(frozen=True)
class HospitalFigures:
    """One covered hospital's figures, taken from its OverviewRow (the same rule as the
    per-hospital page): what the sub-region table sums and the filters and sorts read."""

    pk: int
    name: str
    region_path: str
    items_met: int
    items_total: int
    overdue: int
    pending: int
    guard_shortfall: int
    report_submitted: bool

    @property
    def met_ratio(self) -> float:
        return self.items_met / self.items_total if self.items_total else 0


def hospital_figures(row: OverviewRow) -> HospitalFigures:
    return HospitalFigures(
        row.hospital.pk,
        row.hospital.name,
        row.hospital.region.path,
        row.items_met,
        row.items_total,
        len(row.overdue),
        sum(1 for s in row.standard + row.custom if s.status == ItemStatus.PENDING),
        row.guards.shortfall,
        bool(row.report and row.report.is_submitted),
    )


@dataclass
class RegionFigures:
    """A sub-region's line in the overview: the sum of its hospitals' HospitalFigures."""

    region: Region | None  # None: the whole scope's own line
    covered: int = 0
    items_met: int = 0
    items_total: int = 0
    overdue: int = 0
    short_of_guards: int = 0
    reports_submitted: int = 0

    @property
    def percent(self) -> float:
        return round(100 * self.items_met / self.items_total, 1) if self.items_total else 0.0

    indices: list[int] = field(default_factory=list, repr=False)

    def total(self, figures: FiguresTable) -> None:
        """Sum the hospitals at `indices` of the table."""
        c, idx = figures.columns, self.indices
        self.covered = len(idx)
        self.items_met = sum(c["items_met"][i] for i in idx)
        self.items_total = sum(c["items_total"][i] for i in idx)
        self.overdue = sum(c["overdue"][i] for i in idx)
        self.short_of_guards = sum(1 for i in idx if c["guard_shortfall"][i])
        self.reports_submitted = sum(1 for i in idx if c["report_submitted"][i])


class FiguresTable:
    """Many hospitals' HospitalFigures stored by column (lists of ints and strings): cached and
    read on every request, it unpickles into a dozen objects instead of thousands, and the
    filters, sorts and sub-region sums run over indices."""

    COLUMNS = tuple(HospitalFigures.__dataclass_fields__)

    def __init__(self, figures: Iterable[HospitalFigures] = ()) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in self.COLUMNS}
        for f in figures:
            self.append(f)

    def append(self, f: HospitalFigures) -> None:
        for name, column in self.columns.items():
            column.append(getattr(f, name))

    def __len__(self) -> int:
        return len(self.columns["pk"])

    def __getitem__(self, i: int) -> HospitalFigures:
        return HospitalFigures(*(self.columns[name][i] for name in self.COLUMNS))

    def __iter__(self) -> Iterator[HospitalFigures]:
        return (self[i] for i in range(len(self)))

    def select(self, *, q: str = "", attention: str = "", sort: str = "") -> list[int]:
        """Indices of the hospitals kept by the overview's filters, in the sort asked for
        (default: region, then name — the order they were added in)."""
        c = self.columns
        keep: Iterable[int] = range(len(self))
        if q:
            keep = [i for i in keep if q in c["name"][i]]
        if attention == "overdue":
            keep = [i for i in keep if c["overdue"][i]]
        elif attention == "pending":
            keep = [i for i in keep if c["pending"][i]]
        elif attention == "guards":
            keep = [i for i in keep if c["guard_shortfall"][i]]
        elif attention == "no_report":
            keep = [i for i in keep if not c["report_submitted"][i]]
        kept = list(keep)
        met, total = c["items_met"], c["items_total"]
        if sort == "met":
            kept.sort(key=lambda i: met[i] / total[i] if total[i] else 0)
        elif sort == "overdue":
            kept.sort(key=lambda i: -c["overdue"][i])
        elif sort == "guards":
            kept.sort(key=lambda i: -c["guard_shortfall"][i])
        elif sort == "name":
            kept.sort(key=lambda i: c["name"][i])
        return kept

    def pks(self, indices: Iterable[int]) -> list[int]:
        return [self.columns["pk"][i] for i in indices]


@dataclass
class OverviewSummary:
    """What the overview page shows of a whole scope, small enough to cache: the totals of
    `summarise`, one HospitalFigures per hospital, the first overdue and all pending items."""

    rates: list[ItemRate]
    covered: int
    items_met: int
    items_total: int
    overdue_count: int
    overdue: list[tuple[SimpleNamespace, SimpleNamespace]]  # (hospital, item), first 50
    pending: list[tuple[SimpleNamespace, SimpleNamespace]]  # (row, item), the oldest 10
    guards_required: int
    guards_actual: int
    guards_certified: int
    guards_shortfall: int
    hospitals_short_of_guards: int
    reports_submitted: int
    pending_review: int
    figures: FiguresTable
    computed_at: dt.datetime | None = None


def _slim_state(state: ItemState) -> SimpleNamespace:
    item = state.item
    return SimpleNamespace(
        kind=state.kind,
        number=state.number,
        label=state.label,
        deadline=state.deadline,
        days_late=state.days_late,
        colour=state.colour,
        icon=state.icon,
        status_label=state.status_label,
        is_overdue=state.is_overdue,
        item=SimpleNamespace(pk=item.pk, submitted_at=item.submitted_at or item.updated_at)
        if item is not None
        else None,
    )


def overview_summary(
    hospitals: QuerySet[Hospital],
    *,
    period: tuple[int, int] | None = None,
    today: dt.date | None = None,
) -> OverviewSummary:
    """The overview figures of a scope from build_rows/summarise (one home for the rule),
    without the rows. A fixed number of queries."""

    rows = build_rows(hospitals, today=today, period=period)
    data = summarise(rows, period=period)

    def slim_row(row: OverviewRow) -> SimpleNamespace:
        return SimpleNamespace(hospital=SimpleNamespace(pk=row.hospital.pk, name=row.hospital.name))

    pending = [
        (row, state)
        for row in rows
        for state in row.standard + row.custom
        if state.status == ItemStatus.PENDING
    ]

    def submitted(pair: tuple[OverviewRow, ItemState]) -> dt.datetime:
        item = pair[1].item
        assert item is not None  # only an item with a row can be pending
        return item.submitted_at or item.updated_at

    pending.sort(key=submitted)
    return OverviewSummary(
        rates=data.rates,
        covered=data.covered,
        items_met=data.items_met,
        items_total=data.items_total,
        overdue_count=len(data.overdue),
        overdue=[(slim_row(r), _slim_state(s)) for r, s in data.overdue[:50]],
        pending=[(slim_row(r), _slim_state(s)) for r, s in pending[:10]],
        guards_required=data.guards_required,
        guards_actual=data.guards_actual,
        guards_certified=data.guards_certified,
        guards_shortfall=data.guards_shortfall,
        hospitals_short_of_guards=data.hospitals_short_of_guards,
        reports_submitted=data.reports_submitted,
        pending_review=data.pending_review,
        figures=FiguresTable(hospital_figures(r) for r in rows),
        computed_at=timezone.now(),
    )


def figures_by_subregion(
    figures: FiguresTable, region: Region | None, children: Iterable[Region]
) -> list[RegionFigures]:
    """Sums of the hospitals' figures per child region of `region` (in path order); hospitals
    attached to `region` itself get a line of their own (本级), first."""
    own = RegionFigures(region)
    lines: list[RegionFigures] = []
    by_path: dict[str, RegionFigures] = {}
    for child in children:
        lines.append(RegionFigures(child))
        by_path[child.path] = lines[-1]
    depth = len(region.path) if region is not None else 0
    paths = figures.columns["region_path"]
    for i in range(len(figures)):
        path = paths[i]
        # The child's path is the hospital region's path cut after one more "/<id>/" segment.
        cut = path.find("/", depth + 1 if depth else 1)
        line = by_path.get(path[: cut + 1]) if cut >= 0 else None
        (line or own).indices.append(i)
    for line in [own, *lines]:
        line.total(figures)
    return ([own] if own.covered else []) + [line for line in lines if line.covered]


OVERVIEW_VERSION_KEY = "security:overview:version"


def overview_version() -> int:
    """Moves with every save or delete of a record the overview's figures read (signals wired
    in SecurityConfig.ready): a cached summary is replaced as soon as one changes."""

    return cache.get(OVERVIEW_VERSION_KEY, 0)


def bump_overview_version(**_kwargs: Any) -> None:
    try:
        cache.incr(OVERVIEW_VERSION_KEY)
    except ValueError:
        cache.set(OVERVIEW_VERSION_KEY, 1, None)


def cached_overview_summary(
    what: str,
    hospitals: QuerySet[Hospital],
    *,
    period: tuple[int, int] | None,
    seconds: int,
) -> OverviewSummary:
    """overview_summary of a large scope, cached per (what, data version, `seconds` bucket):
    a change through the ORM gives a new key at once; the bucket bounds what bypasses signals
    (bulk writes, `update()`)."""

    return cached_figures(
        f"security overview {what}",
        (overview_version(), int(time.time()) // max(seconds, 1)),
        lambda: overview_summary(hospitals, period=period),
    )


def rows_for(
    hospital_ids: list[int], *, period: tuple[int, int] | None = None
) -> list[OverviewRow]:
    """Full rows for just these hospitals (a page), in the order given."""
    rows = {
        r.hospital.pk: r
        for r in build_rows(Hospital.objects.filter(pk__in=hospital_ids), period=period)
    }
    return [rows[pk] for pk in hospital_ids if pk in rows]


# ---------------------------------------------------------------------------------------------
# Selectors for other apps (reports, reminders). They take an already scoped hospital queryset.


def security_status_summary(
    hospitals: QuerySet[Hospital], *, today: dt.date | None = None
) -> dict[str, Any]:
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


def guard_shortfalls(hospitals: QuerySet[Hospital]) -> list[dict[str, Any]]:
    """Covered hospitals with fewer certified guards than required, largest shortfall first."""
    rows = build_rows(hospitals)
    result: list[dict[str, Any]] = [
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


def overdue_items(
    hospitals: QuerySet[Hospital], *, today: dt.date | None = None
) -> list[tuple[Hospital, ItemState]]:
    """(hospital, item) pairs past their deadline and not met: the 通报 list."""
    rows = build_rows(hospitals, today=today)
    return [(row.hospital, state) for row in rows for state in row.overdue]


def items_past_deadline(
    *, hospitals: QuerySet[Hospital] | None = None, today: dt.date | None = None
) -> list[tuple[Hospital, ItemState]]:
    """For reminders: every not-met item (standard or N) whose deadline has passed."""
    return overdue_items(
        hospitals if hospitals is not None else Hospital.objects.all(), today=today
    )


def items_due_within(
    days: int, *, hospitals: QuerySet[Hospital] | None = None, today: dt.date | None = None
) -> list[tuple[Hospital, ItemState]]:
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


def half_year_reports_missing(
    year: int, half: int, *, hospitals: QuerySet[Hospital] | None = None
) -> list[Hospital]:
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


def alarm_drill_stats(hospitals: QuerySet[Hospital]) -> DrillStats:
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


# ---------------------------------------------------------------------------------------------
# Half-year roll-up: a hospital's figures come from the report it submitted (frozen), else from
# the live computation, and each row says which.

SOURCE_SNAPSHOT = "snapshot"
SOURCE_LIVE = "live"


@dataclass
class RollupItem:
    number: str
    label: str
    status: str
    status_label: str
    deadline: dt.date | None
    met_on: dt.date | None
    overdue: bool
    days_late: int
    achieved: bool


@dataclass
class HalfYearRow:
    """One covered hospital in a half-year roll-up. `source` is SOURCE_SNAPSHOT (the figures
    frozen in its submitted report, as of `as_of` = the day it submitted) or SOURCE_LIVE (it
    did not submit: computed from its records as of `as_of`)."""

    hospital: Hospital
    report: HalfYearReport | None
    source: str
    as_of: dt.date | None
    plan_items: list[RollupItem]
    standard: list[RollupItem]
    custom: list[RollupItem]
    guards: dict

    @property
    def submitted(self) -> bool:
        return self.source == SOURCE_SNAPSHOT

    @property
    def items(self) -> list[RollupItem]:
        return self.standard + self.custom

    @property
    def items_met(self) -> int:
        return sum(1 for i in self.items if i.achieved)

    @property
    def items_total(self) -> int:
        return len(self.items)

    @property
    def custom_met(self) -> int:
        return sum(1 for i in self.custom if i.achieved)

    @property
    def overdue(self) -> list[RollupItem]:
        return [i for i in self.items if i.overdue]

    @property
    def source_label(self) -> str:
        if self.submitted:
            return _("报送快照(%(date)s)") % {"date": self.as_of.isoformat() if self.as_of else ""}
        return _("未报送:实时核算(截至 %(date)s)") % {
            "date": self.as_of.isoformat() if self.as_of else ""
        }


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _from_state(state: ItemState) -> RollupItem:
    return RollupItem(
        state.number,
        state.label,
        state.status,
        state.status_label,
        state.deadline,
        state.met_on,
        state.is_overdue,
        state.days_late,
        state.is_achieved,
    )


def _from_snapshot_item(entry: dict, number: str | None = None) -> RollupItem:
    status = entry.get("status") or ItemStatus.NOT_STARTED
    days_left = entry.get("days_left")
    overdue = status != ItemStatus.MET and days_left is not None and days_left < 0
    return RollupItem(
        number or entry.get("number", ""),
        entry.get("name", ""),
        status,
        entry.get("status_label") or str(ItemStatus(status).label),
        _date(entry.get("deadline")),
        _date(entry.get("met_on")),
        overdue,
        -days_left if overdue and days_left is not None else 0,
        entry.get("achieved", status == ItemStatus.MET),
    )


def _snapshot_guards(guards: dict) -> dict:
    required = guards.get("required", 0)
    certified = guards.get("certified", 0)
    deciding = guards.get("deciding")
    if deciding is None:  # snapshots taken before the terms were frozen by name
        terms = {
            "staff": guards.get("staff_term"),
            "beds": guards.get("beds_term"),
            "outpatients": guards.get("outpatient_term"),
        }
        deciding = [name for name, value in terms.items() if required and value == required]
    return {
        "required": required,
        "deciding": tuple(deciding),
        "actual": guards.get("actual", certified),
        "certified": certified,
        # The rule, applied to the frozen inputs (older snapshots stored another shortfall).
        "shortfall": max(required - certified, 0),
    }


def half_year_rows(
    hospitals: QuerySet[Hospital], year: int, half: int, *, today: dt.date | None = None
) -> list[HalfYearRow]:
    """Every covered hospital of the scope for the half-year: from its submitted snapshot when
    it submitted one, else live as of `today` (default now; pass the period's end for a past
    half-year). A fixed number of queries."""
    rows = []
    for row in build_rows(hospitals, today=today, period=(year, half)):
        report = row.report
        snapshot = report.snapshot if report is not None and report.is_submitted else None
        if snapshot:
            plan_items = [
                RollupItem(
                    c.get("number", ""),
                    c.get("name", ""),
                    c.get("status", ""),
                    c.get("status_label", ""),
                    None,
                    None,
                    bool(c.get("overdue")),
                    0,
                    c.get("achieved", c.get("status") == ItemStatus.MET),
                )
                for c in snapshot.get("plan_items", [])
            ]
            rows.append(
                HalfYearRow(
                    row.hospital,
                    report,
                    SOURCE_SNAPSHOT,
                    _date(snapshot.get("taken_on")),
                    plan_items,
                    [_from_snapshot_item(e) for e in snapshot.get("standard", [])],
                    [_from_snapshot_item(e, "N") for e in snapshot.get("custom", [])],
                    _snapshot_guards(snapshot.get("guards") or {}),
                )
            )
            continue
        guards = row.guards
        rows.append(
            HalfYearRow(
                row.hospital,
                report,
                SOURCE_LIVE,
                row.standard[0].today if row.standard else today,
                [
                    RollupItem(
                        c.number,
                        c.label,
                        c.status,
                        c.status_label,
                        None,
                        None,
                        c.overdue,
                        0,
                        c.is_achieved,
                    )
                    for c in row.cells
                ],
                [_from_state(s) for s in row.standard],
                [_from_state(s) for s in row.custom],
                {
                    "required": guards.requirement.required,
                    "deciding": guards.requirement.deciding,
                    "actual": guards.actual,
                    "certified": guards.certified,
                    "shortfall": guards.shortfall,
                },
            )
        )
    return rows

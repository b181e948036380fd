"""Item 1 of the 4+N plan as pure arithmetic: how many guards and how much gear a hospital needs.

No floats anywhere: ratios are Decimals and every term is rounded UP ("就高不就低"), so 601 beds
at 1 guard per 20 beds is 31 guards, never 30.05 → 30.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.utils.translation import gettext_lazy as _

# (field on GuardPost, label). One of each per guard on duty at the post.
PER_GUARD_EQUIPMENT = [
    ("helmets", _("防爆头盔")),
    ("shields", _("防护盾牌")),
    ("stab_vests", _("防刺背心")),
    ("cut_gloves", _("防割手套")),
    ("batons", _("橡胶警棍")),
    ("flashlights", _("强光电筒")),
    ("sprays", _("自卫喷雾剂")),
    ("radios", _("对讲机")),
]
FORKS_FIELD = "forks"
FORKS_LABEL = _("平安钢叉")
FORKS_PER_POST = 2
EQUIPMENT_FIELDS = [name for name, _label in PER_GUARD_EQUIPMENT] + [FORKS_FIELD]
EQUIPMENT_LABELS = dict(PER_GUARD_EQUIPMENT) | {FORKS_FIELD: FORKS_LABEL}


@dataclass(frozen=True)
class GuardRatios:
    staff_percent: Decimal = Decimal("3")  # % of on-duty medical staff
    beds_per_guard: int = 20  # one guard per this many beds
    outpatient_permille: Decimal = Decimal("3")  # ‰ of daily average outpatient visits


TERM_STAFF = "staff"
TERM_BEDS = "beds"
TERM_OUTPATIENTS = "outpatients"
TERM_LABELS = {
    TERM_STAFF: _("在岗医务人员"),
    TERM_BEDS: _("床位"),
    TERM_OUTPATIENTS: _("日均门诊量"),
}


@dataclass(frozen=True)
class GuardRequirement:
    staff_term: int
    beds_term: int
    outpatient_term: int
    required: int
    deciding: tuple[str, ...]  # the term(s) equal to the requirement; empty when it is 0

    @property
    def terms(self) -> list[tuple[str, int]]:
        return [
            (TERM_STAFF, self.staff_term),
            (TERM_BEDS, self.beds_term),
            (TERM_OUTPATIENTS, self.outpatient_term),
        ]


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _count(value: int | str | None) -> int:
    """A missing or negative figure counts as zero (it can only lower a term, never crash)."""
    if value in (None, ""):
        return 0
    return max(int(value), 0)


def required_guards(
    on_duty_staff: int | None,
    beds: int | None,
    daily_outpatients: int | None,
    ratios: GuardRatios | None = None,
) -> GuardRequirement:
    """max(staff × %, beds ÷ beds-per-guard, outpatients × ‰), each term rounded up."""
    ratios = ratios or GuardRatios()
    staff_term = _ceil(Decimal(_count(on_duty_staff)) * Decimal(ratios.staff_percent) / 100)
    beds_per_guard = _count(ratios.beds_per_guard)
    beds_term = _ceil(Decimal(_count(beds)) / beds_per_guard) if beds_per_guard else 0
    outpatient_term = _ceil(
        Decimal(_count(daily_outpatients)) * Decimal(ratios.outpatient_permille) / 1000
    )
    required = max(staff_term, beds_term, outpatient_term)
    deciding = tuple(
        name
        for name, value in (
            (TERM_STAFF, staff_term),
            (TERM_BEDS, beds_term),
            (TERM_OUTPATIENTS, outpatient_term),
        )
        if required and value == required
    )
    return GuardRequirement(staff_term, beds_term, outpatient_term, required, deciding)


@dataclass(frozen=True)
class EquipmentLine:
    field: str
    label: str
    required: int
    recorded: int

    @property
    def shortfall(self) -> int:
        return max(self.required - self.recorded, 0)


@dataclass
class PostEquipment:
    post_name: str
    guards_on_duty: int
    lines: list[EquipmentLine] = field(default_factory=list)

    @property
    def shortfall_lines(self) -> list[EquipmentLine]:
        return [line for line in self.lines if line.shortfall]

    @property
    def shortfall_total(self) -> int:
        return sum(line.shortfall for line in self.lines)


def post_equipment(post_name: str, guards_on_duty: int, recorded: dict) -> PostEquipment:
    """Required vs recorded gear for one post: 1 of each item per guard on duty + 2 forks."""
    guards = _count(guards_on_duty)
    lines = [
        EquipmentLine(name, str(label), guards, _count(recorded.get(name)))
        for name, label in PER_GUARD_EQUIPMENT
    ]
    lines.append(
        EquipmentLine(
            FORKS_FIELD, str(FORKS_LABEL), FORKS_PER_POST, _count(recorded.get(FORKS_FIELD))
        )
    )
    return PostEquipment(post_name, guards, lines)


def equipment_totals(posts: Iterable[PostEquipment]) -> list[EquipmentLine]:
    """Per equipment kind, summed over posts. The shortfall is summed per post (a surplus at one
    post does not cover a gap at another: the gear has to be where the guards are)."""
    totals = {name: [0, 0, 0] for name in EQUIPMENT_FIELDS}
    for post in posts:
        for line in post.lines:
            entry = totals[line.field]
            entry[0] += line.required
            entry[1] += line.recorded
            entry[2] += line.shortfall
    return [
        _TotalLine(name, str(EQUIPMENT_LABELS[name]), req, rec, short)
        for name, (req, rec, short) in totals.items()
    ]


@dataclass(frozen=True)
class _TotalLine(EquipmentLine):
    summed_shortfall: int = 0

    @property
    def shortfall(self) -> int:
        return self.summed_shortfall

"""The statutory 隐患排查治理情况统计表 (原国家安监总局令第16号《安全生产事故隐患排查治理暂行规定》
第十四条, and the provincial forms built on it): per hospital and rolled up per region, for a
quarter (due the 15th of the month after it) and for a year (due 31 January), confirmed by each
hospital for itself.

Every figure is as of the period's instant (`reports.periods.as_of_for`): found / rectified /
重大 come from `reports.selectors.hazard_figures_by_hospital` and
`hazards.selectors.hazard_figures_by` (THE hazard figures), the plan and funds columns from the
same hazards (found in the period, 重大 at the as-of instant).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import as_of_date, end_of_day
from core.errors import DomainError, NotAllowed
from hazards.models import Hazard
from hazards.selectors import as_of_alias, format_rate, hazard_figures_by, major_at_q
from hospitals.models import Hospital, Region

from .choices import STATUTORY_REPORT_TYPES, PeriodKind, ReportType
from .models import StatutoryConfirmation
from .periods import Period
from .scope import ReportScope
from .selectors import hazard_figures_by_hospital, ratio, region_totals

# The six parts of a 重大隐患's governance plan (治理方案, 16号令 第十五条): a hazard with all
# of them written down is 列入治理计划.
PLAN_FIELDS = (
    "plan_goal",
    "plan_methods",
    "plan_funds_materials",
    "plan_organisation",
    "plan_time_limit",
    "plan_safety_emergency",
)
LEGAL_BASIS = "《安全生产事故隐患排查治理暂行规定》(原国家安全生产监督管理总局令第16号)第十四条"


class StatutoryError(DomainError):
    """A statutory table cannot be confirmed; the message is translated and shown to users."""


def period_kind_of(report_type: str) -> str:
    if report_type == ReportType.HAZARD_STATS_QUARTER:
        return PeriodKind.QUARTER
    if report_type == ReportType.HAZARD_STATS_YEAR:
        return PeriodKind.YEAR
    raise ValueError(report_type)


def due_date(report_type: str, period: Period) -> dt.date:
    """Quarterly table: the 15th of the month after the quarter; annual: 31 January."""
    if report_type == ReportType.HAZARD_STATS_YEAR:
        return dt.date(period.end.year + 1, 1, 31)
    following = period.end + dt.timedelta(days=1)
    return following.replace(day=15)


def latest_periods(report_type: str, today: dt.date, count: int = 4) -> list[Period]:
    """The last `count` ended periods of the table (newest first)."""
    period = Period.containing(period_kind_of(report_type), today).previous()
    result = []
    for _i in range(count):
        result.append(period)
        period = period.previous()
    return result


# ---- figures --------------------------------------------------------------------------------


@dataclass
class StatutoryFigures:
    """One line of the 统计表: a hospital, a region or the total."""

    general_found: int = 0  # 一般隐患 排查数
    general_rectified: int = 0  # 一般隐患 已整改
    major_found: int = 0  # 重大隐患 排查数
    major_rectified: int = 0  # 重大隐患 已整改
    major_planned: int = 0  # 重大隐患 列入治理计划
    major_funded: int = 0  # 重大隐患 落实治理资金
    major_funds: Decimal = Decimal("0")  # 重大隐患 治理资金(元)
    funds: Decimal = Decimal("0")  # 全部隐患 整改资金(元)

    @property
    def found(self) -> int:
        return self.general_found + self.major_found

    @property
    def rectified(self) -> int:
        return self.general_rectified + self.major_rectified

    @property
    def general_rate(self) -> Decimal | None:
        return ratio(self.general_rectified, self.general_found)

    @property
    def major_rate(self) -> Decimal | None:
        return ratio(self.major_rectified, self.major_found)

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.rectified, self.found)

    @property
    def general_rate_display(self) -> str:
        return format_rate(self.general_rate)

    @property
    def major_rate_display(self) -> str:
        return format_rate(self.major_rate)

    def add(self, other: StatutoryFigures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_json(self) -> dict:
        return {key: str(value) for key, value in asdict(self).items()}


@dataclass
class StatutoryLine:
    hospital: Hospital
    figures: StatutoryFigures


@dataclass
class StatutoryTable:
    scope: ReportScope
    hospitals: list[StatutoryLine]
    regions: list[tuple[Region, str, StatutoryFigures]]
    total: StatutoryFigures


def _major_hazards(scope: ReportScope):
    """The scope's hazards that are 重大 at the as-of instant (whatever today's level)."""
    major = as_of_alias(Hazard.objects.filter(scope.hospital_filter()), scope.as_of)
    return Hazard.objects.filter(pk__in=major.filter(major_at_q()).values("pk"))


def statutory_figures_by_hospital(scope: ReportScope) -> dict[int, StatutoryFigures]:
    """{hospital_id: StatutoryFigures} of the scope's period as of `scope.as_of` (3 queries)."""
    period = (scope.period.start, scope.period.end)
    everything = hazard_figures_by_hospital(scope)
    major = hazard_figures_by(
        _major_hazards(scope), group_by="hospital_id", period=period, as_of=scope.as_of
    )
    found_in_period = Q(
        found_on__gte=scope.period.start,
        found_on__lte=min(scope.period.end, as_of_date(scope.as_of)),
    )
    planned = Q()
    for name in PLAN_FIELDS:
        planned &= ~Q(**{name: ""})
    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal("0"), output_field=money)
    extra_rows = (
        as_of_alias(Hazard.objects.filter(scope.hospital_filter()), scope.as_of)
        .filter(found_in_period)
        .order_by()
        .values("hospital_id")
        .annotate(
            planned=Count("pk", filter=major_at_q() & planned),
            funded=Count("pk", filter=major_at_q() & Q(funds__gt=0)),
            major_funds=Coalesce(Sum("funds", filter=major_at_q()), zero, output_field=money),
            funds=Coalesce(Sum("funds"), zero, output_field=money),
        )
    )
    extra = {row["hospital_id"]: row for row in extra_rows}
    result: dict[int, StatutoryFigures] = defaultdict(StatutoryFigures)
    for hospital_id in set(everything) | set(extra):
        total = everything.get(hospital_id)
        heavy = major.get(hospital_id)
        line = result[hospital_id]
        major_found = heavy.found if heavy else 0
        major_rectified = heavy.rectified if heavy else 0
        line.major_found, line.major_rectified = major_found, major_rectified
        if total is not None:
            line.general_found = total.found - major_found
            line.general_rectified = total.rectified - major_rectified
        row = extra.get(hospital_id)
        if row:
            line.major_planned, line.major_funded = row["planned"], row["funded"]
            line.major_funds, line.funds = row["major_funds"], row["funds"]
    return result


def statutory_table(scope: ReportScope) -> StatutoryTable:
    """The 统计表 of a scope: a line per hospital (active ones, and closed ones with figures),
    a line per sub-region (and the region's own hospitals), and the total."""
    by_hospital = statutory_figures_by_hospital(scope)
    hospitals = list(scope.hospitals().select_related("region").order_by("region__path", "name"))
    lines = []
    for hospital in hospitals:
        figures = by_hospital.get(hospital.pk) or StatutoryFigures()
        if not hospital.is_active and not figures.found:
            continue
        lines.append(StatutoryLine(hospital, figures))
    total, regions = region_totals(scope, lines, StatutoryFigures)
    return StatutoryTable(scope=scope, hospitals=lines, regions=regions, total=total)


def hospital_scope(hospital: Hospital, period: Period) -> ReportScope:
    """A hospital's table, as of the period's instant."""
    return ReportScope(region=hospital.region, hospital=hospital, period=period)


# ---- confirmation ---------------------------------------------------------------------------


def can_confirm(user, hospital: Hospital) -> bool:
    """Only the hospital's own officers confirm its table (the bureau reads it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_officer and user.hospital_id == hospital.pk)


def check_period(report_type: str, period: Period, *, now: dt.datetime | None = None) -> None:
    if report_type not in STATUTORY_REPORT_TYPES:
        raise StatutoryError(_("不是隐患排查治理情况统计表。"))
    if period.kind != period_kind_of(report_type):
        raise StatutoryError(_("期间与报表类型不符。"))
    now = now or timezone.now()
    if end_of_day(period.end) > now:
        raise StatutoryError(_("期间尚未结束,结束后才能确认统计表。"))


def statutory_confirm(
    *, hospital: Hospital, report_type: str, period: Period, by
) -> StatutoryConfirmation:
    """The hospital confirms its table for the period: the figures (as of the period's end)
    are stored with who confirmed them and when. Confirming twice is refused."""
    if not can_confirm(by, hospital):
        raise NotAllowed
    check_period(report_type, period)
    figures = statutory_figures_by_hospital(hospital_scope(hospital, period)).get(
        hospital.pk, StatutoryFigures()
    )
    try:
        with transaction.atomic():
            return StatutoryConfirmation.objects.create(
                hospital=hospital,
                report_type=report_type,
                period_key=period.key,
                period_start=period.start,
                period_end=period.end,
                figures=figures.as_json(),
                confirmed_by=by,
                confirmed_at=timezone.now(),
            )
    except IntegrityError:
        raise StatutoryError(_("该统计表已确认,不能重复确认。")) from None


# ---- who has confirmed what -----------------------------------------------------------------


@dataclass
class StatusRow:
    hospital: Hospital
    report_type: str
    period: Period
    due: dt.date
    confirmation: StatutoryConfirmation | None
    can_confirm: bool = False

    @property
    def report_label(self) -> str:
        return ReportType(self.report_type).label

    @property
    def is_overdue(self) -> bool:
        return self.confirmation is None and timezone.localdate() > self.due

    @property
    def period_key(self) -> str:
        return self.period.key


def hospitals_to_confirm(hospitals: QuerySet[Hospital]) -> QuerySet[Hospital]:
    """The active hospitals of `hospitals`, in the statutory list's order (region, name)."""
    return (
        hospitals.filter(is_active=True).select_related("region").order_by("region__path", "name")
    )


def confirmed_count(*, hospitals: QuerySet[Hospital], report_type: str, period: Period) -> int:
    """How many of the active `hospitals` have confirmed their table of `period`."""
    return StatutoryConfirmation.objects.filter(
        hospital__in=hospitals.filter(is_active=True),
        report_type=report_type,
        period_key=period.key,
    ).count()


def confirmation_rows(
    *,
    hospitals: QuerySet[Hospital] | Sequence[Hospital],
    report_type: str,
    period: Period,
    user=None,
) -> list[StatusRow]:
    """One row per active hospital: its table of `period`, due date and confirmation.
    `hospitals`: a queryset, or hospitals already read with their region (a list page's)."""
    if isinstance(hospitals, QuerySet):
        hospitals = list(hospitals_to_confirm(hospitals))
    confirmed = {
        c.hospital_id: c
        for c in StatutoryConfirmation.objects.filter(
            hospital__in=[h.pk for h in hospitals], report_type=report_type, period_key=period.key
        ).select_related("confirmed_by")
    }
    due = due_date(report_type, period)
    ended = end_of_day(period.end) <= timezone.now()
    return [
        StatusRow(
            hospital=hospital,
            report_type=report_type,
            period=period,
            due=due,
            confirmation=confirmed.get(hospital.pk),
            can_confirm=bool(
                user is not None
                and ended
                and hospital.pk not in confirmed
                and can_confirm(user, hospital)
            ),
        )
        for hospital in sorted(hospitals, key=lambda h: (h.region.path, h.name))
    ]


def unconfirmed_hospitals(*, report_type: str, period: Period):
    """Active hospitals that have not confirmed their table of `period`."""
    done = StatutoryConfirmation.objects.filter(
        report_type=report_type, period_key=period.key
    ).values("hospital_id")
    return Hospital.objects.filter(is_active=True).exclude(pk__in=done)

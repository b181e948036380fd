"""Scoped reads and figures about hazards. Overdue and due-soon are queries, never flags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.dates import today
from hospitals.models import Hospital, Region

from .choices import Status
from .models import ExtensionRequest, Hazard, open_q, overdue_q


def hazards_visible_to(user) -> QuerySet[Hazard]:
    return Hazard.objects.visible_to(user)


def rectified_q(as_of: dt.date) -> Q:
    """Closed out (销号) on or before `as_of`."""
    return Q(status=Status.CLOSED, closed_on__lte=as_of)


def open_hazards(qs: QuerySet[Hazard] | None = None) -> QuerySet[Hazard]:
    return (Hazard.objects.all() if qs is None else qs).filter(open_q())


def overdue(qs: QuerySet[Hazard] | None = None, *, on: dt.date | None = None) -> QuerySet[Hazard]:
    """Not closed and past the deadline (the deadline day itself is still in time)."""
    return (Hazard.objects.all() if qs is None else qs).filter(overdue_q(on or today()))


def due_within(
    qs: QuerySet[Hazard] | None = None, days: int = 7, *, on: dt.date | None = None
) -> QuerySet[Hazard]:
    """Not closed, not yet overdue, deadline within `days` days from today (inclusive)."""
    start = on or today()
    return open_hazards(qs).filter(
        deadline__gte=start, deadline__lte=start + dt.timedelta(days=days)
    )


def _scope_queryset(scope) -> QuerySet[Hazard]:
    if scope is None:
        return Hazard.objects.all()
    if isinstance(scope, QuerySet):
        if scope.model is Hazard:
            return scope
        if scope.model is Hospital:
            return Hazard.objects.filter(hospital__in=scope.values("pk"))
        if scope.model is Region:
            paths = list(scope.values_list("path", flat=True))
            condition = Q(pk__in=[])
            for path in paths:
                condition |= Q(hospital__region__path__startswith=path)
            return Hazard.objects.filter(condition)
    if isinstance(scope, Hospital):
        return Hazard.objects.filter(hospital=scope)
    if isinstance(scope, Region):
        return Hazard.objects.filter(hospital__region__path__startswith=scope.path)
    raise TypeError(f"Unsupported scope for rectification_rate: {scope!r}")


def format_rate(rate: Decimal | None) -> str:
    """ "—" when nothing was found; "100%" / "97.5%" otherwise."""
    if rate is None:
        return "—"
    percent = (rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if percent == percent.to_integral_value():
        return f"{int(percent)}%"
    return f"{percent}%"


@dataclass(frozen=True)
class RectificationFigures:
    found: int
    rectified: int
    overdue: int
    open: int
    rate: Decimal | None  # a fraction 0..1 (Excel percent format), None when found == 0

    @property
    def display(self) -> str:
        return format_rate(self.rate)

    def __str__(self) -> str:
        return self.display


def _found_in(qs: QuerySet[Hazard], period) -> QuerySet[Hazard]:
    if period:
        start, end = period
        if start:
            qs = qs.filter(found_on__gte=start)
        if end:
            qs = qs.filter(found_on__lte=end)
    return qs


def _rectification_counts(as_of: dt.date) -> dict:
    """THE definition of found / rectified / overdue / open, as aggregate expressions, shared
    by `rectification_rate` and `rectification_figures_by`."""
    return {
        "found": Count("pk"),
        "rectified": Count("pk", filter=rectified_q(as_of)),
        "overdue": Count("pk", filter=overdue_q(as_of)),
        "open": Count("pk", filter=open_q()),
    }


def _figures(row: dict) -> RectificationFigures:
    found = row["found"]
    rate = None
    if found:
        rate = (Decimal(row["rectified"]) / Decimal(found)).quantize(Decimal("0.0001"))
    return RectificationFigures(
        found=found,
        rectified=row["rectified"],
        overdue=row["overdue"],
        open=row["open"],
        rate=rate,
    )


def rectification_rate(
    qs_or_scope=None,
    period: tuple[dt.date | None, dt.date | None] | None = None,
    *,
    as_of: dt.date | None = None,
) -> RectificationFigures:
    """整改率 = rectified / found for hazards found in `period` (inclusive dates, either end may
    be None) within the scope (a Hazard queryset, a Hospital/Region or a queryset of them).
    Rectified = closed out (销号) on or before `as_of` (default today); 立查立改 hazards are
    found and rectified at once, so they count in both. Overdue = still open past the deadline
    as of `as_of`. Rate is None when nothing was found."""
    as_of = as_of or today()
    qs = _found_in(_scope_queryset(qs_or_scope), period)
    return _figures(qs.aggregate(**_rectification_counts(as_of)))


def rectification_figures_by(
    qs_or_scope=None,
    *,
    group_by: str = "hospital_id",
    period: tuple[dt.date | None, dt.date | None] | None = None,
    as_of: dt.date | None = None,
) -> dict:
    """{group value: RectificationFigures} — `rectification_rate` for every value of the Hazard
    field `group_by` (e.g. "hospital_id", "category") in one query. Groups with nothing found
    in the period are absent (their figures would all be 0 with no rate)."""
    as_of = as_of or today()
    qs = _found_in(_scope_queryset(qs_or_scope), period)
    rows = qs.order_by().values(group_by).annotate(**_rectification_counts(as_of))
    return {row[group_by]: _figures(row) for row in rows}


def todo_for(user, qs: QuerySet[Hazard] | None = None) -> QuerySet[Hazard]:
    """What waits for this user: officers — their hospital's open hazards that they must move
    and self-found hazards awaiting their acceptance; bureau — hazards awaiting bureau
    acceptance and hazards with a pending extension request in their region."""
    from accounts.choices import Role

    from .choices import FoundSide, RiskLevel

    qs = Hazard.objects.visible_to(user) if qs is None else qs
    if user.is_superuser or user.role == Role.BUREAU:
        bureau_accepts = Q(found_side=FoundSide.BUREAU) | Q(risk_level=RiskLevel.MAJOR)
        pending_extension = Exists(
            ExtensionRequest.objects.filter(hazard=OuterRef("pk"), status="pending")
        )
        return qs.filter(
            (Q(status=Status.PENDING_ACCEPTANCE) & bureau_accepts) | Q(pending_extension)
        )
    if user.role == Role.OFFICER:
        own_acceptance = (
            Q(status=Status.PENDING_ACCEPTANCE)
            & Q(found_side=FoundSide.HOSPITAL)
            & ~Q(risk_level=RiskLevel.MAJOR)
        )
        return qs.filter(Q(status__in=[Status.PENDING, Status.IN_PROGRESS]) | own_acceptance)
    return qs.none()

"""Scoped reads and figures about hazards. Overdue and due-soon are queries, never flags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Field,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from core.dates import as_of_date, as_of_instant, today
from hospitals.models import Hospital, Region, within

from .choices import FoundSide, RectificationMode, RiskLevel, Status, listing_levels_decided_at
from .models import ExtensionRequest, Hazard, HazardEvent, open_q, overdue_q

# A period of found/closed dates, either end open; None: no bound but the as-of day.
Period = tuple[dt.date | None, dt.date | None] | None


def hazards_visible_to(user: User) -> QuerySet[Hazard]:
    return Hazard.objects.visible_to(user)


def rectified_q(as_of: dt.datetime | dt.date) -> Q:
    """Closed out (销号) on or before the local date of `as_of`, whatever happened after."""
    return Q(closed_on__lte=as_of_date(as_of))


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


# What a figure counts: every hazard (None), a queryset of hazards, hospitals or regions, one
# hospital or one region's subtree.
HazardScope = QuerySet[Any] | Hospital | Region | None


def _scope_queryset(scope: HazardScope) -> QuerySet[Hazard]:
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
                condition |= within(path, "hospital__region")
            return Hazard.objects.filter(condition)
    if isinstance(scope, Hospital):
        return Hazard.objects.filter(hospital=scope)
    if isinstance(scope, Region):
        return Hazard.objects.filter(within(scope, "hospital__region"))
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
    """The hazard figures of a period as of an instant T (local date D). Found, rectified,
    overdue, open, major and immediate concern hazards found in the period (by D);
    `major_open`, `overdue_all` and `open_all` the whole backlog (everything found up to D);
    `closed`
    counts close-outs dated in the period, whatever the found date."""

    found: int
    rectified: int
    overdue: int
    open: int
    rate: Decimal | None  # a fraction 0..1 (Excel percent format), None when found == 0
    major: int = 0
    immediate: int = 0
    major_open: int = 0
    overdue_all: int = 0
    open_all: int = 0
    closed: int = 0

    @property
    def display(self) -> str:
        return format_rate(self.rate)

    def __str__(self) -> str:
        return self.display


# ---- as of an instant ----------------------------------------------------------------------
# A hazard's row holds today's state. As of an instant T (local date D) the figures read the
# date columns and the events instead: found by D, closed out by D, and the deadline / risk
# level in force at T = the `previous_*` value of the earliest event after T that changed it,
# else today's value. Nothing below reads `status`.


def _changed_later(
    changes: QuerySet[HazardEvent], current: str, output_field: Field[Any, Any]
) -> Case:
    """Today's value of `current`, or the previous value kept by the earliest of `changes`
    (events after T that changed it) for the few hazards that have one. The correlated lookup
    runs only for the hazards in the (hashed, uncorrelated) set of changed ones: as of now
    that set is empty, as of a period end it holds what changed since — not every row."""
    column = "previous_deadline" if current == "deadline" else "previous_risk_level"
    earliest = changes.filter(hazard=OuterRef("pk")).order_by("at", "pk").values(column)[:1]
    return Case(
        When(
            pk__in=changes.values("hazard_id"),
            then=Coalesce(Subquery(earliest), F(current), output_field=output_field),
        ),
        default=F(current),
        output_field=output_field,
    )


def deadline_in_force(as_of: dt.datetime | dt.date) -> Case:
    """Expression: the hazard's deadline in force at `as_of`."""
    changes = HazardEvent.objects.filter(
        at__gt=as_of_instant(as_of), previous_deadline__isnull=False
    )
    return _changed_later(changes, "deadline", DateField())


def risk_level_in_force(as_of: dt.datetime | dt.date) -> Case:
    """Expression: the hazard's risk level (一般/重大) in force at `as_of`."""
    changes = HazardEvent.objects.filter(at__gt=as_of_instant(as_of)).exclude(
        previous_risk_level=""
    )
    return _changed_later(changes, "risk_level", CharField())


def status_in_force(as_of: dt.datetime | dt.date) -> Case:
    """Expression: the hazard's status at `as_of` — closed if closed out by then, else the
    status the latest event up to then moved it to (today's open status without events).

    A hazard whose status has not changed since T still has it, so the correlated lookup of
    the latest event up to T runs only for the hazards in the (hashed, uncorrelated) set of
    those with a status change after T, and for closed ones (closed after D: their status at T
    is what came before): as of now that set is empty, as of a period end it holds what changed
    since — not every row. Large ledgers as of a recent instant thus cost one hashed lookup a
    row instead of one index probe into the events a row (issue 11)."""
    instant = as_of_instant(as_of)
    last = (
        HazardEvent.objects.filter(hazard=OuterRef("pk"), at__lte=instant)
        .exclude(to_status="")
        .exclude(to_status=Status.CLOSED)
        .order_by("-at", "-pk")
    )
    changed_since = (
        HazardEvent.objects.filter(at__gt=instant).exclude(to_status="").values("hazard_id")
    )
    return Case(
        When(rectified_q(instant), then=Value(Status.CLOSED.value)),
        When(
            Q(pk__in=changed_since) | Q(status=Status.CLOSED),
            then=Coalesce(
                Subquery(last.values("to_status")[:1]),
                Case(
                    When(status=Status.CLOSED, then=Value(Status.PENDING.value)),
                    default=F("status"),
                ),
            ),
        ),
        default=F("status"),
        output_field=CharField(),
    )


def as_of_alias(qs: QuerySet[Hazard], as_of: dt.datetime | dt.date) -> QuerySet[Hazard]:
    """Alias `deadline_then` and `risk_level_then` (in force at `as_of`) for the `*_at_q`
    conditions, without selecting them."""
    return qs.alias(
        deadline_then=deadline_in_force(as_of), risk_level_then=risk_level_in_force(as_of)
    )


def with_state_as_of(qs: QuerySet[Hazard], as_of: dt.datetime | dt.date) -> QuerySet[Hazard]:
    """Annotate `deadline_then`, `risk_level_then` and `status_then` on rows (lists, ledgers)."""
    return qs.annotate(
        deadline_then=deadline_in_force(as_of),
        risk_level_then=risk_level_in_force(as_of),
        status_then=status_in_force(as_of),
    )


def open_at_q(as_of: dt.datetime | dt.date) -> Q:
    """Found by D and not closed out by D — not today's status."""
    day = as_of_date(as_of)
    return Q(found_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def overdue_at_q(as_of: dt.datetime | dt.date) -> Q:
    """Open at T and the deadline in force at T before D (the deadline day itself is in time).
    Needs `as_of_alias` or `with_state_as_of`."""
    return open_at_q(as_of) & Q(deadline_then__lt=as_of_date(as_of))


def major_at_q() -> Q:
    """重大隐患 at T. Needs `as_of_alias` or `with_state_as_of`."""
    return Q(risk_level_then=RiskLevel.MAJOR)


def open_at(qs: QuerySet[Hazard], as_of: dt.datetime | dt.date) -> QuerySet[Hazard]:
    return with_state_as_of(qs, as_of).filter(open_at_q(as_of))


def overdue_at(qs: QuerySet[Hazard], as_of: dt.datetime | dt.date) -> QuerySet[Hazard]:
    return with_state_as_of(qs, as_of).filter(overdue_at_q(as_of))


def major_open_at(qs: QuerySet[Hazard], as_of: dt.datetime | dt.date) -> QuerySet[Hazard]:
    return with_state_as_of(qs, as_of).filter(open_at_q(as_of) & major_at_q())


def is_overdue_at(hazard: Hazard, as_of: dt.datetime | dt.date) -> bool:
    """Python twin of `overdue_at_q` for a row of `with_state_as_of`."""
    return days_overdue_at(hazard, as_of) > 0


def days_overdue_at(hazard: Hazard, as_of: dt.datetime | dt.date) -> int:
    """Days past the deadline in force at `as_of` for a row of `with_state_as_of` (0 when not
    overdue then)."""
    day = as_of_date(as_of)
    if hazard.found_on > day or (hazard.closed_on is not None and hazard.closed_on <= day):
        return 0
    then: dt.date | None = hazard.deadline_then  # type: ignore[attr-defined]  # annotated
    if not then or then >= day:
        return 0
    return (day - then).days


def _bounded(field: str, period: Period, day: dt.date) -> Q:
    condition = Q(**{f"{field}__lte": day})
    if period:
        start, end = period
        if start:
            condition &= Q(**{f"{field}__gte": start})
        if end:
            condition &= Q(**{f"{field}__lte": end})
    return condition


def _rectification_counts(period: Period, as_of: dt.datetime) -> dict[str, Count]:
    """THE definition of every hazard figure of a period as of an instant, as aggregate
    expressions over an `as_of_alias` queryset; shared by `rectification_rate`,
    `rectification_figures_by` and `hazard_figures_by`."""
    day = as_of_date(as_of)
    found = _bounded("found_on", period, day)
    open_then = open_at_q(as_of)
    overdue_then = overdue_at_q(as_of)
    return {
        "found": Count("pk", filter=found),
        "rectified": Count("pk", filter=found & rectified_q(as_of)),
        "overdue": Count("pk", filter=found & overdue_then),
        "open": Count("pk", filter=found & open_then),
        "major": Count("pk", filter=found & major_at_q()),
        "immediate": Count("pk", filter=found & Q(mode=RectificationMode.IMMEDIATE)),
        "major_open": Count("pk", filter=open_then & major_at_q()),
        "overdue_all": Count("pk", filter=overdue_then),
        "open_all": Count("pk", filter=open_then),
        "closed": Count("pk", filter=_bounded("closed_on", period, day)),
    }


def _figures(row: dict[str, Any]) -> RectificationFigures:
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
        major=row["major"],
        immediate=row["immediate"],
        major_open=row["major_open"],
        overdue_all=row["overdue_all"],
        open_all=row["open_all"],
        closed=row["closed"],
    )


def _counted(qs_or_scope: HazardScope, as_of: dt.datetime) -> QuerySet[Hazard]:
    qs = _scope_queryset(qs_or_scope).filter(found_on__lte=as_of_date(as_of))
    return as_of_alias(qs, as_of)


def rectification_rate(
    qs_or_scope: HazardScope = None,
    period: Period = None,
    *,
    as_of: dt.datetime | dt.date | None = None,
) -> RectificationFigures:
    """整改率 = rectified / found for hazards found in `period` (inclusive dates, either end may
    be None) within the scope (a Hazard queryset, a Hospital/Region or a queryset of them), as
    of the instant `as_of` (default now; a date means the end of that day). Rectified = closed
    out (销号) by then; 立查立改 hazards are found and rectified at once, so they count in both.
    Overdue = open then and past the deadline in force then. Rate is None when nothing was
    found. One query."""
    as_of = as_of_instant(as_of)
    qs = _counted(qs_or_scope, as_of)
    return _figures(qs.aggregate(**_rectification_counts(period, as_of)))


def hazard_figures_by(
    qs_or_scope: HazardScope = None,
    *,
    group_by: str | tuple[str, ...] = "hospital_id",
    period: Period = None,
    as_of: dt.datetime | dt.date | None = None,
) -> dict[Any, RectificationFigures]:
    """{group value: RectificationFigures} for every value of the Hazard field `group_by` that
    has anything to count (found or closed in the period, or an open major/overdue backlog),
    in one query. A tuple of fields gives tuple keys, e.g. ("hospital_id", "category")."""
    as_of = as_of_instant(as_of)
    qs = _counted(qs_or_scope, as_of)
    fields = (group_by,) if isinstance(group_by, str) else tuple(group_by)
    rows = qs.order_by().values(*fields).annotate(**_rectification_counts(period, as_of))
    result: dict[Any, RectificationFigures] = {}
    for row in rows:
        figures = _figures(row)
        if figures.found or figures.open_all or figures.closed:
            key = row[group_by] if isinstance(group_by, str) else tuple(row[f] for f in fields)
            result[key] = figures
    return result


def rectification_figures_by(
    qs_or_scope: HazardScope = None,
    *,
    group_by: str = "hospital_id",
    period: Period = None,
    as_of: dt.datetime | dt.date | None = None,
) -> dict[Any, RectificationFigures]:
    """{group value: RectificationFigures} — `rectification_rate` for every value of the Hazard
    field `group_by` (e.g. "hospital_id", "category") in one query. Groups with nothing found
    in the period are absent (their figures would all be 0 with no rate)."""
    grouped = hazard_figures_by(qs_or_scope, group_by=group_by, period=period, as_of=as_of)
    return {key: figures for key, figures in grouped.items() if figures.found}


def todo_for(user: User, qs: QuerySet[Hazard] | None = None) -> QuerySet[Hazard]:
    """What waits for this user: officers — their hospital's open hazards that they must move
    and self-found hazards awaiting their acceptance; bureau — hazards awaiting bureau
    acceptance, a pending extension request or a pending application to resume, in their region
    and at a 挂牌督办 level their bureau decides (a county does not see what the city listed)."""

    qs = Hazard.objects.visible_to(user) if qs is None else qs
    if user.is_superuser or user.is_bureau:
        bureau_accepts = Q(found_side=FoundSide.BUREAU) | Q(risk_level=RiskLevel.MAJOR)
        pending_extension = Exists(
            ExtensionRequest.objects.filter(hazard=OuterRef("pk"), status="pending")
        )
        waiting = qs.filter(
            (Q(status=Status.PENDING_ACCEPTANCE) & bureau_accepts)
            | Q(pending_extension)
            | Q(resumption_applied_at__isnull=False)
        )
        if user.is_superuser:
            return waiting
        decided_here = listing_levels_decided_at(user.region.level if user.region else "")
        return waiting.filter(Q(supervision_level="") | Q(supervision_level__in=decided_here))
    if user.is_officer:
        own_acceptance = (
            Q(status=Status.PENDING_ACCEPTANCE)
            & Q(found_side=FoundSide.HOSPITAL)
            & ~Q(risk_level=RiskLevel.MAJOR)
        )
        return qs.filter(Q(status__in=[Status.PENDING, Status.IN_PROGRESS]) | own_acceptance)
    return qs.none()


def hazards_version() -> tuple:
    """Moves whenever a hazard or a hospital may have changed: every transition writes a
    `HazardEvent`, every save of a hazard a history row, every hospital save its `updated_at`;
    and today's date, since overdue is relative to it. One query."""

    event = HazardEvent._meta.db_table
    history = Hazard.history.model._meta.db_table
    hospital = Hospital._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {event}), (SELECT max(history_id) FROM {history}), "
            f"(SELECT max(updated_at) FROM {hospital}), (SELECT count(*) FROM {hospital})"
        )
        row = cursor.fetchone()
    return (*row, today().isoformat())


def list_figures(qs: QuerySet[Hazard]) -> tuple[RectificationFigures, int]:
    """The tiles of a hazard list (`rectification_rate` as of now) and the list's row count,
    in one query: one pass over the rows instead of two."""
    as_of = as_of_instant(None)
    day = as_of_date(as_of)
    counts = _rectification_counts(None, as_of)
    # `rectification_rate` counts only what was found by today; the list counts every row.
    counts["closed"] = Count("pk", filter=Q(found_on__lte=day) & _bounded("closed_on", None, day))
    row = as_of_alias(qs.order_by(), as_of).aggregate(total=Count("pk"), **counts)
    return _figures(row), row["total"]

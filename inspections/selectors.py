"""Scoped reads of the inspections app, used by its pages, reminders and reports.

Assignment state (open / done / missed) is computed here from dates and submissions; nothing
flips a stored flag. "Done" means an inspection was submitted for the assignment; "missed" means
its day has passed with none submitted (a late submission turns a missed day into done, shown as
late).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from accounts.choices import Role
from accounts.models import User
from core.dates import as_of_date, month_bounds, today
from hospitals.models import Hospital, Region, within

from .checklist_seed import SAFETY_CODE
from .choices import AssignmentKind, AssignmentState, InspectionStatus
from .models import Assignment, ChecklistTemplate, Inspection

# Where coverage is counted: one hospital, a region's subtree, a Hospital queryset, or all.
Scope = Hospital | Region | QuerySet[Hospital] | None


# --------------------------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------------------------
def with_state(
    queryset: QuerySet[Assignment],
    *,
    on: dt.date | None = None,
    as_of: dt.datetime | None = None,
) -> QuerySet:
    """Annotate `is_done`, `submitted_on` and `state` (AssignmentState value) on the date `on`
    (default today), counting every submission so far — or, given the instant `as_of`, as of
    then: done only if submitted at or before `as_of`, missed if its day passed before the local
    date of `as_of` with nothing submitted by then."""
    submitted = Inspection.objects.filter(
        assignment=OuterRef("pk"), status=InspectionStatus.SUBMITTED
    )
    if as_of is not None:
        on = as_of_date(as_of)
        submitted = submitted.filter(submitted_at__lte=as_of)
    on = on or today()
    return queryset.annotate(
        is_done=Exists(submitted),
        submitted_on=Subquery(
            submitted.annotate(day=TruncDate("submitted_at")).values("day")[:1],
            output_field=DateField(),
        ),
    ).annotate(
        state=Case(
            When(is_done=True, then=Value(AssignmentState.DONE.value)),
            When(due_date__lt=on, then=Value(AssignmentState.MISSED.value)),
            default=Value(AssignmentState.OPEN.value),
            output_field=CharField(),
        ),
        is_late=ExpressionWrapper(
            Q(is_done=True) & Q(submitted_on__gt=F("due_date")), output_field=BooleanField()
        ),
    )


def assignments_for_list(
    queryset: QuerySet[Assignment], *, on: dt.date | None = None
) -> QuerySet[Assignment]:
    """State plus the relations a list or calendar shows, in one query."""
    return with_state(
        queryset.select_related("hospital", "hospital__region", "department", "inspection"),
        on=on,
    )


def assignments_due_on(day: dt.date, *, kind: str | None = None) -> QuerySet[Assignment]:
    """Assignments whose inspection day is `day` and that nobody has submitted yet (for
    "your inspection day is tomorrow" reminders)."""
    queryset = with_state(Assignment.objects.filter(due_date=day)).filter(is_done=False)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("hospital", "department")


def missed_assignments(
    *,
    on: dt.date | None = None,
    since: dt.date | None = None,
    queryset: QuerySet[Assignment] | None = None,
) -> QuerySet[Assignment]:
    """Assignments whose day passed before `on` (default today) with nothing submitted.
    `since` limits how far back to look (by inspection day)."""
    on = on or today()
    queryset = (queryset if queryset is not None else Assignment.objects.all()).filter(
        due_date__lt=on
    )
    if since:
        queryset = queryset.filter(due_date__gte=since)
    return (
        with_state(queryset, on=on).filter(is_done=False).select_related("hospital", "department")
    )


def assignment_assignees(assignment: Assignment) -> QuerySet[User]:
    """The people who carry out an assignment: the hospital's active officers for a
    self-inspection day; the linked department's active staff for a linked-department day."""

    if assignment.kind == AssignmentKind.SELF:
        return User.objects.filter(
            role=Role.OFFICER, hospital_id=assignment.hospital_id, is_active=True
        )
    if not assignment.department_id:
        return User.objects.none()
    return User.objects.filter(
        role=Role.BUREAU, department_id=assignment.department_id, is_active=True
    )


@dataclass(frozen=True)
class Coverage:
    """done / due for a scope and month: `due` counts assignments whose day has come."""

    done: int
    due: int
    total: int
    missed: int

    @property
    def open(self) -> int:
        """Neither done nor missed (its day has not passed yet)."""
        return self.total - self.done - self.missed

    @property
    def states(self) -> dict:
        """{AssignmentState value: number of assignments in that state}."""
        return {
            AssignmentState.DONE.value: self.done,
            AssignmentState.MISSED.value: self.missed,
            AssignmentState.OPEN.value: self.open,
        }

    @property
    def rate(self) -> float | None:
        return self.done / self.due if self.due else None

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            done=self.done + other.done,
            due=self.due + other.due,
            total=self.total + other.total,
            missed=self.missed + other.missed,
        )

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None


def _scope_filter(scope: Scope) -> Q:
    if scope is None:
        return Q()
    if isinstance(scope, Hospital):
        return Q(hospital=scope)
    if isinstance(scope, Region):
        return within(scope, "hospital__region")
    # A Hospital queryset (e.g. Hospital.objects.visible_to(user)).
    return Q(hospital__in=scope)


def _coverage_counts(on: dt.date) -> dict[str, Count]:
    """THE definition of total / due / done / missed, as aggregate expressions over a
    `with_state(..., on=on)` queryset: a day is due once it has come (or was done early), done
    once an inspection was submitted, missed once it passed with none submitted."""
    return {
        "total": Count("pk"),
        "due": Count("pk", filter=Q(due_date__lte=on) | Q(is_done=True)),
        "done": Count("pk", filter=Q(is_done=True)),
        "missed": Count("pk", filter=Q(is_done=False, due_date__lt=on)),
    }


def _coverage_of(row: dict[str, Any]) -> Coverage:
    return Coverage(done=row["done"], due=row["due"], total=row["total"], missed=row["missed"])


def _coverage_assignments(
    scope: Scope,
    year: int | None,
    month: int | None,
    *,
    days: tuple[dt.date, dt.date] | None,
    kind: str | None,
    on: dt.date,
    as_of: dt.datetime | None = None,
) -> QuerySet[Assignment]:
    queryset = Assignment.objects.filter(_scope_filter(scope))
    if days is not None:
        queryset = queryset.filter(due_date__gte=days[0], due_date__lte=days[1])
    else:
        queryset = queryset.filter(period=dt.date(year or on.year, month or on.month, 1))
    if kind:
        queryset = queryset.filter(kind=kind)
    return with_state(queryset, on=on, as_of=as_of)


def coverage(
    scope: Scope = None,
    year: int | None = None,
    month: int | None = None,
    *,
    kind: str | None = None,
    on: dt.date | None = None,
    as_of: dt.datetime | None = None,
) -> Coverage:
    """Coverage of one month's inspection days in a scope (a Region, a Hospital, a Hospital
    queryset or None for all): done / due, in one query. `on` / `as_of` as in `with_state`."""
    on = as_of_date(as_of) if as_of is not None else (on or today())
    queryset = _coverage_assignments(scope, year, month, days=None, kind=kind, on=on, as_of=as_of)
    return _coverage_of(queryset.aggregate(**_coverage_counts(on)))


def coverage_by(
    scope: Scope = None,
    year: int | None = None,
    month: int | None = None,
    *,
    group_by: str | tuple[str, ...] = "hospital_id",
    days: tuple[dt.date, dt.date] | None = None,
    kind: str | None = None,
    on: dt.date | None = None,
    as_of: dt.datetime | None = None,
) -> dict[Any, Coverage]:
    """{group value: Coverage} — `coverage` for every value of the Assignment field `group_by`
    (e.g. "hospital_id", "kind"; a tuple of fields gives tuple keys, e.g. ("due_date", "kind")
    for a calendar) in one query. By default the month's inspection days (as `coverage`);
    `days=(start, end)` takes instead the days falling in that date range (for quarters and
    half-years). `on` / `as_of` as in `with_state`. Groups without assignments are absent."""
    on = as_of_date(as_of) if as_of is not None else (on or today())
    queryset = _coverage_assignments(scope, year, month, days=days, kind=kind, on=on, as_of=as_of)
    fields = (group_by,) if isinstance(group_by, str) else tuple(group_by)
    rows = queryset.order_by().values(*fields).annotate(**_coverage_counts(on))
    if isinstance(group_by, str):
        return {row[group_by]: _coverage_of(row) for row in rows}
    return {tuple(row[f] for f in fields): _coverage_of(row) for row in rows}


def coverage_by_month(
    scope: Scope, start: dt.date, end: dt.date, *, on: dt.date | None = None
) -> dict[dt.date, Coverage]:
    """{period (first of month): Coverage} for every month with assignments in [start, end]."""
    on = on or today()
    queryset = Assignment.objects.filter(
        _scope_filter(scope), period__gte=start.replace(day=1), period__lte=end
    )
    rows = (
        with_state(queryset, on=on)
        .values("period")
        .annotate(**_coverage_counts(on))
        .order_by("period")
    )
    return {row["period"]: _coverage_of(row) for row in rows}


# --------------------------------------------------------------------------------------------
# Templates and inspections
# --------------------------------------------------------------------------------------------
def template_in_force(
    hospital: Hospital, *, code: str = SAFETY_CODE, on: dt.date | None = None
) -> ChecklistTemplate | None:
    """The version of a checklist that applies to a hospital on a date: the most specific
    region first (the hospital's region, then its ancestors, then the global list), then the
    latest effective date, then the highest version."""
    on = on or today()
    region_ids = hospital.region.ancestor_ids
    candidates = list(
        ChecklistTemplate.objects.filter(code=code, is_active=True, effective_from__lte=on)
        .filter(Q(region__isnull=True) | Q(region_id__in=region_ids))
        .select_related("region")
    )
    if not candidates:
        return None
    depth: dict[int | None, int] = {pk: index for index, pk in enumerate(region_ids)}

    def specificity(template: ChecklistTemplate) -> tuple[int, dt.date, int]:
        return (
            depth.get(template.region_id, -1),
            template.effective_from,
            template.version,
        )

    return max(candidates, key=specificity)


def templates_available(
    user: User, hospital: Hospital | None = None, on: dt.date | None = None
) -> QuerySet[ChecklistTemplate]:
    """Active template versions the user can choose when starting an inspection."""
    on = on or today()
    return (
        ChecklistTemplate.objects.visible_to(user)
        .filter(is_active=True, effective_from__lte=on)
        .select_related("region")
    )


def inspections_version() -> tuple[object, ...]:
    """Moves whenever an inspection may enter, leave or change its place in a list: a new one
    (the largest id), any save or submission (the newest `updated_at`: `auto_now`, and the
    services' `.update(updated_at=…)`), a deleted draft (only drafts can be deleted: the number
    of drafts), any hospital change (visibility), and the date. One query, all by index."""

    table = Inspection._meta.db_table
    hospital = Hospital._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {table}), (SELECT max(updated_at) FROM {table}), "
            f"(SELECT count(*) FROM {table} WHERE status = %s), "
            f"(SELECT max(updated_at) FROM {hospital}), (SELECT count(*) FROM {hospital})",
            [InspectionStatus.DRAFT],
        )
        row = cursor.fetchone()
    return (*row, today().isoformat())


def coverage_version() -> tuple[object, ...]:
    """Moves whenever a coverage figure (done / due / missed of assignments) may change:
    `inspections_version` (a submission, a hospital changed or removed, the date), the
    assignments (only ever generated in bulk, removed only with their hospital: the largest id)
    and the regions (a re-parented region moves hospitals between scopes; every region save
    writes a history row). Two queries, all by index."""

    assignment = Assignment._meta.db_table
    region_history = Region.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {assignment}), "
            f"(SELECT max(history_id) FROM {region_history})"
        )
        row = cursor.fetchone()
    return (*inspections_version(), *row)


def inspections_for_list(queryset: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return queryset.select_related(
        "hospital", "hospital__region", "template", "created_by", "assignment"
    )


def submitted_inspections(
    *,
    hospitals: QuerySet[Hospital] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.datetime | None = None,
) -> QuerySet[Inspection]:
    """Submitted inspections, optionally for a hospital queryset, a date range (by inspection
    date) and submitted at or before the instant `as_of` (reports)."""
    queryset = Inspection.objects.submitted()
    if as_of is not None:
        queryset = queryset.filter(submitted_at__lte=as_of, inspected_on__lte=as_of_date(as_of))
    if hospitals is not None:
        queryset = queryset.filter(hospital__in=hospitals)
    if start:
        queryset = queryset.filter(inspected_on__gte=start)
    if end:
        queryset = queryset.filter(inspected_on__lte=end)
    return queryset


def month_assignments(
    scope: Scope, year: int, month: int, *, on: dt.date | None = None
) -> QuerySet[Assignment]:
    """Assignments of one month in a scope with their state, for the calendar."""
    start, _end = month_bounds(year, month)
    return assignments_for_list(
        Assignment.objects.filter(_scope_filter(scope), period=start), on=on
    )

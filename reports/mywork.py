"""我的工作: what one person must do now, whatever their role, each task with its deadline and
the one URL that acts on it.

One selector (`my_work(user)`) over the lower apps' own rules — `Assignment.actionable_by`,
`inspections.services.action_refusal`'s side of an inspection, `hazards.selectors.todo_for`,
pending extension requests inside that to-do list, and 4+N items waiting for the bureau's
confirmation — in a constant number of queries (one per group), however much work there is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core.dates import today
from hazards.choices import Status
from hazards.models import ExtensionRequest
from hazards.selectors import todo_for
from inspections.choices import InspectionKind, InspectionStatus
from inspections.models import Assignment, Inspection
from inspections.selectors import with_state
from security.choices import ItemStatus
from security.models import ChecklistItem

# How many rows of each group the page shows (the rest are one tap away on the full list).
LIMIT = 20
# Inspection days shown ahead of today, and how far back a missed one is still worth doing.
DAYS_AHEAD = 7
DAYS_BACK = 31


@dataclass(frozen=True)
class Task:
    """One thing to do: what, where, by when, and the tap that does it (`method` "post" for a
    button that starts something, "get" for a link)."""

    kind: str
    title: str
    place: str
    deadline: dt.date | None
    action: str
    url: str
    method: str = "get"
    status: str = ""
    overdue: bool = False


@dataclass
class Group:
    key: str
    title: str
    tasks: list[Task] = field(default_factory=list)
    more: bool = False  # more than LIMIT: the full list has the rest
    more_url: str = ""


@dataclass
class MyWork:
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(len(group.tasks) for group in self.groups)

    def group(self, key: str) -> Group:
        return next(group for group in self.groups if group.key == key)


def _cut(rows: list, group: Group) -> list:
    group.more = len(rows) > LIMIT
    return rows[:LIMIT]


def _assignments(user, on: dt.date) -> Group:
    """The user's own inspection days (their hospital's self-inspection, their department's
    linked days) from a month back to a week ahead that nobody has submitted or started."""
    group = Group(
        "assignments", _("待开展的检查"), more_url=reverse("inspections:calendar") + "#assignments"
    )
    if user.is_superuser:
        return group  # a superuser carries out nobody's inspection day
    rows = list(
        with_state(
            Assignment.objects.actionable_by(user).filter(
                due_date__gte=on - dt.timedelta(days=DAYS_BACK),
                due_date__lte=on + dt.timedelta(days=DAYS_AHEAD),
                inspection__isnull=True,
            ),
            on=on,
        )
        .filter(is_done=False)
        .select_related("hospital", "department")
        .order_by("due_date", "hospital__name", "pk")[: LIMIT + 1]
    )
    for assignment in _cut(rows, group):
        group.tasks.append(
            Task(
                kind="assignment",
                title=assignment.get_kind_display(),
                place=assignment.hospital.name,
                deadline=assignment.due_date,
                action=_("开始检查"),
                url=reverse("inspections:assignment_start", args=[assignment.pk]),
                method="post",
                overdue=assignment.due_date < on,
            )
        )
    return group


def _drafts(user) -> Group:
    """Drafts this user may go on filling in: their own, their hospital's self-inspections
    (officers) and their department's linked-day inspections (bureau staff) — the same sides
    `inspections.services` lets record."""
    group = Group("drafts", _("待完成的检查草稿"), more_url=reverse("inspections:list"))
    mine = Q(created_by=user)
    if user.is_officer and user.hospital_id:
        mine |= Q(kind=InspectionKind.SELF, hospital_id=user.hospital_id)
    elif user.is_bureau and user.department_id:
        mine |= Q(kind=InspectionKind.LINKED, assignment__department_id=user.department_id)
    if user.is_officer:
        mine &= Q(kind=InspectionKind.SELF)  # the bureau's inspections are not the hospital's
    rows = list(
        Inspection.objects.visible_to(user)
        .filter(mine, status=InspectionStatus.DRAFT)
        .select_related("hospital", "assignment")
        .order_by("inspected_on", "pk")[: LIMIT + 1]
    )
    for inspection in _cut(rows, group):
        deadline = inspection.assignment.due_date if inspection.assignment_id else None
        group.tasks.append(
            Task(
                kind="draft",
                title=inspection.get_kind_display(),
                place=inspection.hospital.name,
                deadline=deadline,
                action=_("继续填写"),
                url=reverse("inspections:record", args=[inspection.pk]),
                overdue=bool(deadline and deadline < today()),
            )
        )
    return group


def _hazard_action(user, hazard) -> tuple[str, str]:
    """The label and action slug of the step that waits for this user."""
    if hazard.resumption_applied_at and not user.is_officer:
        return _("复查"), ""
    if hazard.status == Status.PENDING_ACCEPTANCE:
        return _("验收"), "accept"
    if hazard.status == Status.PENDING:
        return _("开始整改"), "start"
    if hazard.status == Status.IN_PROGRESS:
        return _("提交验收"), "submit"
    return _("办理"), ""


def _hazards_and_extensions(user, on: dt.date) -> tuple[Group, Group]:
    hazards = Group("hazards", _("待办隐患"), more_url=reverse("hazards:todo"))
    extensions = Group("extensions", _("待审批的延期申请"), more_url=reverse("hazards:todo"))
    todo = todo_for(user)
    if not user.is_officer:  # officers ask for extensions; the bureau decides them
        rows = list(
            ExtensionRequest.objects.filter(status="pending", hazard__in=todo)
            .select_related("hazard", "hazard__hospital")
            .order_by("created_at", "pk")[: LIMIT + 1]
        )
        for request in _cut(rows, extensions):
            hazard = request.hazard
            extensions.tasks.append(
                Task(
                    kind="extension",
                    title=_("%(code)s 申请延至 %(day)s")
                    % {"code": hazard.code, "day": request.requested_deadline.isoformat()},
                    place=hazard.hospital.name,
                    deadline=request.current_deadline,
                    action=_("审批"),
                    url=reverse("hazards:extension_decide", args=[hazard.pk, request.pk]),
                    overdue=bool(request.current_deadline and request.current_deadline < on),
                )
            )
        # A hazard in the bureau's list only for its extension request is listed there.
        todo = todo.filter(
            Q(status=Status.PENDING_ACCEPTANCE) | Q(resumption_applied_at__isnull=False)
        )
    rows = list(todo.select_related("hospital").order_by("deadline", "pk")[: LIMIT + 1])
    for hazard in _cut(rows, hazards):
        label, slug = _hazard_action(user, hazard)
        url = (
            reverse("hazards:action", args=[hazard.pk, slug])
            if slug
            else reverse("hazards:detail", args=[hazard.pk])
        )
        hazards.tasks.append(
            Task(
                kind="hazard",
                title=f"{hazard.code} {hazard.location}",
                place=hazard.hospital.name,
                deadline=hazard.deadline,
                action=label,
                url=url,
                status=hazard.get_status_display(),
                overdue=bool(hazard.deadline and hazard.deadline < on),
            )
        )
    return hazards, extensions


# A 4+N item of one's own hospital is listed this many days before its planned completion date.
SECURITY_DAYS_AHEAD = 30


def _security_items(user, on: dt.date) -> Group:
    """4+N items: for the bureau side (staff or administrator), the items a hospital declared
    met, waiting to be confirmed or sent back; for a hospital's officer, their own items not yet
    met whose planned completion date is near or past (declaring one met sends it to the
    bureau, which then leaves this list)."""
    if user.is_officer and user.hospital_id:
        return _own_security_items(user, on)
    group = Group(
        "security",
        _("待确认的4+N项目"),
        more_url=reverse("security:overview") + "?attention=pending",
    )
    if not (user.is_superuser or user.is_bureau_side):
        return group
    rows = list(
        ChecklistItem.objects.visible_to(user)
        .filter(status=ItemStatus.PENDING)
        .select_related("hospital")
        .order_by("submitted_at", "pk")[: LIMIT + 1]
    )
    for item in _cut(rows, group):
        group.tasks.append(
            Task(
                kind="security",
                title=f"{item.number}. {item.display_name}",
                place=item.hospital.name,
                deadline=None,
                status=item.get_status_display(),
                action=_("确认"),
                url=reverse("security:item", args=[item.pk]),
            )
        )
    return group


def _own_security_items(user, on: dt.date) -> Group:
    group = Group(
        "security",
        _("即将到期的4+N建设项目"),
        more_url=reverse("security:hospital", args=[user.hospital_id]),
    )
    rows = list(
        ChecklistItem.objects.visible_to(user)
        .filter(
            hospital_id=user.hospital_id,
            status__in=[ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS],
            target_date__lte=on + dt.timedelta(days=SECURITY_DAYS_AHEAD),
        )
        .select_related("hospital")
        .order_by("target_date", "pk")[: LIMIT + 1]
    )
    for item in _cut(rows, group):
        group.tasks.append(
            Task(
                kind="security",
                title=f"{item.number}. {item.display_name}",
                place=item.hospital.name,
                deadline=item.target_date,
                status=item.get_status_display(),
                action=_("更新进展"),
                url=reverse("security:item", args=[item.pk]),
                overdue=item.target_date < on,
            )
        )
    return group


def my_work(user, *, on: dt.date | None = None) -> MyWork:
    """Everything that waits for `user`, grouped; at most LIMIT rows a group."""
    on = on or today()
    hazards, extensions = _hazards_and_extensions(user, on)
    return MyWork(
        groups=[
            _assignments(user, on),
            _drafts(user),
            hazards,
            extensions,
            _security_items(user, on),
        ]
    )

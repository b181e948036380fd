"""Inspection-day reminder rules, run by the notifications reminder scan.

- The inspection day is coming (region setting inspection_reminder_days, default "1" = the day
  before the 15th / 26th) → the people who carry it out: the hospital's officers for the
  self-inspection day, the linked department's staff for the linked-department day.
- An inspection day passed with nothing submitted → the same people and the region's bureau,
  from the day after (caught up for a week if the scan did not run).
Each reminder is keyed by (event, assignment, occurrence): re-runs send nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.choices import EventKind
from notifications.recipients import RegionSettings, region_bureau_staff
from notifications.services import notify

from .choices import AssignmentKind
from .models import Assignment
from .selectors import assignment_assignees, missed_assignments, with_state

# How far back a missed inspection day is still reported when the scan was down.
MISSED_LOOKBACK_DAYS = 7
MAX_REMINDER_OFFSET = 31


def _calendar_url() -> str:
    return reverse("inspections:calendar")


def _body(assignment: Assignment) -> str:
    lines = [
        _("机构:%(hospital)s") % {"hospital": assignment.hospital.name},
        _("检查日:%(day)s(%(kind)s)")
        % {"day": assignment.due_date.isoformat(), "kind": assignment.get_kind_display()},
    ]
    if assignment.kind == AssignmentKind.LINKED and assignment.department_id:
        lines.append(_("挂钩科室:%(department)s") % {"department": assignment.department.name})
    return "\n".join(lines)


def remind_inspection_day(*, today: dt.date) -> int:
    settings = RegionSettings()
    sent = 0
    upcoming = (
        with_state(
            Assignment.objects.filter(
                due_date__gt=today,
                due_date__lte=today + dt.timedelta(days=MAX_REMINDER_OFFSET),
                hospital__is_active=True,
            ),
            on=today,
        )
        .filter(is_done=False)
        .select_related("hospital", "hospital__region", "department")
    )
    for assignment in upcoming:
        days = (assignment.due_date - today).days
        if days not in settings.days(assignment.hospital.region, "inspection_reminder_days"):
            continue
        if days == 1:
            title = _("明天(%(date)s)是%(kind)s:%(hospital)s")
        else:
            title = _("%(days)s 天后(%(date)s)是%(kind)s:%(hospital)s")
        title = title % {
            "days": days,
            "date": assignment.due_date.strftime("%m-%d"),
            "kind": assignment.get_kind_display(),
            "hospital": assignment.hospital.name,
        }
        created = notify(
            event=EventKind.INSPECTION_TOMORROW,
            recipients=list(assignment_assignees(assignment)),
            title=title,
            body=_body(assignment),
            url=_calendar_url(),
            obj=assignment,
            hospital=assignment.hospital,
            occurrence=f"{assignment.due_date.isoformat()}:before:{days}",
        )
        sent += len(created)
    return sent


def remind_missed(*, today: dt.date) -> int:
    sent = 0
    missed = missed_assignments(
        on=today,
        since=today - dt.timedelta(days=MISSED_LOOKBACK_DAYS),
        queryset=Assignment.objects.filter(hospital__is_active=True),
    ).select_related("hospital__region")
    for assignment in missed:
        recipients = list(assignment_assignees(assignment)) + region_bureau_staff(
            assignment.hospital.region
        )
        created = notify(
            event=EventKind.INSPECTION_MISSED,
            recipients=recipients,
            title=_("%(hospital)s 错过 %(date)s %(kind)s,未提交检查")
            % {
                "hospital": assignment.hospital.name,
                "date": assignment.due_date.strftime("%m-%d"),
                "kind": assignment.get_kind_display(),
            },
            body=_body(assignment),
            url=_calendar_url(),
            obj=assignment,
            hospital=assignment.hospital,
            occurrence=assignment.due_date.isoformat(),
        )
        sent += len(created)
    return sent


REMINDER_RULES = (remind_inspection_day, remind_missed)

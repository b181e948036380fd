"""Statutory-table reminders, run by the notifications reminder scan (notifications/tasks.py).

A hospital that has not confirmed its 隐患排查治理情况统计表 is reminded (its officers) in the
days before the due date (the 15th after a quarter, 31 January after a year) and, once it is
overdue, with its bureau (the nearest one) told as well. Every reminder is keyed by (event,
hospital, occurrence) so running the rule again sends nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.choices import EventKind
from notifications.recipients import bureau_recipients, hospital_officers
from notifications.services import notify

from .choices import STATUTORY_REPORT_TYPES, ReportType
from .statutory import due_date, latest_periods, unconfirmed_hospitals

# Reminders start this many days before the due date (the day the period ends + 1 at the
# earliest), then once more on the last day; overdue reminders repeat weekly for four weeks.
DUE_SOON_DAYS = (10, 3, 0)
OVERDUE_REPEAT_DAYS = 7
OVERDUE_FOR_DAYS = 28


def _window(days_left: int) -> int | None:
    inside = [offset for offset in DUE_SOON_DAYS if 0 <= days_left <= offset]
    return min(inside) if inside else None


def remind_statutory_tables(*, today: dt.date) -> int:
    sent = 0
    for report_type in STATUTORY_REPORT_TYPES:
        period = latest_periods(report_type, today, count=1)[0]
        due = due_date(report_type, period)
        days_left = (due - today).days
        label = ReportType(report_type).label
        url = reverse("reports:statutory") + f"?type={report_type}&period={period.key}"
        if days_left >= 0:
            window = _window(days_left)
            if window is None:
                continue
            for hospital in unconfirmed_hospitals(report_type=report_type, period=period):
                sent += len(
                    notify(
                        event=EventKind.STATUTORY_TABLE_DUE,
                        recipients=hospital_officers(hospital),
                        title=_("请于 %(due)s 前确认%(period)s%(label)s(还有 %(days)d 天)")
                        % {"due": due, "period": period.label, "label": label, "days": days_left},
                        body=_("%(hospital)s 尚未确认%(period)s%(label)s,请核对数据后确认。")
                        % {"hospital": hospital.name, "period": period.label, "label": label},
                        url=url,
                        obj=hospital,
                        occurrence=f"statutory:{report_type}:{period.key}:within:{window}",
                    )
                )
            continue
        late = -days_left
        if late > OVERDUE_FOR_DAYS or (late - 1) % OVERDUE_REPEAT_DAYS:
            continue  # the day after the due date, then weekly
        for hospital in unconfirmed_hospitals(
            report_type=report_type, period=period
        ).select_related("region"):
            sent += len(
                notify(
                    event=EventKind.STATUTORY_TABLE_DUE,
                    recipients=hospital_officers(hospital)
                    + bureau_recipients(hospital.region, event=EventKind.STATUTORY_TABLE_DUE),
                    title=_("%(hospital)s 逾期未确认%(period)s%(label)s")
                    % {"hospital": hospital.name, "period": period.label, "label": label},
                    body=_("报送期限为 %(due)s。") % {"due": due},
                    url=url,
                    obj=hospital,
                    occurrence=f"statutory:{report_type}:{period.key}:overdue:{late}",
                )
            )
    return sent


REMINDER_RULES = (remind_statutory_tables,)

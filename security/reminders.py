"""4+N reminder rules, run by the notifications reminder scan.

- A 4+N item (standard or N) not yet met whose deadline is near → the hospital's officers and
  the bureau: once when it enters each reminder window (region setting security_reminder_days,
  default "30,7": within 30 days, within 7 days) and once when the deadline has passed.
- The half-year progress report (每半年报送) is due at the end of each half-year → officers of
  covered hospitals that have not submitted it, in the same windows; after the due date, once
  more to the officers and the bureau.
Windows, not exact days, so a scan that did not run on the exact day still sends (once).
"""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from hospitals.models import Hospital
from notifications.choices import EventKind
from notifications.recipients import RegionSettings, bureau_recipients, hospital_officers
from notifications.services import notify

from .choices import Half
from .selectors import (
    build_rows,
    half_year_of,
    half_year_reports_missing,
    previous_half_year,
    report_due_date,
)

# After the due date, a missing half-year report is still reported for this many days.
REPORT_OVERDUE_LOOKBACK_DAYS = 31
# A deadline that passed longer ago than this is on the 通报 list, not a fresh reminder (the
# plan's historical deadlines would otherwise flood everyone the day reminders are switched on).
PASSED_LOOKBACK_DAYS = 30


def _window(days_left: int, offsets: tuple[int, ...]) -> int | None:
    """The smallest offset the remaining days fall within, or None when outside all windows."""
    inside = [offset for offset in offsets if 0 <= days_left <= offset]
    return min(inside) if inside else None


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _active_hospitals():
    return Hospital.objects.filter(is_active=True)


def remind_item_deadlines(*, today: dt.date) -> int:
    settings = RegionSettings()
    sent = 0
    bureau_cache: dict[int, list] = {}
    for row in build_rows(_active_hospitals(), today=today):
        hospital = row.hospital
        offsets = settings.days(hospital.region, "security_reminder_days")
        for state in row.standard + row.custom:
            if state.is_met or state.deadline is None:
                continue
            days_left = state.days_left
            if days_left < -PASSED_LOOKBACK_DAYS:
                continue
            if days_left < 0:
                stage = "passed"
                title = _("%(hospital)s 4+N 项目“%(item)s”已超过期限 %(days)s 天") % {
                    "hospital": hospital.name,
                    "item": state.label,
                    "days": -days_left,
                }
            else:
                window = _window(days_left, offsets)
                if window is None:
                    continue
                stage = f"within:{window}"
                title = _("%(hospital)s 4+N 项目“%(item)s”距期限还有 %(days)s 天") % {
                    "hospital": hospital.name,
                    "item": state.label,
                    "days": days_left,
                }
            if hospital.region_id not in bureau_cache:
                bureau_cache[hospital.region_id] = bureau_recipients(
                    hospital.region, event=EventKind.SECURITY_DEADLINE
                )
            item_id = state.item.pk if state.item else ""
            created = notify(
                event=EventKind.SECURITY_DEADLINE,
                recipients=hospital_officers(hospital) + bureau_cache[hospital.region_id],
                title=title,
                body=_("项目:%(number)s %(item)s\n期限:%(deadline)s\n当前状态:%(status)s")
                % {
                    "number": state.number,
                    "item": state.label,
                    "deadline": state.deadline.isoformat(),
                    "status": state.status_label,
                },
                url=_url("security:item", state.item.pk)
                if state.item
                else _url("security:hospital", hospital.pk),
                obj=hospital,
                occurrence=f"4n:{state.kind}:{item_id}:{state.deadline.isoformat()}:{stage}",
            )
            sent += len(created)
    return sent


def remind_half_year_report(*, today: dt.date) -> int:
    settings = RegionSettings()
    sent = 0
    year, half = half_year_of(today)
    due = report_due_date(year, half)
    days_left = (due - today).days
    period = _("%(year)s年%(half)s") % {
        "year": year,
        "half": Half(half).label,
    }
    for hospital in half_year_reports_missing(year, half, hospitals=_active_hospitals()):
        window = _window(days_left, settings.days(hospital.region, "security_reminder_days"))
        if window is None:
            continue
        created = notify(
            event=EventKind.HALF_YEAR_REPORT_DUE,
            recipients=hospital_officers(hospital),
            title=_("请于 %(due)s 前报送%(period)s 4+N 建设进展(还有 %(days)s 天)")
            % {"due": due, "period": period, "days": days_left},
            body=_("%(hospital)s 尚未报送%(period)s的 4+N 建设进展报告(报卫健局和公安机关)。")
            % {"hospital": hospital.name, "period": period},
            url=_url("security:reports", hospital.pk),
            obj=hospital,
            occurrence=f"half-year:{year}-{half}:within:{window}",
        )
        sent += len(created)

    prev_year, prev_half = previous_half_year(year, half)
    prev_due = report_due_date(prev_year, prev_half)
    if (today - prev_due).days <= REPORT_OVERDUE_LOOKBACK_DAYS:
        prev_period = _("%(year)s年%(half)s") % {
            "year": prev_year,
            "half": Half(prev_half).label,
        }
        for hospital in half_year_reports_missing(
            prev_year, prev_half, hospitals=_active_hospitals()
        ):
            created = notify(
                event=EventKind.HALF_YEAR_REPORT_DUE,
                recipients=hospital_officers(hospital)
                + bureau_recipients(hospital.region, event=EventKind.HALF_YEAR_REPORT_DUE),
                title=_("%(hospital)s 逾期未报送%(period)s 4+N 建设进展")
                % {"hospital": hospital.name, "period": prev_period},
                body=_("报送期限为 %(due)s。") % {"due": prev_due},
                url=_url("security:reports", hospital.pk),
                obj=hospital,
                occurrence=f"half-year:{prev_year}-{prev_half}:overdue",
            )
            sent += len(created)
    return sent


REMINDER_RULES = (remind_item_deadlines, remind_half_year_report)

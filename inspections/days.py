"""The one rule for "which date is this month's inspection day": assignment generation (and so
reminders and "missed", which follow the assignment's due date) and the officer's "next
inspection day" all ask `inspection_day`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from core.dates import day_in_month
from core.workdays import next_working_day
from hospitals.choices import InspectionDayShift

from .choices import AssignmentKind

DAY_SETTINGS = {
    AssignmentKind.SELF: "self_inspection_day",
    AssignmentKind.LINKED: "linked_inspection_day",
}


def inspection_day(
    *, kind: str, year: int, month: int, setting: Callable[[str], object]
) -> dt.date:
    """The date of `kind`'s inspection day in a month for a region. `setting(name)` reads the
    region's (inherited) settings: `region.setting`, or an in-memory equivalent when many
    hospitals are generated at once.

    The nominal day is the configured day of the month (the month's last day when shorter).
    With the "next working day" setting a weekend or a statutory holiday moves it forward to
    the next official working day, which may fall in the following month; the assignment
    still belongs to its own month."""
    nominal = day_in_month(year, month, int(setting(DAY_SETTINGS[kind])))
    if setting("inspection_day_shift") == InspectionDayShift.NEXT_WORKDAY:
        return next_working_day(nominal)
    return nominal

"""One home for "today": every deadline, overdue and missed rule asks this module."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """The current date in the site's time zone (Asia/Shanghai), not the server's UTC date."""
    return timezone.localdate()


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """The given day of a month, or the month's last day when the month is shorter."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last))


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def quarter_of(date: dt.date) -> int:
    return (date.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 3 * (quarter - 1) + 1
    start = dt.date(year, first_month, 1)
    end = day_in_month(year, first_month + 2, 31)
    return start, end


def half_year_bounds(year: int, half: int) -> tuple[dt.date, dt.date]:
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), day_in_month(year, month, 31)

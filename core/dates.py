"""One home for "today": every deadline, overdue and missed rule asks this module."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _


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


# ---- "as of" instants ------------------------------------------------------------------------
# Every figure for a period is computed as of one instant (ARCHITECTURE.md "Figures have an
# as of"). The instant is an aware datetime; a date stands for the end of that local day.


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of a local (Asia/Shanghai) day: "as of 2026-10-31" counts everything
    done on the 31st. Printed as "2026-10-31 24:00" by `format_as_of`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def as_of_instant(value: dt.datetime | dt.date | None = None) -> dt.datetime:
    """Normalise an "as of": None → now, a date → the end of that day, a datetime → itself."""
    if value is None:
        return timezone.now()
    if isinstance(value, dt.datetime):
        return value
    return end_of_day(value)


def as_of_date(value: dt.datetime | dt.date | None = None) -> dt.date:
    """The local date D of an "as of" instant T (deadlines, found and closed dates are dates)."""
    return timezone.localdate(as_of_instant(value))


def format_as_of(value: dt.datetime | dt.date | None = None) -> str:
    """ "2026-10-31 24:00" for the end of a day, "2026-11-28 15:07" for any other instant."""
    local = timezone.localtime(as_of_instant(value))
    if local.time() == dt.time.max:
        return f"{local:%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


def as_of_text(as_of: dt.datetime | dt.date | None = None) -> str:
    """The statement every page and workbook with figures prints, e.g. "数据截至 2026-10-31
    24:00" (None: now)."""
    return _("数据截至 %(as_of)s") % {"as_of": format_as_of(as_of)}

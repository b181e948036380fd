"""Working days on China's official calendar: weekends, statutory holidays and the 调休
working weekends, from the `chinesecalendar` package (the State Council's yearly notice).

The package carries a table per year and raises for a year it does not know yet (the notice
for year Y is published around December of Y-1, and a new package release follows). Then we
fall back to "Monday to Friday" and log a warning once per year and process, so inspection
days keep being computed and somebody notices that the package needs upgrading.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

import chinese_calendar

logger = logging.getLogger(__name__)

# A holiday is at most about nine days plus the weekend around it; a bound keeps a broken table
# from looping forever.
MAX_SHIFT_DAYS = 31


@functools.cache
def _warn_unknown_year(year: int) -> None:
    logger.warning(
        "chinesecalendar %s has no holiday table for %s: treating only weekends as days off. "
        "Upgrade chinesecalendar in requirements.txt once the State Council publishes it.",
        getattr(chinese_calendar, "__version__", "?"),
        year,
    )


def is_working_day(day: dt.date) -> bool:
    """True on an official working day (including a 调休 Saturday or Sunday)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    for offset in range(MAX_SHIFT_DAYS + 1):
        candidate = day + dt.timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {MAX_SHIFT_DAYS} days of {day}")

"""Reporting periods: a month, quarter, half year, ISO week, year or custom date range.

A period has a stable key (`2026-07`, `2026-Q3`, `2026-H1`, `2026-W27`, `2026`,
`2026-07-01..2026-07-31`) used in URLs, the management command and the uniqueness of
system-generated reports, and a Chinese label used in titles and file names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import (
    add_months,
    as_of_text,
    end_of_day,
    half_year_bounds,
    month_bounds,
    quarter_bounds,
    quarter_of,
)
from core.errors import DomainError

from .choices import PeriodKind

__all__ = ["Period", "PeriodError", "as_of_for", "as_of_text"]  # as_of_text: core.dates

MAX_CUSTOM_DAYS = 366 * 3


class PeriodError(DomainError, ValueError):
    """A period that cannot be read or is out of range; also a ValueError for old callers."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start, end = month_bounds(year, month)
        return cls(PeriodKind.MONTH, start, end)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start, end = quarter_bounds(year, quarter)
        return cls(PeriodKind.QUARTER, start, end)

    @classmethod
    def half_year(cls, year: int, half: int) -> Period:
        start, end = half_year_bounds(year, half)
        return cls(PeriodKind.HALF_YEAR, start, end)

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        start = dt.date.fromisocalendar(year, week, 1)
        return cls(PeriodKind.WEEK, start, start + dt.timedelta(days=6))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def custom(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise PeriodError(_("结束日期不能早于开始日期。"))
        if (end - start).days > MAX_CUSTOM_DAYS:
            raise PeriodError(_("自定义期间最长为三年。"))
        return cls(PeriodKind.CUSTOM, start, end)

    @classmethod
    def containing(cls, kind: str, date: dt.date) -> Period:
        if kind == PeriodKind.MONTH:
            return cls.month(date.year, date.month)
        if kind == PeriodKind.QUARTER:
            return cls.quarter(date.year, quarter_of(date))
        if kind == PeriodKind.HALF_YEAR:
            return cls.half_year(date.year, 1 if date.month <= 6 else 2)
        if kind == PeriodKind.WEEK:
            iso = date.isocalendar()
            return cls.week(iso.year, iso.week)
        if kind == PeriodKind.YEAR:
            return cls.year(date.year)
        raise PeriodError(_("无法确定期间。"))

    @classmethod
    def parse(cls, key: str) -> Period:
        """Parse a period key; raises PeriodError with a translated message."""
        key = (key or "").strip().upper()
        try:
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", key):
                month = int(m[2])
                if not 1 <= month <= 12:
                    raise PeriodError(_("月份应为 1-12。"))
                return cls.month(int(m[1]), month)
            if m := re.fullmatch(r"(\d{4})-?Q([1-4])", key):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-?H([12])", key):
                return cls.half_year(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-?W(\d{1,2})", key):
                return cls.week(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})", key):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", key):
                return cls.custom(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
        except ValueError as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(_("期间“%(key)s”无效。") % {"key": key}) from exc
        raise PeriodError(
            _(
                "无法识别期间“%(key)s”,示例:2026-07、2026-Q3、2026-H1、2026-W27、2026、2026-07-01..2026-07-31。"
            )
            % {"key": key}
        )

    # ---- presentation -------------------------------------------------------------------
    @property
    def key(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{quarter_of(self.start)}"
        if self.kind == PeriodKind.HALF_YEAR:
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        if self.kind == PeriodKind.WEEK:
            iso = self.start.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == PeriodKind.MONTH:
            return _("%(year)d年%(month)d月") % {"year": year, "month": self.start.month}
        if self.kind == PeriodKind.QUARTER:
            # Bureaus write quarters in Chinese numerals: 第三季度, not 第3季度.
            quarter_labels = (
                _("%(year)d年第一季度"),
                _("%(year)d年第二季度"),
                _("%(year)d年第三季度"),
                _("%(year)d年第四季度"),
            )
            return quarter_labels[quarter_of(self.start) - 1] % {"year": year}
        if self.kind == PeriodKind.HALF_YEAR:
            if self.start.month == 1:
                return _("%(year)d年上半年") % {"year": year}
            return _("%(year)d年下半年") % {"year": year}
        if self.kind == PeriodKind.WEEK:
            iso = self.start.isocalendar()
            return _("%(year)d年第%(week)d周(%(start)s至%(end)s)") % {
                "year": iso.year,
                "week": iso.week,
                "start": self.start.strftime("%m.%d"),
                "end": self.end.strftime("%m.%d"),
            }
        if self.kind == PeriodKind.YEAR:
            return _("%(year)d年") % {"year": year}
        return _("%(start)s至%(end)s") % {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    def __str__(self) -> str:
        return self.label

    # ---- arithmetic ---------------------------------------------------------------------
    def previous(self) -> Period:
        """The period of the same kind just before this one (same length for custom ranges)."""
        if self.kind == PeriodKind.MONTH:
            return Period.month(*add_months(self.start.year, self.start.month, -1))
        if self.kind == PeriodKind.QUARTER:
            year, month = add_months(self.start.year, self.start.month, -3)
            return Period.quarter(year, quarter_of(dt.date(year, month, 1)))
        if self.kind == PeriodKind.HALF_YEAR:
            if self.start.month == 1:
                return Period.half_year(self.start.year - 1, 2)
            return Period.half_year(self.start.year, 1)
        if self.kind == PeriodKind.WEEK:
            return Period.containing(PeriodKind.WEEK, self.start - dt.timedelta(days=7))
        if self.kind == PeriodKind.YEAR:
            return Period.year(self.start.year - 1)
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return Period(PeriodKind.CUSTOM, end - length, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[tuple[int, int]]:
        """(year, month) pairs the period touches, in order."""
        result = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            result.append((year, month))
            year, month = add_months(year, month, 1)
        return result

    def contains(self, date: dt.date) -> bool:
        return self.start <= date <= self.end


def as_of_for(period: Period, now: dt.datetime | None = None) -> dt.datetime:
    """THE instant a period's figures are computed as of: the end of its last day (Asia/Shanghai)
    once it is over, or `now` (default: the current time) while it still runs or when its end
    lies in the future. Every figure, page and workbook of the period takes this instant, so a
    past period's report gives the same numbers whenever it is (re)built."""
    now = now or timezone.now()
    return min(end_of_day(period.end), now)

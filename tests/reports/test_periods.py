from __future__ import annotations

import datetime as dt

import pytest

from reports.periods import Period, PeriodError

d = dt.date


@pytest.mark.parametrize(
    ("key", "start", "end", "label"),
    [
        ("2026-07", d(2026, 7, 1), d(2026, 7, 31), "2026年7月"),
        ("2024-02", d(2024, 2, 1), d(2024, 2, 29), "2024年2月"),
        ("2026-Q3", d(2026, 7, 1), d(2026, 9, 30), "2026年第三季度"),
        ("2026q4", d(2026, 10, 1), d(2026, 12, 31), "2026年第四季度"),
        ("2026-H1", d(2026, 1, 1), d(2026, 6, 30), "2026年上半年"),
        ("2026-H2", d(2026, 7, 1), d(2026, 12, 31), "2026年下半年"),
        ("2026-W01", d(2025, 12, 29), d(2026, 1, 4), "2026年第1周(12.29至01.04)"),
        ("2026", d(2026, 1, 1), d(2026, 12, 31), "2026年"),
        ("2026-07-03..2026-07-09", d(2026, 7, 3), d(2026, 7, 9), "2026-07-03至2026-07-09"),
    ],
)
def test_period_keys_parse_to_bounds_and_labels(key, start, end, label):
    period = Period.parse(key)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert Period.parse(period.key) == period


@pytest.mark.parametrize(
    ("key", "previous"),
    [
        ("2026-01", "2025-12"),
        ("2026-Q1", "2025-Q4"),
        ("2026-H1", "2025-H2"),
        ("2026-W01", "2025-W52"),
        ("2026", "2025"),
        ("2026-07-03..2026-07-09", "2026-06-26..2026-07-02"),
    ],
)
def test_previous_period(key, previous):
    assert Period.parse(key).previous().key == previous


@pytest.mark.parametrize(
    "key", ["", "2026-13", "2026-Q5", "2026-W60", "abc", "2026-09-30..2026-07-01"]
)
def test_bad_period_keys_raise_a_translated_error(key):
    with pytest.raises(PeriodError):
        Period.parse(key)


def test_months_of_a_period():
    assert Period.parse("2026-Q4").months() == [(2026, 10), (2026, 11), (2026, 12)]
    assert Period.parse("2026-W01").months() == [(2025, 12), (2026, 1)]

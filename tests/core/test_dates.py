import datetime as dt

import time_machine

from core.dates import add_months, day_in_month, quarter_bounds, today


def test_day_31_in_february_falls_on_the_last_day():
    assert day_in_month(2026, 2, 31) == dt.date(2026, 2, 28)
    assert day_in_month(2028, 2, 31) == dt.date(2028, 2, 29)
    assert day_in_month(2026, 4, 31) == dt.date(2026, 4, 30)
    assert day_in_month(2026, 11, 15) == dt.date(2026, 11, 15)


def test_add_months_crosses_year_ends():
    assert add_months(2026, 12, 1) == (2027, 1)
    assert add_months(2026, 1, -1) == (2025, 12)


def test_quarter_bounds():
    assert quarter_bounds(2026, 1) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


@time_machine.travel(dt.datetime(2026, 11, 14, 17, 30, tzinfo=dt.UTC), tick=False)
def test_today_is_the_shanghai_date_not_the_utc_date():
    # 17:30 UTC on the 14th is 01:30 on the 15th in Shanghai: the inspection day has begun.
    assert today() == dt.date(2026, 11, 15)

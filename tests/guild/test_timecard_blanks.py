"""A blank meal cell arrives from ingest as pandas' NA: it means "no meal", not a broken timecard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from prodlib.checks.timecards import clock, parse_day


def test_pandas_na_is_no_time() -> None:
    assert clock(pd.NA) is None
    assert clock(None) is None
    assert clock(" ") is None


def test_a_day_without_second_meal_still_counts() -> None:
    # Call 15:30, lunch 21:30-22:00, wrap 27:15 (03:15 next morning), no second meal:
    # 27.25 - 15.5 - 0.5 = 11.25 hours worked, which is 8 straight + 3.25 at time and a half.
    day = parse_day("E1", date(2026, 3, 3), "15:30", "21:30", "22:00", pd.NA, pd.NA, "27:15")
    assert day.worked == Decimal("11.25")

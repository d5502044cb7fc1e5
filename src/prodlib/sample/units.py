"""The integer units the generator computes in: day numbers, and cents with their half-up division.

Every generated date is a day number (days since 1970-01-01) until a writer formats it; every
amount is integer cents (a rate times quarter hours, divided exactly), so no float reaches a file.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)
#: A day-number column's "no date" (weekly and flat payroll lines have no work date).
NO_DATE = -1


def day_number(d: date) -> int:
    """Days since 1970-01-01: the integer form every generated date column uses."""
    return (d - EPOCH).days


def to_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def weekdays(start: date, end: date) -> np.ndarray:
    """Day numbers of the Mondays to Fridays from ``start`` to ``end``, both included."""
    days = np.arange(day_number(start), day_number(end) + 1, dtype=np.int64)
    return days[(days + 3) % 7 < 5]  # 1970-01-01 was a Thursday (3 with Monday = 0)


def week_ending(days: np.ndarray) -> np.ndarray:
    """Week ending (Saturday) of each day: the payroll period end."""
    return days + (5 - (days + 3) % 7)


def half_up_div(x: np.ndarray, d: int) -> np.ndarray:
    """Integer x / d rounded half away from zero: ``money.round_cents`` on exact integer fractions,
    vectorized over whole payroll columns (cents times quarter hours over 4, etc.)."""
    ax = np.abs(x)
    return np.sign(x) * ((2 * ax + d) // (2 * d))

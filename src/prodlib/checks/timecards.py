"""Timecard arithmetic for the day rules of prodlib.checks: worked hours, daily bands, meal penalties,
rest periods (exact Decimal hours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from prodlib.checks.base import memo_slot
from prodlib.money import round_cents
from prodlib.rules.work import Band, WorkRules

SIXTY = Decimal(60)


def clock(text: str | None, after: Decimal | None = None) -> Decimal | None:
    """'HH:MM' as hours from midnight of the work date; a time earlier than ``after`` is the next day."""
    if text is None or (not isinstance(text, str) and pd.isna(text)) or str(text).strip() == "":
        return None  # None, NaN and pandas' NA (a blank cell of a string column) are all "no time"
    h = _hours(str(text).strip())
    if after is not None and h < after:
        h += 24
    return h


@lru_cache(maxsize=4096)
def _hours(text: str) -> Decimal:
    """'HH:MM' as hours (a studio's timecards repeat a few hundred clock times: each is read once)."""
    hh, mm = text.split(":")
    return Decimal(int(hh)) + Decimal(int(mm)) / SIXTY


@dataclass(frozen=True)
class Day:
    """One employee's day on a timecard, in hours from midnight of the work date (past midnight: +24).

    Attributes:
        employee_id: the person.
        work_date: the day worked.
        call: call time.
        wrap: wrap time.
        meals: unpaid meal periods, (out, in).
    """

    employee_id: str
    work_date: date
    call: Decimal
    wrap: Decimal
    meals: tuple[tuple[Decimal, Decimal], ...]  # (out, in), hours from midnight

    @property
    def worked(self) -> Decimal:
        """wrap - call - unpaid meals."""
        return self.wrap - self.call - sum((i - o for o, i in self.meals), Decimal(0))

    @property
    def span(self) -> Decimal:
        return self.wrap - self.call


def parse_day(employee_id: str, work_date: date, call: str, m1o: str | None, m1i: str | None,
              m2o: str | None, m2i: str | None, wrap: str) -> Day:
    c = clock(call)
    if c is None:
        raise ValueError("call_time is required")
    meals = []
    for o_t, i_t in ((m1o, m1i), (m2o, m2i)):
        o, i = clock(o_t, c), clock(i_t, c)
        if (o is None) != (i is None):
            raise ValueError("a meal needs both out and in times")
        if o is not None:
            meals.append((o, i))
    w = clock(wrap, c)
    if w is None:
        raise ValueError("wrap_time is required")
    return Day(employee_id, work_date, c, w, tuple(meals))


def band_hours(worked: Decimal, bands: tuple[Band, ...]) -> list[tuple[Band, Decimal]]:
    """Hours of the day falling in each band (0-8, 8-12, 12+ ...)."""
    out = []
    for b in bands:
        top = worked if b.end is None else min(worked, b.end)
        out.append((b, max(Decimal(0), top - b.start)))
    return out


def day_kind(index: int, rules: WorkRules) -> str:
    """The kind of the ``index``-th distinct day worked in the workweek (1-based): normal, sixth_day or
    seventh_day (which band table of ``rules`` prices it)."""
    return ("seventh_day" if index >= rules.seventh_day_index else
            "sixth_day" if index >= rules.sixth_day_index else "normal")


def day_wages(worked: Decimal, base: Decimal, bands: tuple[Band, ...]) -> dict[str, Decimal]:
    """What a day's worked hours earn at ``base`` per earning type: each band's hours x base x its
    multiplier, rounded to the cent per band (the pay the overtime rules require, and the gross the
    timecard reconciliation expects). Bands with no hours are left out."""
    out: dict[str, Decimal] = {}
    for band, h in band_hours(worked, bands):
        if h > 0:
            out[band.earning_type] = out.get(band.earning_type, Decimal(0)) + round_cents(h * base * band.multiplier)
    return out


def meal_penalty_due(day: Day, rules: WorkRules) -> Decimal:
    """Penalty for each meal period that started late (or never) by more than ``meal_within`` hours.

    Counted per half hour or part of it: the steps (7.50, 10.00), then ``meal_each_further`` each.
    """
    due = Decimal(0)
    start = day.call
    meals = list(day.meals)
    while True:
        deadline = start + rules.meal_within
        if day.wrap <= deadline:
            break
        nxt = meals.pop(0) if meals else None
        late_until = day.wrap if nxt is None else nxt[0]
        if late_until > deadline:
            late = late_until - deadline
            halves = int((late * 2).to_integral_value(rounding="ROUND_CEILING"))
            for k in range(halves):
                due += rules.meal_steps[k] if k < len(rules.meal_steps) else rules.meal_each_further
        if nxt is None:
            break
        start = nxt[1]
    return due


#: A timecard's clock columns, in the order of the day.
CLOCK_COLUMNS = ("call_time", "meal1_out", "meal1_in", "meal2_out", "meal2_in", "wrap_time")
_HHMM = r"^\s*(\d{1,2}):([0-5]\d)\s*$"


@dataclass(frozen=True)
class CardClocks:
    """A timecard frame's clock times in whole minutes from midnight of the work date, as :func:`clock`
    reads them (a time earlier than call is the next day), vectorized.

    Attributes:
        minutes: column name -> int64 minutes per row (-1 where the cell is blank or unreadable).
        blank: column name -> which rows have no time in the column.
        unreadable: column name -> which rows have text that is not ``H:MM`` / ``HH:MM``.
    """

    minutes: dict[str, np.ndarray]
    blank: dict[str, np.ndarray]
    unreadable: dict[str, np.ndarray]


_CLOCKS = memo_slot()  # timecard_readable and impossible_timecard read the same frame in one phase


def card_clocks(frame: pd.DataFrame) -> CardClocks:
    """The clock times of every timecard of ``frame`` (a column it lacks is blank), read once per frame
    of a phase (``checks.base.forget`` empties the memo when the phase ends)."""
    if _CLOCKS and _CLOCKS[0][0] is frame:
        return _CLOCKS[0][1]
    clocks = _card_clocks(frame)
    _CLOCKS[:] = [(frame, clocks)]
    return clocks


def _card_clocks(frame: pd.DataFrame) -> CardClocks:
    n = len(frame)
    minutes, blank, unreadable = {}, {}, {}
    for c in CLOCK_COLUMNS:
        text = (frame[c].astype("string") if c in frame else pd.Series(pd.NA, index=frame.index, dtype="string"))
        empty = (text.isna() | (text.str.strip() == "")).to_numpy(dtype=bool)
        parts = text.str.extract(_HHMM)
        ok = parts[0].notna().to_numpy(dtype=bool)
        hh = pd.to_numeric(parts[0]).fillna(0).to_numpy(dtype=np.int64)
        mm = pd.to_numeric(parts[1]).fillna(0).to_numpy(dtype=np.int64)
        minutes[c] = np.where(ok, hh * 60 + mm, -1) if n else np.zeros(0, np.int64)
        blank[c], unreadable[c] = empty, ~ok & ~empty
    call = minutes["call_time"]
    for c in CLOCK_COLUMNS[1:]:
        v = minutes[c]
        minutes[c] = np.where((v >= 0) & (call >= 0) & (v < call), v + 1440, v)
    return CardClocks(minutes, blank, unreadable)

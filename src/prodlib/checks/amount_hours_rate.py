"""An hourly earning line's amount is its hours x its rate, within a cent.

For REG, OT_1_5, OT_2, OT_3, SIXTH_DAY and SEVENTH_DAY lines that carry hours and a rate, the amount
must be ``round_cents(hours x rate x k)`` within 0.01, where ``k`` is either the earning type's
multiplier in the work-rule bands in force on the line's date (work date, else period end): the line
carries the person's base rate, as the sample payroll house writes it (OT_1_5 at rate 45.00 pays
hours x 45.00 x 1.5); or 1: the line carries the premium rate itself, as many registers print it
(OT_1_5 at rate 67.50 pays hours x 67.50). For REG the two are one. Whether the premium paid is the
premium due is the overtime rules' question (timecards); this rule checks the line's own arithmetic,
so a line whose amount is neither (a typed amount, hours changed after pricing) never reaches the
fringes. A line with no schedule in force is left to ``schedule_in_force``."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.checks.base import CheckContext, Finding, as_text, split
from prodlib.money import AMOUNT_BOUND, CENT, MONEY_TYPE, QUANTITY_TYPE, round_cents, round_cents_column
from prodlib.reasons import Reason
from prodlib.rules.work import WorkRules
from prodlib.values import column_values, py_date, py_decimal

NAME = "amount_hours_rate"
REASONS = (Reason.AMOUNT_NOT_HOURS_TIMES_RATE,)

#: The earning types whose amount is hours x rate (x their multiplier).
HOURLY_EARNINGS = ("REG", "OT_1_5", "OT_2", "OT_3", "SIXTH_DAY", "SEVENTH_DAY")


def multipliers(rules: WorkRules) -> dict[str, Decimal]:
    """Each earning type's multiplier in the schedule's daily bands (a type priced two ways is left out)."""
    seen: dict[str, set[Decimal]] = {}
    for bands in rules.bands.values():
        for b in bands:
            seen.setdefault(b.earning_type, set()).add(b.multiplier)
    return {et: next(iter(ms)) for et, ms in seen.items() if len(ms) == 1}


def _decimal(frame: pd.DataFrame, column: str, type_: pa.DataType) -> pa.Array:
    arr = pa.array(frame[column])
    return arr.cast(type_) if arr.type != type_ else arr


def _within_cent(amount: pa.Array, product: pa.Array) -> np.ndarray:
    # A product beyond the bound every amount keeps cannot be the amount (and would not fit the money type).
    beyond = pc.fill_null(pc.greater(pc.abs(product), pa.scalar(AMOUNT_BOUND, pa.decimal128(12, 2))), False)
    safe = pc.if_else(beyond, pa.scalar(Decimal(0), product.type), product)
    gap = pc.abs(pc.subtract(amount, round_cents_column(safe)))
    near = pc.fill_null(pc.less_equal(gap, pa.scalar(CENT, MONEY_TYPE)), True)
    return pc.and_(near, pc.invert(beyond)).to_numpy(zero_copy_only=False)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty or "hours" not in frame or "rate" not in frame:
        return split(frame, [])
    et = frame["earning_type"].astype("string")
    when = frame["work_date"] if "work_date" in frame else frame["period_end"]
    when = when.where(when.notna(), frame["period_end"])
    candidates = (et.isin(HOURLY_EARNINGS) & frame["hours"].notna() & frame["rate"].notna()
                  & frame["amount"].notna()).to_numpy(dtype=bool)
    if not candidates.any():
        return split(frame, [])
    # The multiplier of each (date, earning type): few distinct pairs, looked up once each.
    pairs = pd.MultiIndex.from_arrays([as_text(when), et.fillna("")])
    codes, uniques = pd.factorize(pairs)
    mult: list[Decimal | None] = []
    for day_text, earning in uniques:
        rules = context.work.in_force(py_date(day_text)) if day_text else None
        mult.append(multipliers(rules).get(earning) if rules is not None else None)
    bad = np.zeros(len(frame), dtype=bool)
    factor = np.array([m if m is not None else Decimal(0) for m in mult], dtype=object)[codes]
    known = np.array([m is not None for m in mult], dtype=bool)[codes] & candidates
    hours, rate = _decimal(frame, "hours", QUANTITY_TYPE), _decimal(frame, "rate", QUANTITY_TYPE)
    amount = _decimal(frame, "amount", MONEY_TYPE)
    straight = pc.multiply_checked(hours, rate)  # exact: decimal128(29, 8)
    as_written = _within_cent(amount, straight)  # the line carries its premium rate (or is REG)
    for m in {x for x in mult if x is not None}:
        rows = np.flatnonzero(known & (factor == m))
        if not len(rows):
            continue
        take = pa.array(rows)
        scaled = pc.multiply_checked(pc.take(straight, take), pa.scalar(m, pa.decimal128(6, 3)))
        base_rate = _within_cent(pc.take(amount, take), scaled)
        bad[rows] = ~(base_rate | as_written[rows])
    positions = np.flatnonzero(bad)
    sel = frame.iloc[positions]
    findings = []
    for p, t, h, r, a in zip(positions, *(column_values(sel, c) for c in ("earning_type", "hours", "rate", "amount")),
                             strict=True):
        h, r = py_decimal(h), py_decimal(r)
        m = factor[p]
        findings.append(Finding(
            int(p), Reason.AMOUNT_NOT_HOURS_TIMES_RATE, "amount",
            f"{t}: {h} h x {r} = {round_cents(h * r)}" + (f", x {m} = {round_cents(h * r * m)}" if m != 1 else "")
            + f"; the line pays {a}"))
    return split(frame, findings)

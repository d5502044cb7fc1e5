"""A wage line pays at least the guild scale minimum in force for its classification (at the
production's budget tier where the minimum is tiered): hourly rates on REG lines, day/week/flat
rates (or amounts) on REG and FLAT lines. Premium lines are checked against timecards instead, and
negative lines as reversals.

A flat deal (a WGA screenplay) is paid in installments, so the minimum is compared with the deal,
never with one installment. The work is (employee, work type, ``deal_id`` when the register has
one). Per line, in this order: a declared ``deal_amount`` is compared (short: BELOW_SCALE); else a
``rate`` (the deal's price as the register writes it; short: BELOW_SCALE); else the sum of the
work's installments in this file, compared with the minimum in force at its earliest period end:

- at or above the minimum, the deal is at least that much, so it is at scale: the lines pass;
- below it, the deal is NOT known (installments in other files or still to come are not seen; a
  commencement payment is a fraction of the deal by design), so nothing says the writer is paid
  below scale: each line is DEAL_AMOUNT_MISSING (field ``deal_amount``), never BELOW_SCALE. Like
  BUDGET_TIER_MISSING, it is a fact the check needs and the input does not give: the line waits in
  the quarantine for review until the register (or a correction) declares the deal's amount, as a
  payroll accountant reads a deal memo before signing off a writer's payment; posting it with no
  word would let a below-scale deal through unseen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.checks.base import WAGES, CheckContext, Finding, shapes_of, split
from prodlib.reasons import Reason
from prodlib.rules.scale import ScaleMinimum
from prodlib.values import column_values, py_date

NAME = "scale_minimum"
REASONS = (Reason.NO_SCHEDULE_IN_FORCE, Reason.BELOW_SCALE, Reason.DEAL_AMOUNT_MISSING)


def _arrow(frame: pd.DataFrame, column: str) -> pa.Array | None:
    """The whole column as one Arrow array (taken per shape by :func:`_rows`); None when absent."""
    if column not in frame:
        return None
    arr = pa.array(frame[column])
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _rows(column: pa.Array | None, rows: np.ndarray) -> pa.Array:
    """A shape's cells of a column (all null when the frame has no such column)."""
    return pa.nulls(len(rows)) if column is None else column.take(pa.array(rows, pa.int64()))


def _below(values: pa.Array, bound: pa.Array | pa.Scalar) -> np.ndarray:
    """values < bound, exactly (decimals compared as decimals); null is not below."""
    if pa.types.is_null(values.type):
        return np.zeros(len(values), dtype=bool)
    return pc.fill_null(pc.less(values, bound), False).to_numpy(zero_copy_only=False).astype(bool)


def _declared(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` declare a deal amount."""
    if "deal_amount" not in frame:
        return np.zeros(len(rows), dtype=bool)
    return ~frame["deal_amount"].iloc[rows].isna().to_numpy(dtype=bool)


def _minimum(shape: tuple, context: CheckContext) -> ScaleMinimum | Finding | None:
    union, cls, et, _, _, pe, _ = shape
    scale, tier = context.scale, context.production.budget_tier
    if et not in WAGES or not scale.known(union, cls) or (tier is None and scale.needs_tier(union, cls, pe)):
        return None
    sm = scale.lookup(union, cls, pe, tier)
    if sm is None:
        at = f" at the {tier} budget tier" if tier and scale.needs_tier(union, cls, pe) else ""
        return Finding(-1, Reason.NO_SCHEDULE_IN_FORCE, "period_end", f"no scale minimum for {union}/{cls} on {pe}{at}")
    return sm


def _deals(frame: pd.DataFrame, installments: list[tuple[np.ndarray, ScaleMinimum, str]]) -> list[Finding]:
    """Flat-deal lines without a rate, judged by their deal (see the module's docstring)."""
    pos = np.concatenate([rows for rows, _, _ in installments])
    sel = frame.iloc[pos]
    blank = [None] * len(pos)
    vals = {c: column_values(sel, c) if c in sel else blank
            for c in ("employee_id", "deal_id", "deal_amount", "amount", "period_end")}
    minimum_of = [sm for rows, sm, _ in installments for _ in rows]
    written = [cls for rows, _, cls in installments for _ in rows]
    works: dict[tuple, list[int]] = {}
    for k in range(len(pos)):
        sm = minimum_of[k]
        key = (vals["employee_id"][k], sm.union, sm.classification, "" if vals["deal_id"][k] is None
               else str(vals["deal_id"][k]))
        works.setdefault(key, []).append(k)
    out: list[Finding] = []
    for lines in works.values():
        first = min(lines, key=lambda k: py_date(vals["period_end"][k]))
        sm = minimum_of[first]
        total = sum((vals["amount"][k] for k in lines), start=0)
        for k in lines:
            cls = written[k]
            work = f" ({sm.classification})" if sm.classification != cls else ""
            at = f", {sm.budget_tier} budget tier" if sm.budget_tier else ""
            declared = vals["deal_amount"][k]
            if declared is not None:
                if declared < sm.minimum:
                    out.append(Finding(int(pos[k]), Reason.BELOW_SCALE, "deal_amount",
                                       f"deal_amount {declared} < scale {sm.minimum}/flat for {cls}{work}{at}"))
            elif total < sm.minimum:
                out.append(Finding(int(pos[k]), Reason.DEAL_AMOUNT_MISSING, "deal_amount",
                                   f"installments {total} ({len(lines)} line(s) of this file, a partial sum) < scale "
                                   f"{sm.minimum}/flat for {cls}{work}{at}, and no deal_amount says what the deal is: "
                                   f"declare it to compare the deal with scale"))
    return out


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    shapes = shapes_of(frame)
    findings: list[Finding] = []
    installments: list[tuple[np.ndarray, ScaleMinimum, str]] = []
    columns = {c: _arrow(frame, c) for c in ("amount", "rate", "hours")}  # once: a shape takes its rows
    for shape, rows in zip(shapes.values, shapes.members(), strict=True):
        sm = _minimum(shape, context)
        if sm is None:
            continue
        if isinstance(sm, Finding):
            findings.extend(Finding(int(p), sm.reason, sm.field, sm.detail) for p in rows)
            continue
        cls, et = shape[1], shape[2]
        amount, rate, hours = (_rows(columns[c], rows) for c in ("amount", "rate", "hours"))
        paid = pc.fill_null(pc.greater_equal(amount, pa.scalar(0, amount.type)), False) \
            .to_numpy(zero_copy_only=False).astype(bool)
        minimum = pa.scalar(sm.minimum)
        has_rate = ~np.asarray(rate.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        if sm.unit == "hour":
            if et != "REG":
                continue
            by_rate = paid & has_rate & _below(rate, minimum)
            by_amount = np.zeros(len(rows), dtype=bool)
            if not pa.types.is_null(hours.type):
                by_amount = paid & ~has_rate & _below(amount, pc.multiply(hours, minimum))
            bad, kinds = np.flatnonzero(by_rate | by_amount), by_rate
        elif et in ("REG", "FLAT") and sm.unit == "flat":
            deal = paid & (~has_rate | _declared(frame, rows))
            if deal.any():
                installments.append((rows[deal], sm, cls))
            bad, kinds = np.flatnonzero(paid & ~deal & _below(rate, minimum)), has_rate
        elif et in ("REG", "FLAT"):
            below_rate = has_rate & _below(rate, minimum)
            below_amount = ~has_rate & _below(amount, minimum)
            bad, kinds = np.flatnonzero(paid & (below_rate | below_amount)), has_rate
        else:
            continue
        if not len(bad):
            continue
        sel = frame.iloc[rows[bad]]
        vals = {c: column_values(sel, c) if c in sel else [None] * len(bad) for c in ("amount", "rate", "hours")}
        for k, j in enumerate(bad):
            p, r, a, h = int(rows[j]), vals["rate"][k], vals["amount"][k], vals["hours"][k]
            if sm.unit == "hour":
                if kinds[j]:
                    findings.append(Finding(p, Reason.BELOW_SCALE, "rate",
                                            f"rate {r} < scale {sm.minimum}/hour for {cls}"))
                else:
                    findings.append(Finding(p, Reason.BELOW_SCALE, "amount",
                                            f"{a} for {h} h < scale {sm.minimum}/hour x {h} for {cls}"))
            else:
                value, fld = (r, "rate") if kinds[j] else (a, "amount")
                work = f" ({sm.classification})" if sm.classification != cls else ""
                at = f", {sm.budget_tier} budget tier" if sm.budget_tier else ""
                findings.append(Finding(p, Reason.BELOW_SCALE, fld,
                                        f"{fld} {value} < scale {sm.minimum}/{sm.unit} for {cls}{work}{at}"))
    if installments:
        findings += _deals(frame, installments)
    return split(frame, findings)

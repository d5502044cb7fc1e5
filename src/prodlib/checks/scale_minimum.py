"""A wage line pays at least the guild scale minimum in force for its classification (at the
production's budget tier where the minimum is tiered): hourly rates on REG lines, day/week/flat
rates (or amounts) on REG and FLAT lines. Premium lines are checked against timecards instead, and
negative lines as reversals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.checks.base import WAGES, CheckContext, Finding, shapes_of, split
from prodlib.reasons import Reason
from prodlib.rules.scale import ScaleMinimum
from prodlib.values import column_values

NAME = "scale_minimum"
REASONS = (Reason.NO_SCHEDULE_IN_FORCE, Reason.BELOW_SCALE)


def _arrow(frame: pd.DataFrame, column: str, rows: np.ndarray) -> pa.Array:
    if column not in frame:
        return pa.nulls(len(rows))
    return pa.array(frame[column].iloc[rows])


def _below(values: pa.Array, bound: pa.Array | pa.Scalar) -> np.ndarray:
    """values < bound, exactly (decimals compared as decimals); null is not below."""
    if pa.types.is_null(values.type):
        return np.zeros(len(values), dtype=bool)
    return pc.fill_null(pc.less(values, bound), False).to_numpy(zero_copy_only=False).astype(bool)


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


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    shapes = shapes_of(frame)
    findings: list[Finding] = []
    for shape, rows in zip(shapes.values, shapes.members(), strict=True):
        sm = _minimum(shape, context)
        if sm is None:
            continue
        if isinstance(sm, Finding):
            findings.extend(Finding(int(p), sm.reason, sm.field, sm.detail) for p in rows)
            continue
        cls, et = shape[1], shape[2]
        amount, rate, hours = (_arrow(frame, c, rows) for c in ("amount", "rate", "hours"))
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
    return split(frame, findings)

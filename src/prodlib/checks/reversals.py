"""A negative line is a reversal only if it reverses a positive line (same person, earning type, pay
period, work date and amount: a void carries the week ending of the check it voids); any other
negative amount is a negative gross. Each positive line is reversed at most once, in frame order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.checks.base import CheckContext, Finding, split, text
from prodlib.reasons import Reason
from prodlib.values import column_values

NAME = "reversals"
REASONS = (Reason.NEGATIVE_GROSS,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty:
        return split(frame, [])
    amount = pa.array(frame["amount"])
    zero = pa.scalar(0, amount.type)
    negative = pc.fill_null(pc.less(amount, zero), False).to_numpy(zero_copy_only=False).astype(bool)
    if not negative.any():
        return split(frame, [])
    positive = pc.fill_null(pc.greater(amount, zero), False).to_numpy(zero_copy_only=False).astype(bool)
    size = pd.Series(pc.abs(amount).cast(pa.string()).to_pandas(), index=frame.index).fillna("")
    key = (text(frame, "employee_id") + "\x1f" + text(frame, "earning_type") + "\x1f"
           + text(frame, "period_end") + "\x1f" + text(frame, "work_date") + "\x1f" + size)
    available = key[positive].value_counts()
    neg_keys = key[negative]
    nth = neg_keys.groupby(neg_keys).cumcount()  # 0 for a key's first negative line, 1 for its second...
    unmatched = (nth.to_numpy() >= neg_keys.map(available).fillna(0).to_numpy()).astype(bool)
    positions = np.flatnonzero(negative)[unmatched]
    sel = frame.iloc[positions]
    amounts, types, people = (column_values(sel, c) for c in ("amount", "earning_type", "employee_id"))
    return split(frame, [
        Finding(int(p), Reason.NEGATIVE_GROSS, "amount", f"amount {a} reverses no {t} payment of {-a} to {e}")
        for p, a, t, e in zip(positions, amounts, types, people, strict=True)
    ])

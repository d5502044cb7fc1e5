"""Negative hours are a reversal's mark only: a reversal carries negative hours AND a negative amount
(``reversals`` then asks whether it reverses a posted line). A negative quantity on a positive or zero
amount is a keying error that would subtract hours from the hour-based fringes (MPI per hour)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.reasons import Reason
from prodlib.values import column_values

NAME = "negative_hours"
REASONS = (Reason.NEGATIVE_HOURS,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty or "hours" not in frame:
        return split(frame, [])
    hours, amount = pa.array(frame["hours"]), pa.array(frame["amount"])
    negative = pc.fill_null(pc.less(hours, pa.scalar(0, hours.type)), False)
    not_a_reversal = pc.fill_null(pc.greater_equal(amount, pa.scalar(0, amount.type)), True)
    positions = np.flatnonzero(pc.and_(negative, not_a_reversal).to_numpy(zero_copy_only=False))
    sel = frame.iloc[positions]
    return split(frame, [
        Finding(int(p), Reason.NEGATIVE_HOURS, "hours",
                f"hours {h} on an amount of {a}: negative hours belong to a reversal, which has a negative amount")
        for p, h, a in zip(positions, column_values(sel, "hours"), column_values(sel, "amount"), strict=True)
    ])

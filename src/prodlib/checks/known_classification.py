"""The line's union classification is in the scale rules, and its hours are exact to 1e-4 h."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa

from prodlib.checks.base import CheckContext, Finding, per_shape, split
from prodlib.reasons import Reason
from prodlib.values import column_values, py_decimal

NAME = "known_classification"
REASONS = (Reason.UNKNOWN_CLASSIFICATION, Reason.MALFORMED_VALUE)
HOURS_QUANTUM = Decimal("0.0001")


def _hours_findings(frame: pd.DataFrame) -> list[Finding]:
    if "hours" not in frame:
        return []
    dtype = getattr(frame["hours"].dtype, "pyarrow_dtype", None)
    if dtype is not None and pa.types.is_decimal(dtype) and dtype.scale <= 4:
        return []  # the column's type already holds at most 4 decimals
    out = []
    for p, v in enumerate(column_values(frame, "hours")):
        h = py_decimal(v)
        if h is not None and h != h.quantize(HOURS_QUANTUM):
            out.append(Finding(p, Reason.MALFORMED_VALUE, "hours", f"hours {h} has more than 4 decimals"))
    return out


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    scale = context.scale

    def verdict(shape: tuple) -> tuple[Reason, str, str] | None:
        union, cls = shape[0], shape[1]
        if scale.known(union, cls):
            return None
        return (Reason.UNKNOWN_CLASSIFICATION, "classification",
                f"{union} / {cls!r} is not a classification in the scale rules")

    return split(frame, per_shape(frame, verdict) + _hours_findings(frame))

"""Every line's cost code resolves on the chart (its own code, else the source's default, else a keyword
rule on the description); an unresolvable line is quarantined, never guessed. :func:`resolve` gives
the resolution the classify stage writes onto the accepted rows."""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.reasons import Reason
from prodlib.values import column_values

NAME = "chart_resolution"
REASONS = (Reason.UNKNOWN_COST_CODE, Reason.AMBIGUOUS_COST_CODE, Reason.MISSING_COST_CODE)


def resolve(frame: pd.DataFrame, context: CheckContext) -> pd.DataFrame:
    """Each row's resolution (columns ``cost_code``, ``reason``, ``how``), indexed like ``frame``."""
    desc = frame["description"] if "description" in frame else pd.Series(pd.NA, index=frame.index)
    return context.chart.resolve_frame(frame["cost_code"], desc, context.default_cost_code)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if "cost_code" not in frame or frame.empty:
        return split(frame, [])
    res = resolve(frame, context)
    bad = res["reason"].notna().to_numpy(dtype=bool)
    positions = bad.nonzero()[0]
    sel = frame.iloc[positions]
    raw = [repr(v) for v in sel["cost_code"].astype("string").fillna("")]
    reasons = column_values(res.iloc[positions], "reason")
    how = column_values(res.iloc[positions], "how")
    return split(frame, [Finding(int(p), Reason(r), "cost_code", f"cost_code={v}: {h}")
                         for p, r, v, h in zip(positions, reasons, raw, how, strict=True)])

"""A cost code listed more than once in one budget: every line of that code is DUPLICATE_BUDGET_LINE.

Which figure is the budget cannot be told from the file (a line typed twice, two sub-lines that should
have been one, a revision pasted under the old figure), so neither line is taken: holding only the
second would lock the first figure in without anyone choosing it. The rest of the budget posts
(nothing else in it is in doubt); the held lines wait side by side, each naming the others' lines, until
the accountant releases the right one or fixes the file. Codes are compared after chart resolution,
so "2500-1" and "2500-01" are one code."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.reasons import Reason
from prodlib.values import column_values

NAME = "duplicate_budget_line"
REASONS = (Reason.DUPLICATE_BUDGET_LINE,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty or "cost_code" not in frame:
        return split(frame, [])
    codes = frame["cost_code"].astype("string")
    listed_twice = (codes.duplicated(keep=False) & codes.notna()).to_numpy(dtype=bool)
    positions = np.flatnonzero(listed_twice)
    if not len(positions):
        return split(frame, [])
    sel = frame.iloc[positions]
    lines = pd.Series(column_values(sel, "source_line"), index=sel.index).groupby(codes.iloc[positions]).agg(list)
    return split(frame, [
        Finding(int(p), Reason.DUPLICATE_BUDGET_LINE, "cost_code",
                f"cost code {c} is listed {len(lines[c])} times in this budget (lines "
                f"{', '.join(str(n) for n in lines[c])}); amount {a}")
        for p, c, a in zip(positions, codes.iloc[positions], column_values(sel, "amount"), strict=True)
    ])

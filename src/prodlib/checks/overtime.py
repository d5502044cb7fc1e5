"""Hours beyond the day's straight-time band are paid their overtime premium, recomputed from the
timecard at the person's REG rate (hourly unions).

Evaluated per employee-day with the other timecard rules (:mod:`prodlib.checks.days`: one finding a day).
"""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, split
from prodlib.checks.days import keep
from prodlib.reasons import Reason

NAME = "overtime"
REASONS = (Reason.OVERTIME_UNDERPAID,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(frame, keep(frame, context, REASONS))

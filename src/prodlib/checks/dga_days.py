"""A DGA assistant director's extended workday and short turnaround are paid their share of the
weekly minimum.

Evaluated per employee-day with the other timecard rules (:mod:`prodlib.checks.days`: one finding a day).
"""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, split
from prodlib.checks.days import keep
from prodlib.reasons import Reason

NAME = "dga_days"
REASONS = (Reason.DGA_EXTENDED_WORKDAY_UNPAID, Reason.DGA_TURNAROUND_UNPAID)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(frame, keep(frame, context, REASONS))

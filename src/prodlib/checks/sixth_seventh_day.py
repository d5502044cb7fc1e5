"""The 6th and 7th day worked in the workweek (the pay period) are paid their premium bands.

Evaluated per employee-day with the other timecard rules (:mod:`prodlib.checks.days`: one finding a day).
"""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, split
from prodlib.checks.days import keep
from prodlib.reasons import Reason

NAME = "sixth_seventh_day"
REASONS = (Reason.SIXTH_SEVENTH_DAY_UNPAID,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(frame, keep(frame, context, REASONS))

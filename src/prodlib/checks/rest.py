"""Hours that invade the rest period before a day are paid at the invaded-rest premium.

Evaluated per employee-day with the other timecard rules (:mod:`prodlib.checks.days`: one finding a day).
"""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, split
from prodlib.checks.days import keep
from prodlib.reasons import Reason

NAME = "rest"
REASONS = (Reason.INVADED_REST,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(frame, keep(frame, context, REASONS))

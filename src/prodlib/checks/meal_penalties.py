"""A meal period started late (or never) is paid its meal penalty, per half hour or part of it.

Evaluated per employee-day with the other timecard rules (:mod:`prodlib.checks.days`: one finding a day).
"""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, split
from prodlib.checks.days import keep
from prodlib.reasons import Reason

NAME = "meal_penalties"
REASONS = (Reason.MEAL_PENALTY_UNPAID,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(frame, keep(frame, context, REASONS))

"""Every plan that expects a contribution on the line has a rate in force on the line's date, and every
timecard day is covered by a work-rule schedule in force on its work date."""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, per_shape, split
from prodlib.checks.days import keep
from prodlib.eligibility import coverage
from prodlib.reasons import Reason

NAME = "schedule_in_force"
REASONS = (Reason.NO_SCHEDULE_IN_FORCE,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    def verdict(shape: tuple) -> tuple[Reason, str, str] | None:
        union, cls, et, state, ep, pe, _ = shape
        cov = coverage(context.plans, context.production, union, cls, et, state, ep, pe)
        if not cov.missing:
            return None
        return (Reason.NO_SCHEDULE_IN_FORCE, "period_end",
                f"no rate of plan(s) {', '.join(cov.missing)} in force for {union}/{cls}/{et}/{state} "
                f"(PP {cov.pp_date}, period end {pe})")

    return split(frame, [*per_shape(frame, verdict), *keep(frame, context, REASONS)])

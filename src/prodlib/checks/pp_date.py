"""A line covered by a plan priced by PP date needs that date: its episode's, else the production's."""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import CheckContext, per_shape, split
from prodlib.eligibility import coverage
from prodlib.reasons import Reason

NAME = "pp_date"
REASONS = (Reason.MISSING_PP_DATE,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    production = context.production

    def verdict(shape: tuple) -> tuple[Reason, str, str] | None:
        union, cls, et, state, ep, pe, _ = shape
        cov = coverage(context.plans, production, union, cls, et, state, ep, pe)
        if not cov.needs_pp_date or cov.pp_date is not None:
            return None
        why = (f"episode {ep!r} has no PP date in production.yaml" if ep and production.episodes
               else "production.yaml has no principal_photography date")
        return Reason.MISSING_PP_DATE, "episode" if ep else "period_end", why

    return split(frame, per_shape(frame, verdict))

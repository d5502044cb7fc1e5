"""A wage line whose scale minimum depends on the budget tier (WGA low/high) needs the production's tier."""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import WAGES, CheckContext, per_shape, split
from prodlib.reasons import Reason

NAME = "budget_tier"
REASONS = (Reason.BUDGET_TIER_MISSING,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    scale = context.scale

    def verdict(shape: tuple) -> tuple[Reason, str, str] | None:
        union, cls, et, _, _, pe, _ = shape
        if et not in WAGES or context.production.budget_tier is not None or not scale.needs_tier(union, cls, pe):
            return None
        return (Reason.BUDGET_TIER_MISSING, "budget_tier",
                f"the {union}/{cls} minimum on {pe} depends on the budget tier ({', '.join(scale.tier_names)}); "
                "production.yaml declares neither budget_tier nor budget_total")

    return split(frame, per_shape(frame, verdict))

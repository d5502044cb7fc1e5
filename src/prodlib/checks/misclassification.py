"""Wages are charged where the classification may be charged (its sections or accounts), to an
account that carries fringes; a payroll cost code that does not resolve on the chart is refused."""

from __future__ import annotations

import pandas as pd

from prodlib.checks.base import WAGES, CheckContext, per_shape, split
from prodlib.reasons import Reason

NAME = "misclassification"
REASONS = (Reason.UNKNOWN_COST_CODE, Reason.AMBIGUOUS_COST_CODE, Reason.MISSING_COST_CODE,
           Reason.MISCLASSIFIED_POSITION)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    chart, scale = context.chart, context.scale

    def verdict(shape: tuple) -> tuple[Reason, str, str] | None:
        union, cls, et, code = shape[0], shape[1], shape[2], shape[6]
        res = chart.resolve(code)
        if res.code is None:
            return res.reason, "cost_code", res.how
        if et not in WAGES or not scale.known(union, cls):
            return None
        rule = scale.charge_rule(union, cls)
        account = chart.account_of(res.code)
        section = chart.section_of(res.code).id
        if not rule.may_charge(section, account.code):
            return (Reason.MISCLASSIFIED_POSITION, "cost_code",
                    f"{cls} ({union}) charged to {res.code} in section {section}; allowed: "
                    f"sections {sorted(rule.sections)} accounts {sorted(rule.accounts)}")
        if not account.fringe_account:
            return (Reason.MISCLASSIFIED_POSITION, "cost_code",
                    f"wages charged to {res.code}: account {account.code} carries no fringes")
        return None

    return split(frame, per_shape(frame, verdict))

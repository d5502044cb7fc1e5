"""What the scalar reference and the vectorized engine share: the output shape and the lookups.

Rounding scope (documented once, used by both): a contribution is ``round_cents(basis * rate)``
computed ONCE per group = (employee, plan, fund, rate line, period end, episode, classification,
contribution type, debit account). The basis of a percent rate is the group's subject earnings,
cut to the rate's cap band on the person's running total at the cap's scope; caps are tracked in
the deterministic order of (employee, pool, scope key, period end, episode, classification, debit
account, line selection). No rounding happens anywhere else: lines are summed exactly.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from prodlib.money import MONEY_DTYPE
from prodlib.rules.plans import Plan
from prodlib.taxonomy import ChartOfAccounts

STR = pd.ArrowDtype(pa.string())
DATE = pd.ArrowDtype(pa.date32())
UNITS_TYPE = pa.decimal128(18, 4)
UNITS_DTYPE = pd.ArrowDtype(UNITS_TYPE)

#: One row per contribution group; see the module docstring for the rounding scope.
OUTPUT_COLUMNS: dict[str, object] = {
    "employee_id": STR,
    "plan": STR,
    "fund": STR,
    "rate_id": STR,
    "kind": STR,
    "contribution_type": STR,  # session | residual
    "classification": STR,
    "episode": STR,  # "" when the production has no episodes
    "period_end": DATE,
    "pp_date": DATE,  # the PP date that priced the line (or the production's, for information)
    "debit_account": STR,  # x900 fringe detail code of the labor line's account
    "credit_account": STR,  # FRINGE_PAYABLE:<plan>
    "subject_gross": MONEY_DTYPE,  # all subject earnings of the group, uncapped
    "basis_amount": MONEY_DTYPE,  # percent: capped subject; percent_of_scale: scale wages (display); else null
    "basis_units": UNITS_DTYPE,  # per_hour/per_unit: hours or units; per_day: days; else null
    "rate": STR,  # the rate exactly as in the rule file
    "contribution": MONEY_DTYPE,
    "cap_scope": STR,  # "" when uncapped
    "lines": "int64",
}
SORT_KEYS = ["employee_id", "plan", "fund", "rate_id", "period_end", "episode", "classification",
             "contribution_type", "debit_account"]


class NoScheduleError(ValueError):
    """A line reached the engine with no rate in force for a plan that expects one (validate first)."""


def debit_account(chart: ChartOfAccounts, cost_code: str, plan: Plan) -> str:
    """The fringe detail code (x900-NN) a plan's contribution on a labor line is charged to."""
    account = chart.account_of(cost_code)
    if not account.fringe_account:
        raise ValueError(f"cost code {cost_code}: account {account.code} has no fringe account")
    for nn in plan.fringe_detail:
        code = f"{account.fringe_account}-{nn}"
        if code in chart.details:
            return code
    raise ValueError(f"fringe account {account.fringe_account} has none of details {plan.fringe_detail}")


def scope_key(scope: str, period_end: date, episode: str) -> str:
    """The running-total key of a cap: one total per person per project, episode/picture or year."""
    if scope == "project":
        return ""
    if scope in ("episode", "picture"):
        return episode  # a feature is one picture: episode "" is the whole project
    if scope == "calendar_year":
        return str(period_end.year)
    raise ValueError(f"unknown cap scope {scope!r}")


def empty_output() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in OUTPUT_COLUMNS.items()})

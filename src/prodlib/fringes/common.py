"""What the scalar reference and the vectorized engine share: the output shape and the lookups.

Rows: one per (employee, plan, fund, rate line, period end, episode, classification, contribution type,
debit account). The basis of a percent rate is the row's subject earnings, cut to the rate's cap band
on the person's running total at the cap's scope; caps are tracked in the deterministic order of
(employee, pool, scope key, period end, episode, classification, debit account, line selection).
Bases, hours and days are summed exactly; nothing is rounded until the one rounding step.

Rounding (the one named step, issue 4): ONCE per rounding unit = (employee, plan, fund, period end,
unit episode), ROUND_HALF_UP (ties away from zero), via ``round_cents`` or its integer twin:

1. every row's exact contribution is taken unrounded (basis x rate, units x rate, scale wages x rate);
2. the unit's total = round_cents(sum of its rows' exact contributions);
3. that total is allocated back to the unit's rows by largest remainder: each row gets its exact
   amount floored to the cent (toward -infinity), and the cents still missing to reach the rounded
   total (always between 0 and the number of rows) go one each to the rows with the largest
   remainder (exact - floor); ties go to the row that comes first in output order (``SORT_KEYS``:
   rate id, period end, episode, classification, contribution type, debit account).

So every row is whole cents and within one cent of its exact amount, the rows of a unit sum to the
unit's rounded total exactly (postings stay balanced, a fund's remittance detail adds up to its
totals), and a unit with a single row is just round_cents of that row.

The unit episode (see :func:`rounding_episode`) is the row's episode when the fund is priced or capped
per episode (its plan picks rates by PP date, which is per episode on TV, or one of its rate lines
caps per episode/picture): such a fund reports each episode on its own (its own PP date, rate and
cap), so each episode's contribution is rounded on its own. Every other fund (the statutory ones,
per-calendar-year pension bands, per-hour funds) rounds across episodes: "" for all. On a feature the
episode is "" everywhere, so the unit is exactly (employee, plan, fund, period end).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from prodlib.money import MONEY_DTYPE
from prodlib.rules.plans import Plan

STR = pd.ArrowDtype(pa.string())
#: The string columns of the output: categorical, the categories the values that occur, sorted (so the
#: category order is the string order). A million payroll lines make about five million rows with a
#: dozen values per column: codes into a small table instead of five million strings per column.
CAT = "category"
DATE = pd.ArrowDtype(pa.date32())
UNITS_TYPE = pa.decimal128(18, 4)
UNITS_DTYPE = pd.ArrowDtype(UNITS_TYPE)

#: One row per contribution group; see the module docstring for the rounding unit and the allocation.
OUTPUT_COLUMNS: dict[str, object] = {
    "employee_id": CAT,
    "plan": CAT,
    "fund": CAT,
    "rate_id": CAT,
    "kind": CAT,
    "contribution_type": CAT,  # session | residual
    "classification": CAT,
    "episode": CAT,  # "" when the production has no episodes
    "period_end": DATE,
    "pp_date": DATE,  # the PP date that priced the line (or the production's, for information)
    "debit_account": CAT,  # x900 fringe detail code of the labor line's account
    "credit_account": CAT,  # FRINGE_PAYABLE:<plan>
    "subject_gross": MONEY_DTYPE,  # all subject earnings of the group, uncapped
    "basis_amount": MONEY_DTYPE,  # percent: capped subject; percent_of_scale: scale wages (display); else null
    "basis_units": UNITS_DTYPE,  # per_hour/per_unit: hours or units; per_day: days; else null
    "rate": CAT,  # the rate exactly as in the rule file
    "contribution": MONEY_DTYPE,
    "cap_scope": CAT,  # "" when uncapped
    "lines": "int64",
}
SORT_KEYS = ["employee_id", "plan", "fund", "rate_id", "period_end", "episode", "classification",
             "contribution_type", "debit_account"]


class NoScheduleError(ValueError):
    """A line reached the engine with no rate in force for a plan that expects one.

    Never a data condition of a run: validation (``prodlib.checks``) quarantines such a line as
    NO_SCHEDULE_IN_FORCE first, by the same rule (``prodlib.eligibility``); raised only when a caller
    prices a frame that was not validated.
    """


def scope_key(scope: str, period_end: date, episode: str) -> str:
    """The running-total key of a cap: one total per person per project, episode/picture or year."""
    if scope == "project":
        return ""
    if scope in ("episode", "picture"):
        return episode  # a feature is one picture: episode "" is the whole project
    if scope == "calendar_year":
        return str(period_end.year)
    raise ValueError(f"unknown cap scope {scope!r}")


def categorical(labels: list[str], codes: np.ndarray, used: np.ndarray | None = None) -> pd.Series:
    """A categorical column from codes into ``labels``: categories the labels that occur, sorted and unique.

    ``used`` (optional) marks the labels that occur; without it they are counted from ``codes``.
    """
    if used is None:
        used = np.bincount(codes, minlength=len(labels)) > 0
    cats = sorted({labels[i] for i in np.flatnonzero(used)})
    pos = {v: k for k, v in enumerate(cats)}
    lut = np.array([pos.get(v, -1) for v in labels], dtype=np.int8 if len(cats) < 127 else
                   np.int16 if len(cats) < 32_767 else np.int32)
    return pd.Series(pd.Categorical.from_codes(lut[codes], dtype=pd.CategoricalDtype(pd.Index(cats, dtype="str")),
                                               validate=False))


def to_categorical(s: pd.Series) -> pd.Series:
    """A string column as the output's categorical (sorted categories that occur), for the reference engine."""
    return pd.Series(pd.Categorical(s, categories=pd.Index(sorted(set(s)), dtype="str")), index=s.index)


def empty_output() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in OUTPUT_COLUMNS.items()})


def episodic_fund(plan: Plan, fund: str) -> bool:
    """Whether a fund rounds per episode: its plan prices by PP date, or a rate line caps per episode/picture.

    Decided from the whole rule file (every version of the fund's rate lines), so the rounding unit of a
    fund does not change with the dates on a payroll.
    """
    if plan.date_basis == "pp_date":
        return True
    return any(r.fund == fund and r.cap is not None and r.cap.scope in ("episode", "picture") for r in plan.rates)


def rounding_episode(plan: Plan, fund: str, episode: str) -> str:
    """The episode part of a row's rounding unit: the episode for an episodic fund, else ""."""
    return episode if episodic_fund(plan, fund) else ""

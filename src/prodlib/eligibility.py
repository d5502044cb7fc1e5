"""Which fringe rate entries cover a payroll line, and what each needs to be priced: the one rule
shared by the fringe engines (``prodlib.fringes``) and validation (``prodlib.checks``).

Validation quarantines every line this module says cannot be priced (no PP date, no schedule in
force, no fringe account, no hours, no work date, no hourly scale basis), so the engines never meet
one; an engine that does raises, because validation was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from prodlib.production import Production
from prodlib.rules.plans import Plan, PlanSet, RateEntry
from prodlib.rules.scale import ScaleMinimum, ScaleTable
from prodlib.taxonomy import ChartOfAccounts

#: The earning type of an on-call (flat, weekly-guarantee) line: per-hour funds credit it by days worked.
ON_CALL = "FLAT"


@dataclass(frozen=True)
class Coverage:
    """The rate entries levied on one shape of payroll line.

    Attributes:
        plans: the plans that expect a contribution on the line's union and earning type.
        pp_date: the PP date that prices the line (its episode's, else the production's); None if none.
        needs_pp_date: some covering plan picks its rates by PP date.
        entries: the rate entries in force that match the line (classification, earning type, state).
        missing: ids of covering plans with no entry in force on the line's date.
    """

    plans: tuple[Plan, ...]
    pp_date: date | None
    needs_pp_date: bool
    entries: tuple[RateEntry, ...]
    missing: tuple[str, ...]


def coverage(plans: PlanSet, production: Production, union: str, classification: str, earning_type: str,
             state: str, episode: str, period_end: date) -> Coverage:
    """The entries covering a line shape, with the PP date and the plans that have none in force."""
    pp = production.pp_date_for(episode)
    covering = tuple(plans.covering(union, earning_type))
    entries, missing = plans.entries_for(union, classification, earning_type, state, pp, period_end,
                                         production.medium, production.program_length_for(episode))
    return Coverage(covering, pp, any(p.date_basis == "pp_date" for p in covering), tuple(entries), tuple(missing))


def rate_date(plan: Plan, pp_date: date | None, period_end: date) -> date | None:
    """The date that picks a plan's rates and scale: the PP date or the period end, per the plan."""
    return pp_date if plan.date_basis == "pp_date" else period_end


def needs_hours(entry: RateEntry, earning_type: str) -> bool:
    """An entry levied per hour, per unit or on scale wages needs the line's hours (an on-call line under
    a per-hour fund is credited by days instead)."""
    if entry.kind == "per_hour":
        return earning_type != ON_CALL
    return entry.kind in ("per_unit", "percent_of_scale")


def counts_days(entry: RateEntry, earning_type: str) -> bool:
    """An entry counted by distinct days worked needs the line's work date: per-day funds, and
    per-hour funds on an on-call line."""
    return entry.kind == "per_day" or (entry.kind == "per_hour" and earning_type == ON_CALL)


def scale_basis(entry: RateEntry, plan: Plan, scale: ScaleTable, union: str, classification: str,
                earning_type: str, pp_date: date | None, period_end: date) -> tuple[ScaleMinimum, Decimal] | None:
    """The hourly scale minimum and the earning type's multiplier a percent-of-scale entry is levied
    on; None when the line has none (no hourly minimum on the rate's date, or no multiplier)."""
    on = rate_date(plan, pp_date, period_end)
    try:
        sm = None if on is None else scale.lookup(union, classification, on)
    except ValueError:  # a tiered minimum: the engines price on an untiered hourly scale only
        sm = None
    multiplier = dict(plan.scale_multipliers).get(earning_type)
    if sm is None or sm.unit != "hour" or multiplier is None:
        return None
    return sm, multiplier


def debit_account(chart: ChartOfAccounts, cost_code: str, plan: Plan) -> str:
    """The fringe detail code (x900-NN) a plan's contribution on a labor line is charged to.

    Raises ValueError when the line's account carries no fringes or none of the plan's details: a
    data condition validation quarantines as MISCLASSIFIED_POSITION (:func:`fringe_account_problem`).
    """
    account = chart.account_of(cost_code)
    if not account.fringe_account:
        raise ValueError(f"cost code {cost_code}: account {account.code} has no fringe account")
    for nn in plan.fringe_detail:
        code = f"{account.fringe_account}-{nn}"
        if code in chart.details:
            return code
    raise ValueError(f"fringe account {account.fringe_account} has none of details {plan.fringe_detail}")


def fringe_account_problem(chart: ChartOfAccounts, cost_code: str, plan: Plan) -> str | None:
    """Why a plan's contribution on this cost code has no debit account, or None when it has one."""
    try:
        debit_account(chart, cost_code, plan)
    except (KeyError, ValueError) as exc:
        return str(exc)
    return None

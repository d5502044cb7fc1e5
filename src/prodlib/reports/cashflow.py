"""The cash-flow view: what the production spent, by month or by week, and what left the bank.

A completion guarantor watches the burn: cost incurred per period against the budget, and the cash
the books show paid out. From the ledger (aggregated in SQL, :meth:`LedgerView.cost_by_day_and_stream`):

- **Incurred** per period is the net of the cost-account lines of the entries dated in it, split by
  the stream the cost was posted against: ``vendors`` (credited to AP: invoices), ``payroll``
  (PAYROLL_LIABILITY: gross wages), ``fringes`` (FRINGE_PAYABLE:<plan>), ``petty_cash`` (PETTY_CASH)
  and ``other`` (paid straight from CASH, or moved between cost accounts). Over all periods the
  incurred total is the cost report's actual total.
- **Cash paid** per period is what the books credit to CASH in it (AP payments, payroll funding,
  petty cash advances, fund remittances), where the ledger records payments; 0.00 where it records
  none (the sample production posts no bank side yet: its bank lines are reconciled, not journaled).
- **Cumulative** incurred, and its share of the budget in force (one decimal, ROUND_HALF_UP).

No person, entry or document appears: the view is sums per period and stream only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from prodlib.accounts import AP, FRINGE_PAYABLE_PREFIX, PAYROLL_LIABILITY, PETTY_CASH
from prodlib.money import from_cents

STREAMS = ("vendors", "payroll", "fringes", "petty_cash", "other")
GRAINS = ("month", "week")
PERIOD_COLUMNS = ("period", *STREAMS, "incurred", "cumulative", "percent_of_budget", "cash_paid")


@dataclass(frozen=True, eq=False)
class CashFlowReport:
    """Cost incurred and cash paid per period.

    Attributes:
      grain: "month" (periods ``YYYY-MM``) or "week" (periods named by their Monday, ISO date).
      periods: one row per period with any cost or cash: period, the streams (vendors, payroll,
        fringes, petty_cash, other), incurred (their sum), cumulative, percent_of_budget (text, one
        decimal; "" without a budget) and cash_paid; amounts are Decimal.
      total_incurred: incurred over every period (the cost report's actual total).
      total_cash_paid: cash paid over every period.
      budget_total: the budget in force, summed over its lines.
      remaining_budget: budget_total - total_incurred.
    """

    grain: str
    periods: pd.DataFrame
    total_incurred: Decimal
    total_cash_paid: Decimal
    budget_total: Decimal
    remaining_budget: Decimal


def stream_of(account: str | None) -> str:
    """The stream a cost was posted against, from the balance-sheet account of its entry."""
    if account == AP:
        return "vendors"
    if account == PAYROLL_LIABILITY:
        return "payroll"
    if account == PETTY_CASH:
        return "petty_cash"
    if account is not None and str(account).startswith(FRINGE_PAYABLE_PREFIX):
        return "fringes"
    return "other"


def period_of(day: date | str, grain: str) -> str:
    """``2026-03`` (month) or the ISO date of the week's Monday (week)."""
    d = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    if grain == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return (d - timedelta(days=d.weekday())).isoformat()


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return ""
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def cash_flow(cost_by_day: pd.DataFrame, cash_by_day: pd.DataFrame, budget_total: Decimal,
              grain: str = "month") -> CashFlowReport:
    """Per period: incurred by stream, cumulative, share of budget, cash paid (inputs in integer cents:
    ``cost_by_day`` [entry_date, stream, amount_cents], ``cash_by_day`` [entry_date, amount_cents])."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, not {grain!r}")
    budget_cents = int((Decimal(budget_total) * 100).to_integral_value())
    sums: dict[str, dict[str, int]] = {}
    for day, account, cents in zip(cost_by_day["entry_date"], cost_by_day["stream"], cost_by_day["amount_cents"],
                                   strict=True):
        row = sums.setdefault(period_of(day, grain), dict.fromkeys((*STREAMS, "cash_paid"), 0))
        row[stream_of(None if account is None or account is pd.NA else str(account))] += int(cents)
    for day, cents in zip(cash_by_day["entry_date"], cash_by_day["amount_cents"], strict=True):
        row = sums.setdefault(period_of(day, grain), dict.fromkeys((*STREAMS, "cash_paid"), 0))
        row["cash_paid"] += int(cents)
    records, running, paid = [], 0, 0
    for period in sorted(sums):
        row = sums[period]
        incurred = sum(row[k] for k in STREAMS)
        running += incurred
        paid += row["cash_paid"]
        records.append({"period": period, **{k: from_cents(row[k]) for k in STREAMS},
                        "incurred": from_cents(incurred), "cumulative": from_cents(running),
                        "percent_of_budget": _percent(running, budget_cents),
                        "cash_paid": from_cents(row["cash_paid"])})
    frame = pd.DataFrame(records, columns=list(PERIOD_COLUMNS))
    return CashFlowReport(grain=grain, periods=frame, total_incurred=from_cents(running),
                          total_cash_paid=from_cents(paid), budget_total=from_cents(budget_cents),
                          remaining_budget=from_cents(budget_cents - running))

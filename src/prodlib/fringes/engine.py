"""Entry point: fringes for a validated payroll frame."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from prodlib.fringes.common import STR
from prodlib.fringes.reference import lines_from_frame, reference_fringes
from prodlib.fringes.vector import vector_fringes
from prodlib.production import Production
from prodlib.rules.book import load_rules
from prodlib.rules.plans import PlanSet
from prodlib.rules.scale import ScaleTable
from prodlib.taxonomy import ChartOfAccounts, get_chart


def compute_fringes(
    payroll_valid: pd.DataFrame,
    production: Production,
    *,
    plans: PlanSet | None = None,
    scale: ScaleTable | None = None,
    chart: ChartOfAccounts | None = None,
    engine: Literal["vector", "reference"] = "vector",
) -> pd.DataFrame:
    """One row per (employee, plan, fund, rate line, period, episode, classification, type, debit account).

    ``payroll_valid`` is the ``valid`` frame of :func:`prodlib.guild.validate_payroll` (canonical payroll
    columns; cost codes resolved). Columns of the result: see ``prodlib.fringes.common.OUTPUT_COLUMNS``.
    Each row is a balanced posting: debit ``debit_account`` (the x900 fringe detail), credit
    ``credit_account`` (``FRINGE_PAYABLE:<plan>``) for ``contribution``. Contributions are rounded once
    per (employee, plan, fund, period end[, episode for per-episode funds]) and that total is allocated
    back to the rows by largest remainder, so the rows are whole cents and sum to it exactly (the rule:
    ``prodlib.fringes.common``). ``plans`` and ``scale`` default to the production's rule book
    (:func:`prodlib.rules.load_rules`: the shipped files with its ``rules:`` folder laid over). Every line
    validation accepts can be priced (both sides use ``prodlib.eligibility``); handed a line validation
    would refuse, the engines raise (``NoScheduleError`` for a plan with no rate in force, ValueError
    otherwise) rather than price it at zero.
    """
    facts = production
    if plans is None or scale is None:  # the run passes its rule book's; a library caller gets the production's
        book = load_rules(production)
        plans, scale = plans or book.plans, scale or book.scale
    chart = chart or get_chart(facts.chart)
    if engine == "reference":
        return reference_fringes(lines_from_frame(payroll_valid), facts, plans, scale, chart)
    return vector_fringes(payroll_valid, facts, plans, scale, chart)


def fringe_postings(fringes: pd.DataFrame, entry_date_col: str = "period_end") -> pd.DataFrame:
    """The ledger's posting frame (docs/ARCHITECTURE.md) for fringe rows, one per row with a non-zero contribution."""
    f = fringes[fringes["contribution"] != 0].reset_index(drop=True)
    # The output's string columns are categorical; the posting frame keeps plain Arrow strings.
    f = f.astype({c: STR for c in ("debit_account", "credit_account", "employee_id")
                  if isinstance(f[c].dtype, pd.CategoricalDtype)})
    doc = (f["plan"].astype(str) + ":" + f["fund"].astype(str) + ":" + f["period_end"].astype(str))
    return pd.DataFrame({
        "source_line": range(1, len(f) + 1),
        "row_hash": (doc + ":" + f["employee_id"].astype(str) + ":" + f["rate_id"].astype(str) + ":"
                     + f["episode"].astype(str) + ":" + f["debit_account"].astype(str)
                     + ":" + f["classification"].astype(str)),
        "entry_date": f[entry_date_col],
        "debit_account": f["debit_account"],
        "credit_account": f["credit_account"],
        "amount": f["contribution"],
        "description": f["plan"].astype(str) + " " + f["fund"].astype(str) + " " + f["rate_id"].astype(str),
        "document_no": doc,
        "party_id": f["employee_id"],
    })

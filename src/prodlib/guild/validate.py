"""Payroll and timecard validation against the guild rules: each failing line is quarantined with a reason.

The rules themselves live in :mod:`prodlib.checks` (one module each, ``REGISTRY["payroll"]``'s
``guild`` phase); this is their entry point for a canonical payroll frame. Nothing defaults to
zero: an unknown classification, a missing PP date, no schedule in force, a line the fringe engines
cannot price, a tiered (WGA) minimum with no budget tier declared, a negative gross, a below-scale
rate, unpaid overtime/meal/rest/6th-7th-day/DGA premiums all send the line to the quarantine with
its payload kept; everything else is returned as ``valid``.
"""

from __future__ import annotations

import pandas as pd

from prodlib.checks import make_context, rules_of, run_phase
from prodlib.production import Production
from prodlib.rules.plans import PlanSet
from prodlib.rules.scale import ScaleTable
from prodlib.rules.work import WorkRuleBook
from prodlib.taxonomy import ChartOfAccounts


def validate_payroll(
    payroll: pd.DataFrame,
    timecards: pd.DataFrame | None,
    production: Production,
    *,
    plans: PlanSet | None = None,
    scale: ScaleTable | None = None,
    work: WorkRuleBook | None = None,
    chart: ChartOfAccounts | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split canonical payroll into (valid, quarantine); quarantine columns per ARCHITECTURE.md.

    ``timecards`` may be None or empty (no timecard rules are then checked). The quarantine is in
    frame order, indexed by the refused rows' labels.
    """
    context = make_context(production, chart=chart, plans=plans, scale=scale, work=work, timecards=timecards)
    return run_phase(rules_of("payroll", "guild"), payroll, context)

"""Every rate entry covering the line can price it (``prodlib.eligibility``, the rule the fringe engines
use): the line's account has the plan's fringe detail, an hourly entry has hours, a daily entry has a
work date, a percent-of-scale entry has an hourly scale minimum to be levied on.

This is what keeps the engines from meeting a line they cannot price: each condition the engines
would refuse is a quarantine reason here. Entries are taken in the order the plans list them; a
line's first unmet need is its reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, blank, shapes_of, split
from prodlib.eligibility import counts_days, coverage, fringe_account_problem, needs_hours, scale_basis
from prodlib.reasons import Reason

NAME = "priceable"
REASONS = (Reason.MISCLASSIFIED_POSITION, Reason.MISSING_FIELD, Reason.NO_HOURLY_SCALE)

ALWAYS, IF_NO_HOURS, IF_NO_WORK_DATE = range(3)


def needs(shape: tuple, context: CheckContext) -> list[tuple[int, Reason, str, str]]:
    """The shape's requirements in order, each (when it applies, reason, field, detail)."""
    union, cls, et, state, ep, pe, code = shape
    chart = context.chart
    res = chart.resolve(code)
    if res.code is None:
        return []  # refused by misclassification
    cov = coverage(context.plans, context.production, union, cls, et, state, ep, pe)
    out: list[tuple[int, Reason, str, str]] = []
    for e in cov.entries:
        plan = context.plans.plan(e.plan)
        problem = fringe_account_problem(chart, res.code, plan)
        if problem is not None:
            out.append((ALWAYS, Reason.MISCLASSIFIED_POSITION, "cost_code", problem))
        if needs_hours(e, et):
            out.append((IF_NO_HOURS, Reason.MISSING_FIELD, "hours",
                        f"{e.plan} {e.fund} is levied per hour: hours required"))
        if counts_days(e, et):
            out.append((IF_NO_WORK_DATE, Reason.MISSING_FIELD, "work_date",
                        f"{e.plan} {e.fund} counts days worked: work_date required"))
        if e.kind == "percent_of_scale" and scale_basis(e, plan, context.scale, union, cls, et, cov.pp_date,
                                                        pe) is None:
            out.append((ALWAYS, Reason.NO_HOURLY_SCALE, "classification",
                        f"{e.plan} {e.fund} ({e.id}) is a percent of the hourly scale: {union}/{cls} has no "
                        f"hourly scale minimum for {et} in force on its rate date"))
    return out


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    shapes = shapes_of(frame)
    applies = {ALWAYS: np.ones(len(frame), dtype=bool), IF_NO_HOURS: blank(frame, "hours"),
               IF_NO_WORK_DATE: blank(frame, "work_date")}
    findings: list[Finding] = []
    for shape, rows in zip(shapes.values, shapes.members(), strict=True):
        reqs = needs(shape, context)
        if not reqs:
            continue
        left = np.ones(len(rows), dtype=bool)
        for when, reason, fld, detail in reqs:
            hit = left & applies[when][rows]
            findings.extend(Finding(int(p), reason, fld, detail) for p in rows[hit])
            left &= ~hit
            if not left.any():
                break
    return split(frame, findings)

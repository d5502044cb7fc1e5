"""A pay line waits with its day's timecard: when the timecard of an employee-day is in the quarantine
(unreadable, impossible, out of the window, a field missing...), no day rule could check that day's pay,
so its lines are quarantined TIMECARD_QUARANTINED, naming where the timecard is, until it is fixed.

The day's lines are those with its work date; a wage line without a work date (a weekly deal) waits
when the week of its period end (period end - 6 .. period end) holds the day. Non-wage lines without a
work date (kit rental, mileage) do not depend on a timecard and pass. The pipeline collects the held
days from the timecard files (``prodlib.pipeline.held_timecard_days``), which it reads before payroll."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from prodlib.checks.base import WAGES, CheckContext, Finding, split, text
from prodlib.reasons import Reason
from prodlib.values import column_values, py_date

NAME = "timecard_held"
REASONS = (Reason.TIMECARD_QUARANTINED,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    held = context.held_days
    if frame.empty or not held:
        return split(frame, [])
    emp = text(frame, "employee_id")
    wd = text(frame, "work_date")
    on_day = (emp + "\x1f" + wd).isin({f"{e}\x1f{d.isoformat()}" for e, d in held}).to_numpy(dtype=bool)
    weeks = {f"{e}\x1f{(d + timedelta(days=k)).isoformat()}" for e, d in held for k in range(7)}
    weekly = ((wd == "") & text(frame, "earning_type").isin(WAGES)
              & (emp + "\x1f" + text(frame, "period_end")).isin(weeks)).to_numpy(dtype=bool)
    positions = np.flatnonzero(on_day | weekly)
    sel = frame.iloc[positions]
    findings = []
    for p, e, w, pe in zip(positions, column_values(sel, "employee_id"), column_values(sel, "work_date"),
                           column_values(sel, "period_end"), strict=True):
        day, end = py_date(w), py_date(pe)
        if day is None:  # the week's first held day
            day = min(d for (he, d) in held if he == str(e) and end - timedelta(days=6) <= d <= end)
        findings.append(Finding(int(p), Reason.TIMECARD_QUARANTINED, "work_date",
                                f"the timecard of {e} for {day} is in the quarantine ({held[(str(e), day)]})"))
    return split(frame, findings)

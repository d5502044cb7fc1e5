"""A timecard that describes a day that cannot have happened is IMPOSSIBLE_TIMECARD; the detail names
which, in this order:

- a meal that ends before it starts (meal in earlier than meal out, times read as the day rules read
  them: a time earlier than call is the next day);
- a span (call to wrap) longer than ``max_span_hours`` of work_rules.yaml (a 94-hour day);
- meals longer than the day (negative worked time: wrap equal to call with a meal);
- a meal that ends after wrap.

Each would otherwise give the day rules a worked time that is not the day's, and the overtime check
would price it. Cards the rules cannot read at all are ``timecard_readable``'s."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.checks.timecards import card_clocks
from prodlib.reasons import Reason

NAME = "impossible_timecard"
REASONS = (Reason.IMPOSSIBLE_TIMECARD,)


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty:
        return split(frame, [])
    t = card_clocks(frame).minutes
    call, wrap = t["call_time"], t["wrap_time"]
    day = (call >= 0) & (wrap >= 0)
    meals = [(k, t[f"meal{k}_out"], t[f"meal{k}_in"]) for k in (1, 2)]
    both = {k: day & (o >= 0) & (i >= 0) for k, o, i in meals}
    span = wrap - call
    meal_total = sum((np.where(both[k], i - o, 0) for k, o, i in meals), np.zeros(len(frame), np.int64))
    limit = int(context.work.max_span_hours * 60)  # whole minutes: span > limit <=> span > the bound
    checks = []
    for k, o, i in meals:
        checks.append((both[k] & (i < o), f"meal{k}_in", lambda p, k=k, o=o, i=i:
                       f"meal {k} ends ({_hm(i[p])}) before it starts ({_hm(o[p])})"))
    checks.append((day & (span > limit), "wrap_time", lambda p: f"call {_hm(call[p])} to wrap {_hm(wrap[p])} "
                   f"spans {_hm(span[p])} h, more than max_span_hours {context.work.max_span_hours}"))
    checks.append((day & (span - meal_total < 0), "wrap_time", lambda p: f"meals of {meal_total[p]} min are "
                   f"longer than the day of {span[p]} min (call {_hm(call[p])}, wrap {_hm(wrap[p])}): negative "
                   "worked time"))
    for k, _o, i in meals:
        checks.append((both[k] & (i > wrap), f"meal{k}_in", lambda p, k=k, i=i:
                       f"meal {k} ends at {_hm(i[p])}, after wrap {_hm(wrap[p])}"))
    findings = [Finding(int(p), Reason.IMPOSSIBLE_TIMECARD, fld, detail(p))
                for mask, fld, detail in checks for p in np.flatnonzero(mask)]
    findings.sort(key=lambda f: f.position)
    return split(frame, findings)

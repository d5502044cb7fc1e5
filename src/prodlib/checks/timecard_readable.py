"""A timecard the day rules cannot read is itself quarantined (TIMECARD_UNREADABLE): a meal with an out
time and no in time (or the reverse), a clock time that is not ``HH:MM``, no call or no wrap. Before,
the day rules skipped such a card without a word, which switched off the overtime check for its day
and let an underpaid line post; now the card waits, and its day's pay lines wait with it
(``timecard_held``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.checks.timecards import CLOCK_COLUMNS, card_clocks
from prodlib.reasons import Reason

NAME = "timecard_readable"
REASONS = (Reason.TIMECARD_UNREADABLE,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty:
        return split(frame, [])
    clocks = card_clocks(frame)
    problems: list[tuple[np.ndarray, str, str]] = [
        (clocks.unreadable[c], c, f"{c} is not a clock time HH:MM") for c in CLOCK_COLUMNS]
    problems += [(clocks.blank[c], c, f"{c} is blank") for c in ("call_time", "wrap_time")]
    for k in (1, 2):
        out, back = f"meal{k}_out", f"meal{k}_in"
        problems.append((clocks.blank[back] & ~clocks.blank[out], back, f"meal {k} has an out time and no in time"))
        problems.append((clocks.blank[out] & ~clocks.blank[back], out, f"meal {k} has an in time and no out time"))
    findings = []
    for mask, fld, what in problems:
        for p in np.flatnonzero(mask):
            value = frame[fld].iloc[p] if fld in frame else None
            findings.append(Finding(int(p), Reason.TIMECARD_UNREADABLE, fld,
                                    f"{what} ({fld}={'' if pd.isna(value) else value!s})"))
    findings.sort(key=lambda f: f.position)  # stable: a card's first problem in column order wins
    return split(frame, findings)

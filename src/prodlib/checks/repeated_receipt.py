"""A petty cash line that repeats an earlier line of its file (same envelope, receipt date, amount and
description) is DUPLICATE_RECEIPT; the first copy posts.

Two genuinely identical receipts can exist (two coffees at one counter on one day), so the rule is
named for what it checks: a repeated line, not a proven double. An envelope is keyed by a custodian from
the receipts in it; a line typed twice is by far the likelier cause, and posting it would pay the
custodian twice. The second copy waits with the first copy's line in its detail; a genuine second
receipt is released by an override once the custodian shows it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.reasons import Reason
from prodlib.values import column_values

NAME = "repeated_receipt"
REASONS = (Reason.DUPLICATE_RECEIPT,)
KEY = ("envelope_id", "receipt_date", "amount", "description")


def receipt_keys(frame: pd.DataFrame) -> pd.Series:
    """Each line's receipt key: envelope, receipt date, amount and description as one text."""
    key = pd.Series("", index=frame.index, dtype="string")
    for c in KEY:
        text = frame[c].astype("string").fillna("") if c in frame else ""
        key = key + "\x1f" + text
    return key


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty:
        return split(frame, [])
    key = receipt_keys(frame)
    # A copy of a line already posted (set aside from a cumulative re-export) repeats it too.
    posted = key.isin(list(context.posted_receipts)).to_numpy(dtype=bool) if context.posted_receipts else \
        np.zeros(len(key), dtype=bool)
    repeated = key.duplicated(keep="first").to_numpy(dtype=bool) | posted
    positions = np.flatnonzero(repeated)
    if not len(positions):
        return split(frame, [])
    first_line = dict(zip(key[~repeated], column_values(frame[~repeated], "source_line"), strict=True))
    sel = frame.iloc[positions]
    return split(frame, [
        Finding(int(p), Reason.DUPLICATE_RECEIPT, "amount",
                f"envelope {e}: receipt of {d} for {a} ({desc or 'no description'}) repeats "
                + (f"line {first_line[k]}" if k in first_line else "a line already posted"))
        for p, k, e, d, a, desc in zip(positions, key.iloc[positions], *(column_values(sel, c) for c in KEY),
                                      strict=True)
    ])

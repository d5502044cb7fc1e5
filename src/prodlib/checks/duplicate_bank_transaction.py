"""A bank transaction id is read once: a later line with an id already read (earlier in the file, or in
a bank file read before it, ``CheckContext.seen_bank_transactions``) is DUPLICATE_BANK_TRANSACTION; the
first stays. A bank gives each transaction one id, so a repeated id is a repeated transaction (or a
feed that reuses ids, which reconciliation could not match either)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.reasons import Reason
from prodlib.values import column_values

NAME = "duplicate_bank_transaction"
REASONS = (Reason.DUPLICATE_BANK_TRANSACTION,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty or "transaction_id" not in frame:
        return split(frame, [])
    ids = frame["transaction_id"].astype("string").str.strip()
    before = ids.isin(list(context.seen_bank_transactions)).to_numpy(dtype=bool) if context.seen_bank_transactions \
        else np.zeros(len(frame), dtype=bool)
    again = (ids.duplicated(keep="first") & ids.notna()).to_numpy(dtype=bool)
    positions = np.flatnonzero(before | again)
    first_line = dict(zip(ids[~ids.duplicated(keep="first")], column_values(frame[~ids.duplicated()], "source_line"),
                          strict=True))
    sel = ids.iloc[positions]
    return split(frame, [
        Finding(int(p), Reason.DUPLICATE_BANK_TRANSACTION, "transaction_id",
                f"transaction {t} was read in an earlier bank file" if before[p]
                else f"transaction {t} repeats line {first_line[t]} of this file")
        for p, t in zip(positions, sel, strict=True)
    ])

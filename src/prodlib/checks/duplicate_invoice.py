"""An invoice (vendor, number) seen before is a duplicate: posted in an earlier batch, a later block of
lines in this file, or a line repeated verbatim within the invoice. The first copy stays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.reasons import Reason

NAME = "duplicate_invoice"
REASONS = (Reason.DUPLICATE_INVOICE,)


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    g = frame
    if g.empty:
        return split(frame, [])
    key = g["vendor_id"].astype("string") + "\x1f" + g["invoice_number"].astype("string")
    keys = key.to_numpy(dtype=object)
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = keys[1:] != keys[:-1]
    block = pd.Series(np.cumsum(starts), index=g.index)  # an invoice's lines are contiguous in an export
    later_block = (block != block.groupby(keys).transform("min")).to_numpy(dtype=bool)
    # The same line twice within one invoice (the export repeated it) is a duplicate too.
    repeated_line = (g["row_hash"].astype("string") + "\x1f" + block.astype("string")).duplicated().to_numpy(dtype=bool)
    seen = [k for k in pd.unique(keys) if tuple(k.split("\x1f", 1)) in context.posted_invoices]
    before = key.isin(seen).to_numpy(dtype=bool)
    positions = (later_block | repeated_line | before).nonzero()[0]
    sel = g.iloc[positions]
    where = {True: "was posted in an earlier batch", False: "appears again in this file"}
    return split(frame, [
        Finding(int(p), Reason.DUPLICATE_INVOICE, "invoice_number", f"invoice {n} of {v} {where[bool(before[p])]}")
        for p, v, n in zip(positions, sel["vendor_id"], sel["invoice_number"], strict=True)
    ])

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
    code = pd.factorize(key, use_na_sentinel=False)[0]  # each key's number, in order of appearance
    starts = np.ones(len(code), dtype=bool)
    starts[1:] = code[1:] != code[:-1]
    block = np.cumsum(starts)  # an invoice's lines are contiguous in an export
    # Blocks grow down the file, so a key's first block is the block of its first line.
    _, first = np.unique(code, return_index=True)
    later_block = block != block[first][code]
    # The same line twice within one invoice (the export repeated it) is a duplicate too.
    row_hash = g["row_hash"].astype("string")
    if row_hash.isna().any():  # no row hash to tell lines apart: compared as the text it makes
        repeated_line = (row_hash + "\x1f" + pd.Series(block, index=g.index).astype("string")).duplicated()
        repeated_line = repeated_line.to_numpy(dtype=bool)
    else:
        line = pd.factorize(row_hash)[0].astype(np.int64) * (int(block[-1]) + 1) + block
        repeated_line = pd.Series(line).duplicated().to_numpy(dtype=bool)
    posted = context.posted_invoices
    seen = [k for k in pd.unique(key.to_numpy(dtype=object)) if tuple(k.split("\x1f", 1)) in posted] if posted else []
    before = key.isin(seen).to_numpy(dtype=bool) if seen else np.zeros(len(g), dtype=bool)
    positions = (later_block | repeated_line | before).nonzero()[0]
    sel = g.iloc[positions]
    where = {True: "was posted in an earlier batch", False: "appears again in this file"}
    return split(frame, [
        Finding(int(p), Reason.DUPLICATE_INVOICE, "invoice_number", f"invoice {n} of {v} {where[bool(before[p])]}")
        for p, v, n in zip(positions, sel["vendor_id"], sel["invoice_number"], strict=True)
    ])

"""Row keys: a row's identity in the ledger, the same however its file was saved or re-exported.

A key is SHA-256 over the kind, the row's canonical values (every column of the kind's schema as
ingest parsed it, written as canonical text: ISO dates, amounts and quantities at their fixed scale,
"HH:MM" times, trimmed text) and the row's ordinal among the identical rows of its file. So
"1,234.50" and "1234.50", CRLF and LF, a BOM, another column order or other quoting give the same key;
the document keys (vendor and invoice number, employee and period, envelope, transaction id...) are
among the values, so a key names one document line.

Why the ordinal and not the line number: two genuinely identical rows (two $12.00 taxi receipts in
one petty-cash envelope) are two rows and need two keys, but a cumulative re-export moves rows to
other lines (last week's rows first, or sorted differently), and a key that contained the line would
then see every moved row as new. The n-th copy of a row within its file is the same n-th copy in a
re-export that repeats it, wherever it now stands.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.ingest import SCHEMAS

_FIELD = "\x1f"
_PART = "\x1e"


def _canonical_text(column: pd.Series, kind: str) -> pa.Array:
    """One column's values as canonical text; a missing value is the empty string."""
    arr = pa.array(column, from_pandas=True)
    if kind == "time":  # ingest keeps "8:00" as read; "08:00" is the same time
        arr = pc.utf8_lpad(arr.cast(pa.string()), width=5, padding="0")
    return pc.fill_null(arr.cast(pa.string()), "")


def row_keys(kind: str, frame: pd.DataFrame) -> pd.Series:
    """The row key of every row of ``frame``: one file's parsed rows of ``kind`` (ingest's canonical frame).

    The ordinal counts identical rows within ``frame``, so pass the file's whole parsed frame, not a
    part of it. Returns a string Series indexed like ``frame``.
    """
    n = len(frame)
    if not n:
        return pd.Series([], index=frame.index, dtype="string")
    texts = [_canonical_text(frame[c], t) if c in frame else pa.array([""] * n, pa.string())
             for c, (t, _req) in SCHEMAS[kind].items()]
    content = pc.binary_join_element_wise(*texts, _FIELD)
    codes = pc.dictionary_encode(content).indices.to_numpy(zero_copy_only=False)  # identical rows, one code
    ordinal = pd.Series(codes).groupby(codes, sort=False).cumcount().to_numpy(dtype=np.int64)
    # kind, content and ordinal joined and UTF-8 encoded by Arrow: each row's bytes, hashed here.
    text = pc.binary_join_element_wise(kind, content, pa.array(ordinal).cast(pa.string()), _PART)
    sha256 = hashlib.sha256
    keys = [sha256(b).hexdigest() for b in text.cast(pa.binary()).to_pylist()]
    return pd.Series(keys, index=frame.index, dtype="string")

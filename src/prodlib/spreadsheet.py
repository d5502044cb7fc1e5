"""Cells that a spreadsheet opens safely: every CSV (and any future XLSX) writer passes its cells here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and one that
starts with a tab or a carriage return can hide one (OWASP, "CSV Injection"): a vendor's description
``=HYPERLINK("http://x")`` would become a live link in the accountant's copy of the quarantine. Such a
cell is written with a leading single quote (``'=HYPERLINK(...)``), which every spreadsheet shows as
text and never evaluates.

Numbers are not neutralised. Amounts, hours and rates are written as plain decimals (``-12.50``,
``-0.2100``), and a cell that is nothing but a plain decimal number is left as it is, whatever column
it is in: a spreadsheet reads it as that number, not as a formula, and a credit of ``-12.50`` must
stay a number that sums and ties out. The rule is on the cell's text, not on a list of money columns
per writer, so that no writer can forget a column. Only what is written changes: the ledger and the
quarantine keep the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

#: A cell that a spreadsheet would run: a formula lead (OWASP's =, +, -, @, tab, CR) that does not
#: begin a plain decimal number (optional sign, digits, optional fraction) filling the whole cell.
FORMULA_CELL = re.compile(r"(?![+-]?\d+(?:\.\d+)?\Z)[=+\-@\t\r]")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may open it: text that would run as a formula gets a leading quote."""
    if isinstance(value, str) and FORMULA_CELL.match(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for :func:`csv.writer`, each cell through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells went through :func:`safe_cell` (other cells unchanged)."""
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            out[c] = pd.Series([safe_cell(v) for v in col.tolist()], index=out.index, dtype=object)
    return out

"""Build canonical payroll frames for tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from prodlib.money import MONEY_DTYPE, MONEY_TYPE

COLS = ["employee_id", "employee_name", "union", "classification", "state", "period_end", "work_date",
        "cost_code", "earning_type", "hours", "rate", "amount", "episode"]


def _na(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def payroll(rows: list[dict]) -> pd.DataFrame:
    """rows: dicts with at least employee_id, union, classification, period_end, cost_code, earning_type, amount."""
    out = []
    for i, r in enumerate(rows):
        d = {"employee_id": "E1", "employee_name": "", "state": "CA", "work_date": None, "hours": None,
             "rate": None, "episode": None}
        d.update(r)
        d.setdefault("source_id", "pay")
        d.setdefault("source_file", "payroll.csv")
        d.setdefault("source_line", i + 2)
        d.setdefault("row_hash", f"h{i}")
        out.append(d)
    df = pd.DataFrame(out)
    df["amount"] = pd.Series(pa.array([Decimal(str(a)) for a in df["amount"]], MONEY_TYPE), dtype=MONEY_DTYPE)
    df["rate"] = pd.Series(pa.array([None if _na(v) else Decimal(str(v)) for v in df["rate"]],
                                    pa.decimal128(18, 4)), dtype=pd.ArrowDtype(pa.decimal128(18, 4)))
    df["hours"] = pd.Series(pa.array([None if _na(v) else Decimal(str(v)) for v in df["hours"]],
                                     pa.decimal128(18, 4)), dtype=pd.ArrowDtype(pa.decimal128(18, 4)))
    if "deal_amount" in df:  # optional: a flat deal's declared amount (money)
        df["deal_amount"] = pd.Series(pa.array([None if _na(v) else Decimal(str(v)) for v in df["deal_amount"]],
                                               MONEY_TYPE), dtype=MONEY_DTYPE)
    for c in ("period_end", "work_date"):
        df[c] = pd.Series(pa.array([None if _na(v) else (v if isinstance(v, date) else date.fromisoformat(v))
                                    for v in df[c]], pa.date32()), dtype=pd.ArrowDtype(pa.date32()))
    return df

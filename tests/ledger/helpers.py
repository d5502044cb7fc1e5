"""Small builders for ledger tests."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from prodlib.money import to_money_series


def money(*values: str) -> pd.Series:
    return to_money_series([Decimal(v) for v in values])


def postings(rows: list[tuple], start_line: int = 2) -> pd.DataFrame:
    """rows: (entry_date, debit, credit, amount text[, document_no[, po_number]])."""
    out = pd.DataFrame({
        "source_line": list(range(start_line, start_line + len(rows))),
        "row_hash": [f"rh{start_line + i}" for i in range(len(rows))],
        "entry_date": [r[0] for r in rows],
        "debit_account": [r[1] for r in rows],
        "credit_account": [r[2] for r in rows],
        "amount": money(*[r[3] for r in rows]),
        "description": [f"line {i}" for i in range(len(rows))],
        "document_no": [r[4] if len(r) > 4 else f"DOC{i}" for i, r in enumerate(rows)],
        "party_id": ["V-1"] * len(rows),
    })
    if any(len(r) > 5 for r in rows):
        out["po_number"] = [r[5] if len(r) > 5 else None for r in rows]
    return out


def quarantine(lines: list[int], reason: str = "MALFORMED_AMOUNT") -> pd.DataFrame:
    return pd.DataFrame({
        "source_line": lines, "row_hash": [f"q{n}" for n in lines], "reason": [reason] * len(lines),
        "field": ["amount"] * len(lines), "detail": [f"bad amount on line {n}" for n in lines],
        "payload": ['{"Amount":"12,3,4"}'] * len(lines),
    })


def as_dict(frame: pd.DataFrame, key: str, value: str) -> dict:
    return {k: Decimal(str(v)) for k, v in zip(frame[key], frame[value], strict=True)}

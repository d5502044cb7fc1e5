"""Small frame builders for the reconciliation tests: amounts are text, turned exact here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from prodlib.money import to_money_series


def d(text: str) -> date:
    return date.fromisoformat(text)


def invoice_lines(*rows: tuple) -> pd.DataFrame:
    """rows: (vendor_id, invoice_number, invoice_date, po_number, cost_code, amount)."""
    return pd.DataFrame({
        "vendor_id": [r[0] for r in rows], "invoice_number": [r[1] for r in rows],
        "invoice_date": [d(r[2]) for r in rows], "po_number": [r[3] for r in rows],
        "cost_code": [r[4] for r in rows], "amount": to_money_series([Decimal(r[5]) for r in rows]),
        "line": [f"inv:{i + 2}" for i in range(len(rows))],
    })


def purchase_orders(*rows: tuple) -> pd.DataFrame:
    """rows: (po_number, vendor_id, po_date, cost_code, amount, status[, closed_on])."""
    return pd.DataFrame({
        "po_number": [r[0] for r in rows], "vendor_id": [r[1] for r in rows], "po_date": [d(r[2]) for r in rows],
        "cost_code": [r[3] for r in rows], "amount": to_money_series([Decimal(r[4]) for r in rows]),
        "status": [r[5] for r in rows], "closed_on": [d(r[6]) if len(r) > 6 else None for r in rows],
    })


def bank_lines(*rows: tuple) -> pd.DataFrame:
    """rows: (transaction_id, posted_date, description, reference, amount); account OP."""
    return pd.DataFrame({
        "bank_account": ["OP"] * len(rows), "transaction_id": [r[0] for r in rows],
        "posted_date": [d(r[1]) for r in rows], "description": [r[2] for r in rows],
        "reference": [r[3] for r in rows], "amount": to_money_series([Decimal(r[4]) for r in rows]),
        "line": [f"bank:{i + 2}" for i in range(len(rows))],
    })


def book_items(*rows: tuple) -> pd.DataFrame:
    """rows: (document_no, method, payment_date, reference, amount[, envelope_id]); account OP."""
    return pd.DataFrame({
        "bank_account": ["OP"] * len(rows), "document_no": [r[0] for r in rows], "method": [r[1] for r in rows],
        "payment_date": [d(r[2]) for r in rows], "payee_id": ["P"] * len(rows), "category": [""] * len(rows),
        "reference": [r[3] for r in rows], "amount": to_money_series([Decimal(r[4]) for r in rows]),
        "envelope_id": [r[5] if len(r) > 5 else "" for r in rows],
        "line": [f"register:{i + 2}" for i in range(len(rows))],
    })


def reasons(findings) -> list[tuple[str, Decimal]]:
    return sorted((f.reason.value, f.amount) for f in findings)

"""A tiny built-in demo production: what the report notebooks show when no database is given.

It lets every notebook run with its default parameters (nbval, a first look in JupyterLab) without
a database, and every figure here is small enough to check by hand (tests/reports do). Reports built
from it are stamped "DEMO DATA": it is not a production.
"""

from __future__ import annotations

import json

import pandas as pd

from prodlib.money import to_money_series

DEMO_TITLE = "Demo production (built-in sample, not real data)"
DEMO_BUDGET_VERSION = "DEMO-BV-1"


def _frame(rows: list[tuple[str, str]], key: str = "cost_code") -> pd.DataFrame:
    return pd.DataFrame({key: pd.Series([r[0] for r in rows], dtype="string"),
                         "amount": to_money_series([r[1] for r in rows])})


def demo_budget() -> pd.DataFrame:
    """Locked budget by detail code. Total 361,500.00 (ATL 210,000; BTL 76,000; post 35,000;
    other 1,500; contingency 30,000; bond 9,000)."""
    return _frame([
        ("1100-01", "50000.00"), ("1400-01", "120000.00"), ("1400-02", "15000.00"), ("1900-02", "25000.00"),
        ("2500-02", "40000.00"), ("2500-03", "6000.00"), ("3200-02", "30000.00"),
        ("5000-01", "35000.00"), ("6800-04", "1500.00"), ("8000-01", "30000.00"), ("8100-01", "9000.00"),
    ])


def demo_actuals() -> pd.DataFrame:
    """Posted cost by detail code, with a credit note (2500-02) and an unbudgeted account (3700)."""
    return _frame([
        ("1100-01", "50000.00"), ("1400-01", "80000.00"), ("1400-02", "18250.00"), ("1900-02", "19412.50"),
        ("2500-02", "42310.75"), ("2500-02", "-1200.00"), ("2500-03", "3150.20"), ("3700-01", "2845.60"),
        ("5000-01", "7000.00"), ("6800-04", "212.35"),
    ])


def demo_commitments() -> pd.DataFrame:
    """Open purchase orders by detail code."""
    return _frame([("1400-01", "30000.00"), ("2500-02", "5000.00"), ("3200-02", "12500.00")])


def demo_efc() -> pd.DataFrame:
    """The accountant's estimate for Editorial: the editor's contract was extended."""
    return _frame([("5000", "38000.00")], key="account")


def demo_quarantine() -> pd.DataFrame:
    """Quarantined rows as the ledger returns them (the contract's quarantine columns)."""
    rows = [
        ("acme_grip", "invoices/acme_grip.csv", 17, "MALFORMED_AMOUNT", "amount",
         "'12,3x.00' is not a US-format amount",
         {"Invoice #": "A-1017", "Amount": "12,3x.00"}),
        ("acme_grip", "invoices/acme_grip.csv", 42, "DUPLICATE_INVOICE", "invoice_number",
         "invoice A-1002 was already posted from line 3", {"Invoice #": "A-1002", "Amount": "$1,250.00"}),
        ("lux_lighting", "invoices/lux_lighting.csv", 9, "UNKNOWN_COST_CODE", "cost_code",
         "'9999-01' is not in chart feature-us-sample", {"Konto": "9999-01", "Betrag": "1.234,56"}),
        ("petty_cash", "petty_cash/envelopes.csv", 5, "DATE_OUT_OF_WINDOW", "receipt_date",
         "2025-12-20 is before prep start 2026-01-05", {"Date": "12/20/2025", "Amount": "48.10"}),
        ("petty_cash", "petty_cash/envelopes.csv", 11, "MISSING_COST_CODE", "cost_code",
         "no code, no vendor default and no keyword rule", {"Date": "02/11/2026", "Amount": "23.75"}),
    ]
    return pd.DataFrame({
        "source_id": [r[0] for r in rows], "source_file": [r[1] for r in rows],
        "source_line": pd.Series([r[2] for r in rows], dtype="int64"),
        "row_hash": [f"demo-{r[0]}-{r[2]}" for r in rows], "reason": [r[3] for r in rows],
        "field": [r[4] for r in rows], "detail": [r[5] for r in rows],
        "payload": [json.dumps(r[6], sort_keys=True) for r in rows],
    })

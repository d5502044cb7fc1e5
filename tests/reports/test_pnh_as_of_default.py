"""The P&H report's default as-of date comes from the books, not the clock: same books, same report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from prodlib.ledger import Ledger
from prodlib.money import MONEY_DTYPE
from prodlib.reports.load import load_pnh_inputs


def test_default_as_of_is_the_latest_entry_date(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    postings = pd.DataFrame({
        "source_line": [2, 3], "row_hash": ["a", "b"], "entry_date": [date(2026, 3, 5), date(2026, 3, 20)],
        "debit_account": ["1900-02", "1900-02"], "credit_account": ["FRINGE_PAYABLE:SAG-AFTRA"] * 2,
        "amount": pd.Series([Decimal("210.00"), Decimal("105.00")], dtype=MONEY_DTYPE),
        "description": ["P&H", "P&H"], "document_no": ["SAG-AFTRA:P&H:2026-03-07", "SAG-AFTRA:P&H:2026-03-21"],
        "party_id": ["E1", "E1"],
    })
    with Ledger.open(url) as led:
        led.post_batch("pay:fringes", "payroll.csv (fringes)", "h1", "fringe", postings, None, 2)
    inputs = load_pnh_inputs(url, "")
    assert inputs.stamp.as_of == "2026-03-20"
    assert load_pnh_inputs(url, "", as_of="2026-05-01").stamp.as_of == "2026-05-01"

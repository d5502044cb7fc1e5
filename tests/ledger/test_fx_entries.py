"""Foreign-currency entries on both backends: journal_fx written in the batch's transaction, sealed,
read back, reversed with the entry, append-only."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from prodlib.ledger import verify_chain
from prodlib.money import MONEY_TYPE

from .helpers import guarded_exec, postings


def test_fx_entries_are_kept_sealed_and_reversed(led):
    p = postings([("2026-03-02", "2500-02", "AP", "1336.41"), ("2026-03-03", "2500-02", "AP", "10.00")])
    p["original_currency"] = pd.Series(["EUR", None], dtype="string")
    p["original_amount"] = pd.Series(pa.array([Decimal("1234.56"), None], MONEY_TYPE), dtype=pd.ArrowDtype(MONEY_TYPE))
    p["fx_rate"] = pd.Series(["1.0825", None], dtype="string")
    led.post_batch("n", "n.csv", "H1", "invoice", p, None, 2)
    rev = led.reverse_entry(1, "2026-03-20", "wrong vendor", "AP clerk")
    fx = led.fx_frame()
    # entry 1: 1,234.56 EUR at 1.0825 = 1,336.41 USD; its reversal: -1,234.56 EUR, -1,336.41 USD
    assert fx[["entry_id", "currency", "original_amount", "fx_rate", "amount"]].values.tolist() == [
        [1, "EUR", Decimal("1234.56"), "1.0825", Decimal("1336.41")],
        [rev, "EUR", Decimal("-1234.56"), "1.0825", Decimal("-1336.41")]]
    assert verify_chain(led).ok
    with pytest.raises(Exception, match="append-only"):
        guarded_exec(led, "UPDATE journal_fx SET rate = '1.5'")

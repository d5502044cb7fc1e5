"""Petty cash envelopes balance (receipts + returned cash = advance), worked out by hand.

  PC-1 advance 300.00 (check 7001); receipts 120.50 + 99.25 = 219.75; returned 80.25: balanced
  PC-2 advance 200.00 (check 7002); receipts 150.00 + 30.00 = 180.00; returned 15.00: 5.00 short
  PC-3 advance 100.00 (check 7003); nothing back yet: open
  PC-4 no advance; receipts 40.00: 40.00 over
  PC-5 advance 100.00; receipts 60.00 and a refund -10.00 = 50.00; returned 50.00: balanced
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from prodlib.money import to_money_series
from prodlib.reconcile.petty_cash import check_envelopes
from tests.reconcile.builders import d, reasons

D = Decimal


def _receipts(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame({"envelope_id": [r[0] for r in rows], "custodian": ["Kim"] * len(rows),
                         "receipt_date": [d("2026-03-02")] * len(rows),
                         "amount": to_money_series([D(r[1]) for r in rows]),
                         "line": [f"petty:{i + 2}" for i in range(len(rows))]})


def _cash(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame({"envelope_id": [r[0] for r in rows], "document_no": [r[1] for r in rows],
                         "amount": to_money_series([D(r[2]) for r in rows])})


RECEIPTS = _receipts(("PC-1", "120.50"), ("PC-1", "99.25"), ("PC-2", "150.00"), ("PC-2", "30.00"),
                     ("PC-4", "40.00"), ("PC-5", "60.00"), ("PC-5", "-10.00"))
CASH = _cash(("PC-1", "7001", "-300.00"), ("PC-1", "DEP-1", "80.25"), ("PC-2", "7002", "-200.00"),
             ("PC-2", "DEP-2", "15.00"), ("PC-3", "7003", "-100.00"), ("PC-5", "7005", "-100.00"),
             ("PC-5", "DEP-5", "50.00"))


def test_envelopes_balance_or_are_one_finding_with_their_lines_held() -> None:
    r = check_envelopes(RECEIPTS, CASH)
    status = dict(zip(r.envelopes["envelope_id"], r.envelopes["status"], strict=True))
    assert status == {"PC-1": "balanced", "PC-2": "unbalanced", "PC-3": "open", "PC-4": "unbalanced",
                      "PC-5": "balanced"}
    diff = dict(zip(r.envelopes["envelope_id"], r.envelopes["difference"], strict=True))
    assert (diff["PC-2"], diff["PC-4"], diff["PC-1"]) == (D("5.00"), D("-40.00"), D("0.00"))
    assert reasons(r.findings) == [("ENVELOPE_UNBALANCED", D("5.00")), ("ENVELOPE_UNBALANCED", D("40.00"))]
    pc2 = next(f for f in r.findings if "envelope PC-2" in f.documents)
    assert pc2.lines == ("petty:4", "petty:5")  # both of its lines, together
    assert pc2.documents == ("envelope PC-2", "check 7002", "deposit DEP-2")
    assert dict(pc2.figures) == {"advance": D("200.00"), "receipts": D("180.00"), "returned": D("15.00")}
    assert r.held_lines() == {"petty:4", "petty:5", "petty:6"}


def test_a_cent_off_is_unbalanced() -> None:
    r = check_envelopes(_receipts(("PC-1", "219.76")), _cash(("PC-1", "7001", "-300.00"), ("PC-1", "D", "80.25")))
    assert reasons(r.findings) == [("ENVELOPE_UNBALANCED", D("0.01"))]

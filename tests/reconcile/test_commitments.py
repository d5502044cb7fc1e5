"""No invoiced amount is counted both as actual and as open commitment: hand-worked, then the ledger.

The production (all V-A, PO dates 2026-02-01):

  PO-1 approved 1,000.00 on 2500-02
    I-1 400.00 (PO-1)  I-2 250.00 (PO-1)  CM-1 -50.00 (PO-1)       by number: 600.00
    I-3 400.00 (no PO number, 2500-02, 02-20): equals PO-1's open 1,000.00 - 600.00 = 400.00 -> matched
  PO-2 approved 500.00 on 3300-01
    I-4 700.00 (PO-2)                                                 by number: 700.00 (over)
  PO-3 approved 800.00 on 3300-01, nothing invoiced
  PO-4 closed 300.00 on 2500-02
    I-5 300.00 (PO-4)
  I-6 90.00 (no PO, 6700-01): on no PO

Per PO, actual and open (approved: max(0, PO - actual); closed: 0):
  PO-1 actual 400 + 250 - 50 + 400 = 1,000.00, open 0.00    (actual + open = 1,000.00 = the PO)
  PO-2 actual 700.00, open 0.00 (never -200.00)             (= 700.00, what was invoiced)
  PO-3 actual 0.00, open 800.00                              (= 800.00, the PO)
  PO-4 actual 300.00, open 0.00 (closed)
Total actual 1,000 + 700 + 300 + 90 (no PO) = 2,090.00 = every line once (400+250-50+400+700+300+90).
Total open 800.00. Actual + open = 2,890.00.

The double count the anchors' users report: relieving by the number an entry carries only, PO-1 is
relieved 600.00 -> open 400.00. Such a ledger shows actual 2,090.00 and open 400.00 + 800.00 =
1,200.00: I-3's 400.00 counted twice (actual, and still open on PO-1). The ledger now relieves by the
match too: actual 2,090.00, open 800.00 (PO-3 only), actual + open = 2,890.00. The reconciliation
still names I-3 (PO_RELIEF_UNRECORDED, 400.00: it should carry PO-1's number), and its
open_by_number_only column shows the 400.00 relief by number alone would have left open.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from prodlib.ledger import Ledger
from prodlib.money import money_to_cents, to_money_series
from prodlib.reasons import Reason
from prodlib.reconcile.invoices import invoice_lines, po_register, reconcile_invoices
from tests.reconcile.builders import invoice_lines as lines_frame
from tests.reconcile.builders import purchase_orders

D = Decimal
LINES = (("V-A", "I-1", "2026-02-10", "PO-1", "2500-02", "400.00"),
         ("V-A", "I-2", "2026-02-12", "PO-1", "2500-02", "250.00"),
         ("V-A", "CM-1", "2026-02-14", "PO-1", "2500-02", "-50.00"),
         ("V-A", "I-3", "2026-02-20", "", "2500-02", "400.00"),
         ("V-A", "I-4", "2026-02-21", "PO-2", "3300-01", "700.00"),
         ("V-A", "I-5", "2026-02-22", "PO-4", "2500-02", "300.00"),
         ("V-A", "I-6", "2026-02-23", "", "6700-01", "90.00"))
POS = (("PO-1", "V-A", "2026-02-01", "2500-02", "1000.00", "approved"),
       ("PO-2", "V-A", "2026-02-01", "3300-01", "500.00", "approved"),
       ("PO-3", "V-A", "2026-02-01", "3300-01", "800.00", "approved"),
       ("PO-4", "V-A", "2026-02-01", "2500-02", "300.00", "closed"))


def _by_po(frame: pd.DataFrame, col: str) -> dict[str, Decimal]:
    return {p: Decimal(str(v)) for p, v in zip(frame["po_number"], frame[col], strict=True)}


def test_actual_plus_open_never_double_counts_hand_worked() -> None:
    r = reconcile_invoices(lines_frame(*LINES), purchase_orders(*POS))
    pos = r.positions
    assert _by_po(pos, "actual") == {"PO-1": D("1000.00"), "PO-2": D("700.00"), "PO-3": D("0.00"),
                                     "PO-4": D("300.00")}
    assert _by_po(pos, "open") == {"PO-1": D("0.00"), "PO-2": D("0.00"), "PO-3": D("800.00"), "PO-4": D("0.00")}
    assert _by_po(pos, "open_by_number_only") == {"PO-1": D("400.00"), "PO-2": D("0.00"), "PO-3": D("800.00"),
                                                  "PO-4": D("0.00")}
    # Every line is actual exactly once: on its PO (by number or by match) or on no PO.
    no_po = r.matches.loc[r.matches["matched_po"] == "", "amount"]
    assert sum(_by_po(pos, "actual").values()) + sum(Decimal(str(v)) for v in no_po) == D("2090.00")
    assert sum(_by_po(pos, "open").values()) == D("800.00")
    f = {x.reason: x for x in r.findings}
    assert f[Reason.PO_RELIEF_UNRECORDED].amount == D("400.00")
    assert f[Reason.PO_RELIEF_UNRECORDED].documents == ("invoice V-A/I-3", "po PO-1")
    # PO-2 is 200.00 over (allowance min(50.00, 25.00) = 25.00); PO-1 (1,000.00 of 1,000.00) and PO-2
    # (700.00 of 500.00) are fully relieved and still approved.
    assert f[Reason.OVER_INVOICED].amount == D("200.00")
    still_open = sorted(x.documents[0] for x in r.findings if x.reason == Reason.PO_RELIEVED_STILL_OPEN)
    assert still_open == ["po PO-1", "po PO-2"]
    assert len(r.findings) == 4


@pytest.fixture
def ledger(tmp_path) -> Ledger:
    led = Ledger.open(f"sqlite:///{tmp_path / 'books.db'}")
    led.record_purchase_orders(pd.DataFrame({
        "po_number": [p[0] for p in POS], "vendor_id": [p[1] for p in POS], "po_date": [p[2] for p in POS],
        "cost_code": [p[3] for p in POS], "description": [""] * len(POS),
        "amount": to_money_series([D(p[4]) for p in POS]), "status": [p[5] for p in POS]}))
    frame = pd.DataFrame({
        "source_line": list(range(2, 2 + len(LINES))), "row_hash": [f"h{i}" for i in range(len(LINES))],
        "entry_date": [x[2] for x in LINES], "debit_account": [x[4] for x in LINES],
        "credit_account": ["AP"] * len(LINES), "amount": to_money_series([D(x[5]) for x in LINES]),
        "description": [""] * len(LINES), "document_no": [x[1] for x in LINES],
        "party_id": [x[0] for x in LINES], "po_number": [x[3] or None for x in LINES]})
    led.post_batch("acme", "inv/acme.csv", "H1", "invoice", frame, None, len(LINES))
    yield led
    led.close()


def test_the_ledger_no_longer_counts_the_matched_invoice_as_actual_and_open(ledger) -> None:
    lines = invoice_lines(ledger.entries_frame(), ledger.batches_frame())
    assert sorted(lines["invoice_number"]) == sorted(x[1] for x in LINES)
    assert set(lines["line"]) == {f"acme:{n}" for n in range(2, 2 + len(LINES))}
    r = reconcile_invoices(lines, po_register(ledger.purchase_orders_frame()))
    oc = ledger.open_commitments()
    ledger_open = dict(zip(oc["po_number"], money_to_cents(oc["amount"]).tolist(), strict=True))
    # PO-1: 600.00 by number + 400.00 (I-3) by match = 1,000.00 relieved, nothing open (was 400.00).
    assert ledger_open == {"PO-3": 80000}
    assert dict(zip(oc["po_number"], money_to_cents(oc["relieved"]).tolist(), strict=True)) == {"PO-3": 0}
    ours = {p: c for p, c in zip(r.positions["po_number"], money_to_cents(r.positions["open"]).tolist(),
                                 strict=True) if c}
    assert ours == ledger_open
    actual = sum(money_to_cents(ledger.actuals()["amount"]).tolist())
    committed = sum(money_to_cents(ledger.commitments()["amount"]).tolist())
    assert (actual, committed) == (209000, 80000)  # 2,090.00 actual, 800.00 open: 2,890.00, each cent once
    # A 60-day window is the sample setting; with a 10-day one I-3 (19 days after PO-1) matches nothing.
    narrow = ledger.open_commitments(po_match_days=10)
    assert dict(zip(narrow["po_number"], money_to_cents(narrow["amount"]).tolist(), strict=True)) == {
        "PO-1": 40000, "PO-3": 80000}


def test_a_reversed_invoice_line_is_gone_from_the_lines(ledger) -> None:
    e = ledger.entries_frame()
    i2 = int(e.loc[e["document_no"] == "I-2", "entry_id"].iloc[0])
    ledger.reverse_entry(i2, "2026-02-28", "billed in error", "Accountant")
    lines = invoice_lines(ledger.entries_frame(), ledger.batches_frame())
    assert "I-2" not in set(lines["invoice_number"]) and len(lines) == len(LINES) - 1
    # Without I-2 (250.00), PO-1's by-number relief is 350.00: I-3's 400.00 no longer equals its open
    # 650.00, so nothing matches it and the ledger's open on PO-1 (650.00) is the true open too.
    r = reconcile_invoices(lines, po_register(ledger.purchase_orders_frame()))
    assert _by_po(r.positions, "open")["PO-1"] == D("650.00")
    assert _by_po(r.positions, "open_by_number_only")["PO-1"] == D("650.00")
    oc = ledger.open_commitments()
    assert dict(zip(oc["po_number"], money_to_cents(oc["amount"]).tolist(), strict=True)) == {
        "PO-1": 65000, "PO-3": 80000}


# --- the same promise over any production (hypothesis) -----------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_cents = st.integers(min_value=-50_000, max_value=200_000)
_line = st.tuples(st.sampled_from(["PO-1", "PO-2", "PO-3", "PO-9", ""]), st.sampled_from(["2500-02", "3300-01"]),
                  st.integers(min_value=0, max_value=90), _cents)
_po = st.tuples(st.integers(min_value=0, max_value=300_000), st.sampled_from(["approved", "closed", "draft"]))


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(_line, max_size=12), pos=st.lists(_po, min_size=3, max_size=3))
def test_every_invoiced_cent_is_actual_once_and_open_is_what_is_left(lines, pos) -> None:
    from datetime import date, timedelta

    from prodlib.money import from_cents

    start = date(2026, 2, 1)
    frame = lines_frame(*[("V-A", f"I-{i}", (start + timedelta(days=day)).isoformat(), po, code,
                           str(from_cents(c))) for i, (po, code, day, c) in enumerate(lines)])
    register = purchase_orders(*[(f"PO-{i + 1}", "V-A", "2026-02-01", "2500-02", str(from_cents(a)), s)
                                 for i, (a, s) in enumerate(pos)])
    r = reconcile_invoices(frame, register)
    p = r.positions
    actual = money_to_cents(p["actual"]).tolist()
    open_ = money_to_cents(p["open"]).tolist()
    po_amount = money_to_cents(p["po_amount"]).tolist()
    on_po = set(r.matches.loc[r.matches["matched_po"] != "", "invoice_number"])
    loose = sum(c for i, (_, _, _, c) in enumerate(lines) if f"I-{i}" not in on_po)
    assert sum(actual) + loose == sum(c for *_, c in lines)  # each line is actual exactly once
    for a, o, amt, status in zip(actual, open_, po_amount, p["status"], strict=True):
        assert o == (max(0, amt - a) if status == "approved" else 0)  # open is what the invoices left
        assert o == 0 or a + o == amt  # an open PO: actual + open is the PO, never more

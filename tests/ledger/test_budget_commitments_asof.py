"""Commitments (PO relief), estimates (EFC history) and as-of reads that rebuild a report exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from prodlib.ledger import Ledger

from .helpers import as_dict, money, postings

D = Decimal


def pos(rows: list[tuple]) -> pd.DataFrame:
    """rows: (po_number, po_date, cost_code, amount, status)."""
    return pd.DataFrame({"po_number": [r[0] for r in rows], "vendor_id": ["V-1"] * len(rows),
                         "po_date": [r[1] for r in rows], "cost_code": [r[2] for r in rows],
                         "description": ["po"] * len(rows), "amount": money(*[r[3] for r in rows]),
                         "status": [r[4] for r in rows]})


def test_commitments_relieved_by_invoices(led):
    assert led.record_purchase_orders(pos([
        ("PO-1", "2026-02-01", "2500-02", "5000.00", "approved"),
        ("PO-2", "2026-02-02", "3300-01", "700.00", "approved"),
        ("PO-3", "2026-02-03", "3300-01", "999.00", "draft"),
        ("PO-4", "2026-02-04", "3300-01", "888.00", "cancelled"),
    ])) == 4
    assert led.record_purchase_orders(pos([("PO-1", "2026-02-01", "2500-02", "5000.00", "approved")])) == 0
    led.post_batch("acme", "a.csv", "H1", "invoice", postings([
        ("2026-02-10", "2500-02", "AP", "1200.00", "I1", "PO-1"),
        ("2026-02-20", "2500-02", "AP", "800.00", "I2", "PO-1"),
        ("2026-02-21", "3300-01", "AP", "900.00", "I3", "PO-2"),   # over the PO: open floors at zero
        ("2026-02-22", "3300-01", "AP", "50.00", "I4"),            # no PO: relieves nothing
    ]), None, 4)
    oc = led.open_commitments()
    # by hand: PO-1 5000 - (1200 + 800) = 3000 ; PO-2 700 - 900 -> 0 (not open) ; drafts/cancelled never
    assert as_dict(oc, "po_number", "amount") == {"PO-1": D("3000.00")}
    assert as_dict(oc, "po_number", "relieved") == {"PO-1": D("2000.00")}
    assert as_dict(led.commitments(), "cost_code", "amount") == {"2500-02": D("3000.00")}
    assert as_dict(led.commitments(as_of="2026-02-15"), "cost_code", "amount") == {
        "2500-02": D("3800.00"), "3300-01": D("700.00")}
    assert led.commitments(as_of="2026-01-31").empty  # before any PO date
    # a void of an invoice puts its relief back
    led.void_entry(2, "entered twice", "AP clerk")
    assert as_dict(led.commitments(), "cost_code", "amount") == {"2500-02": D("3800.00")}
    # status change from a date: the draft is approved on 03-01, PO-1 is closed on 03-05
    assert led.record_purchase_orders(pos([("PO-3", "2026-02-03", "3300-01", "999.00", "approved")]),
                                      effective_date="2026-03-01") == 1
    led.record_purchase_orders(pos([("PO-1", "2026-02-01", "2500-02", "5000.00", "closed")]),
                               effective_date="2026-03-05")
    assert as_dict(led.commitments(as_of="2026-03-02"), "cost_code", "amount") == {
        "2500-02": D("3800.00"), "3300-01": D("999.00")}
    assert as_dict(led.commitments(), "cost_code", "amount") == {"3300-01": D("999.00")}
    assert len(led.purchase_orders_frame()) == 4
    with pytest.raises(ValueError):
        led.record_purchase_orders(pos([("PO-9", "2026-02-03", "3300-01", "1.00", "maybe")]))


def test_purchase_order_file_as_a_batch(led):
    """A PO file: valid rows recorded, bad ones quarantined, conservation and idempotency as for invoices."""
    from prodlib.ledger import ConservationError

    from .helpers import quarantine

    frame = pos([("PO-1", "2026-02-01", "2500-02", "5000.00", "approved"),
                 ("PO-2", "2026-02-02", "3300-01", "700.00", "draft")])
    with pytest.raises(ConservationError, match="purchase orders 2"):
        led.post_batch("pos", "pos.csv", "HP", "purchase_order", None, quarantine([4]), 2, purchase_orders=frame)
    res = led.post_batch("pos", "pos.csv", "HP", "purchase_order", None, quarantine([4]), 3, purchase_orders=frame)
    assert (res.rows_posted, res.rows_quarantined, res.first_entry_id) == (2, 1, None)
    again = led.post_batch("pos", "pos.csv", "HP", "purchase_order", None, quarantine([4]), 3, purchase_orders=frame)
    assert again.already_posted
    assert as_dict(led.commitments(), "cost_code", "amount") == {"2500-02": D("5000.00")}
    # tomorrow's export: PO-2 approved; PO-1 unchanged (not written again)
    frame2 = pos([("PO-1", "2026-02-01", "2500-02", "5000.00", "approved"),
                  ("PO-2", "2026-02-02", "3300-01", "700.00", "approved")])
    led.post_batch("pos", "pos.csv", "HP2", "purchase_order", None, None, 2, purchase_orders=frame2,
                   effective_date="2026-02-10")
    assert len(led.purchase_orders_frame()) == 2
    assert as_dict(led.commitments(as_of="2026-02-09"), "cost_code", "amount") == {"2500-02": D("5000.00")}
    assert as_dict(led.commitments(), "cost_code", "amount") == {"2500-02": D("5000.00"), "3300-01": D("700.00")}
    assert led.batches_frame()["rows_posted"].tolist() == [2, 2]


def test_estimates_history(led):
    led.record_estimate("5000", "38000.00", "2026-02-15", "editor extended", "Accountant")
    led.record_estimate("5000", "41000.00", "2026-03-15", "second extension", "Accountant")
    with pytest.raises(ValueError, match="later"):
        led.record_estimate("5000", "40000.00", "2026-03-15", "same day", "Accountant")
    with pytest.raises(ValueError, match="later"):
        led.record_estimate("5000", "40000.00", "2026-03-01", "back-dated", "Accountant")
    with pytest.raises(ValueError):
        led.record_estimate("5000", "40000.00", "2026-04-01", "", "Accountant")
    led.record_estimate("2500", "9000.00", "2026-03-01", "grip days added", "Accountant")
    assert as_dict(led.efc(), "account", "amount") == {"2500": D("9000.00"), "5000": D("41000.00")}
    assert as_dict(led.efc(as_of="2026-03-14"), "account", "amount") == {"2500": D("9000.00"),
                                                                        "5000": D("38000.00")}
    assert led.efc(as_of="2026-02-14").empty
    h = led.estimates_frame("5000")
    assert h["reason"].tolist() == ["editor extended", "second extension"]
    # ETC = EFC - actual - open commitments, detail codes rolled up to the account
    led.post_batch("acme", "a.csv", "H1", "invoice", postings([
        ("2026-03-02", "2500-02", "AP", "1000.00"), ("2026-03-03", "2500-03", "AP", "500.00"),
        ("2026-03-03", "25000-01", "AP", "7.00")]), None, 3)   # another account, not a 2500 detail
    led.record_purchase_orders(pos([("PO-1", "2026-03-01", "2500-01", "2000.00", "approved")]))
    etc = led.etc().set_index("account")
    # by hand: 9000.00 - (1000.00 + 500.00) - 2000.00 = 5500.00 ; 5000: 41000.00 - 0 - 0
    assert Decimal(str(etc.loc["2500", "etc"])) == D("5500.00")
    assert Decimal(str(etc.loc["2500", "actual"])) == D("1500.00")
    assert Decimal(str(etc.loc["5000", "etc"])) == D("41000.00")


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(minutes=1)
        return self.t


def report(led: Ledger, as_of: str, known_at) -> bytes:
    """A small cost report as CSV bytes: everything an as-of report reads from the ledger."""
    parts = [led.budget(as_of=as_of, known_at=known_at).assign(kind="budget"),
             led.actuals(as_of, known_at).assign(kind="actual"),
             led.commitments(as_of, known_at).assign(kind="commitment"),
             led.efc(as_of, known_at)[["account", "amount"]].rename(columns={"account": "cost_code"})
             .assign(kind="efc"),
             led.trial_balance(as_of, known_at).rename(columns={"account": "cost_code", "balance": "amount"})
             [["cost_code", "amount"]].assign(kind="tb")]
    return pd.concat(parts, ignore_index=True).astype(str).to_csv(index=False).encode()


def test_past_report_rebuilds_byte_for_byte(url):
    clock = Clock()
    led = Ledger.open(url, production_id="TEST-001", clock=clock)
    try:
        led.record_budget("BV-1", pd.DataFrame({"cost_code": ["2500-02"], "description": ["Grip"],
                                                "amount": money("9000.00")}), "2026-01-02", "LP", "locked")
        led.record_purchase_orders(pos([("PO-1", "2026-03-01", "2500-02", "5000.00", "approved")]))
        led.post_batch("acme", "a.csv", "H1", "invoice", postings([
            ("2026-03-10", "2500-02", "AP", "1200.00", "I1", "PO-1")]), None, 1)
        led.record_estimate("2500", "9500.00", "2026-03-20", "more grip days", "Accountant")
        period_end = "2026-03-31"
        known = clock.t  # the moment the March report was run
        first = report(led, period_end, known)
        # later: a back-dated adjustment into March, a new budget version effective in March, a new
        # estimate, a PO amendment effective in March, an invoice in April
        led.close_period("2026-03", "Accountant")
        led.post_entry("2026-03-30", [("2500-02", "75.00"), ("AP", "-75.00")], "late March invoice",
                       kind="adjustment", reason="found after close", author="Accountant")
        led.record_budget("BV-2", pd.DataFrame({"cost_code": ["2500-02"], "description": ["Grip"],
                                                "amount": money("9900.00")}), "2026-04-02", "LP", "overage",
                          kind="overage", parent_version_id="BV-1", effective_date="2026-03-15")
        led.record_estimate("2500", "9800.00", "2026-03-25", "even more", "Accountant")
        led.record_purchase_orders(pos([("PO-1", "2026-03-01", "2500-02", "6000.00", "approved")]),
                                   effective_date="2026-03-28")
        led.post_batch("acme", "b.csv", "H2", "invoice", postings([
            ("2026-04-03", "2500-02", "AP", "500.00", "I2", "PO-1")]), None, 1)
        assert report(led, period_end, known) == first  # rebuilt exactly
        assert report(led, period_end, None) != first  # and the test can tell a difference
        text = first.decode()
        # by hand, as known on March 31: budget BV-1 9000.00 ; actual 1200.00 ; open PO 5000 - 1200 = 3800.00
        assert "9000.00,budget" in text and "1200.00,actual" in text and "3800.00,commitment" in text
        assert "9500.00,efc" in text
    finally:
        led.close()

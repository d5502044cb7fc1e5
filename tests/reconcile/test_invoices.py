"""Invoice lines against POs: every rule on a small production worked out by hand.

Settings are the samples unless a test says otherwise: over-invoice allowance the smaller of 50.00 and
5 % of the PO, no-PO threshold 2,500.00, fallback window 60 days.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from prodlib.money import to_money_series
from prodlib.reasons import Reason
from prodlib.reconcile.findings import ReconcileSettings, findings_frame
from prodlib.reconcile.invoices import (
    invoice_number_key,
    over_allowance,
    po_register,
    reconcile_invoices,
)
from tests.reconcile.builders import invoice_lines, purchase_orders, reasons

D = Decimal


@pytest.mark.parametrize("spellings", [
    ("INV-0042", "INV0042", "inv 42", "#42", "42", "Inv. No. 0042", "INVOICE 42"),
    ("RE-2026-0042", "RE 2026 42", "re-2026-042"),
    ("A-100", "A100", "a 100"),
])
def test_invoice_number_key_one_key_per_spelling_group(spellings) -> None:
    assert len({invoice_number_key(s) for s in spellings}) == 1


@pytest.mark.parametrize(("a", "b"), [("INV-42", "CM-42"), ("INV-42", "INV-420"), ("A-100", "B-100"),
                                      ("10-01", "1001")])
def test_invoice_number_key_keeps_different_numbers_apart(a, b) -> None:
    assert invoice_number_key(a) != invoice_number_key(b)


def test_invoice_number_key_examples() -> None:
    # upper case, tokens, leading zeros of each digit run dropped, INV/INVOICE/NO prefix before a digit dropped
    assert invoice_number_key("INV-0042") == "42"
    assert invoice_number_key("RE-2026-0042") == "RE202642"
    assert invoice_number_key("CM-0042") == "CM42"
    assert invoice_number_key("NORD-7") == "NORD7"  # "NO" only goes when a digit follows it
    assert invoice_number_key("INV-4-2") == invoice_number_key("INV-42") == "42"  # punctuation only separates
    assert invoice_number_key("10-01") == "101"  # zeros lead the run "01": dropped per token


@pytest.mark.parametrize(("po", "allowed"), [
    ("1000.00", "50.00"),    # 5 % = 50.00, absolute 50.00
    ("400.00", "20.00"),     # 5 % = 20.00 is stricter than 50.00
    ("10000.00", "50.00"),   # 5 % = 500.00: the absolute 50.00 is stricter
    ("333.33", "16.67"),     # 5 % = 16.6665 -> 16.67 (half up)
])
def test_over_allowance_is_the_stricter_of_the_two(po, allowed) -> None:
    assert over_allowance(int(D(po) * 100), ReconcileSettings()) == int(D(allowed) * 100)


@pytest.mark.parametrize(("second", "finding"), [("450.00", None), ("450.01", "50.01")])
def test_over_invoiced_exactly_at_the_allowance_is_not_a_finding_a_cent_over_is(second, finding) -> None:
    # PO-1 1,000.00 (closed, so only the over-invoice rule speaks): 600.00 + 450.00 = 1,050.00 is 50.00
    # over = the allowance; 600.00 + 450.01 = 1,050.01 is 50.01 over.
    pos = purchase_orders(("PO-1", "V-A", "2026-02-01", "2500-02", "1000.00", "closed"))
    lines = invoice_lines(("V-A", "I-1", "2026-02-10", "PO-1", "2500-02", "600.00"),
                          ("V-A", "I-2", "2026-02-20", "PO-1", "2500-02", second))
    r = reconcile_invoices(lines, pos)
    assert reasons(r.findings) == ([] if finding is None else [("OVER_INVOICED", D(finding))])


def test_over_invoiced_uses_the_percent_when_it_is_stricter() -> None:
    # PO 400.00: allowance 20.00. 420.00 is at it; 420.01 is 20.01 over (the 50.00 would have allowed it).
    pos = purchase_orders(("PO-1", "V-A", "2026-02-01", "2500-02", "400.00", "closed"),
                          ("PO-2", "V-A", "2026-02-01", "2500-02", "400.00", "closed"))
    lines = invoice_lines(("V-A", "I-1", "2026-02-10", "PO-1", "2500-02", "420.00"),
                          ("V-A", "I-2", "2026-02-10", "PO-2", "2500-02", "420.01"))
    f = reconcile_invoices(lines, pos).findings
    assert reasons(f) == [("OVER_INVOICED", D("20.01"))]
    assert f[0].documents == ("po PO-2", "invoice V-A/I-2") and f[0].lines == ("inv:3",)
    assert dict(f[0].figures) == {"po_amount": D("400.00"), "invoiced": D("420.01"), "allowance": D("20.00")}


def test_a_credit_note_brings_a_po_back_under() -> None:
    # 1,100.00 invoiced, a 60.00 credit note: 1,040.00 against 1,000.00 is 40.00 over, within 50.00.
    pos = purchase_orders(("PO-1", "V-A", "2026-02-01", "2500-02", "1000.00", "closed"))
    lines = invoice_lines(("V-A", "I-1", "2026-02-10", "PO-1", "2500-02", "1100.00"),
                          ("V-A", "CM-1", "2026-02-12", "PO-1", "2500-02", "-60.00"))
    r = reconcile_invoices(lines, pos)
    assert r.findings == ()
    assert r.positions.at[0, "actual"] == D("1040.00")


@pytest.mark.parametrize(("amounts", "expected"), [
    (("2500.00",), []),                                     # at the threshold: not a finding
    (("2500.01",), [("INVOICE_WITHOUT_PO", D("2500.01"))]),  # a cent over
    (("1500.00", "1000.01"), [("INVOICE_WITHOUT_PO", D("2500.01"))]),  # one invoice, two lines: its total
    (("-3000.00",), []),                                    # a credit note is not above the threshold
])
def test_invoice_without_po_above_the_threshold(amounts, expected) -> None:
    lines = invoice_lines(*[("V-A", "I-1", "2026-02-10", "", "2500-02", a) for a in amounts])
    assert reasons(reconcile_invoices(lines, purchase_orders()).findings) == expected


def test_invoice_on_a_draft_cancelled_unknown_or_closed_po() -> None:
    pos = purchase_orders(("PO-D", "V-A", "2026-02-01", "2500-02", "500.00", "draft"),
                          ("PO-C", "V-A", "2026-02-01", "2500-02", "500.00", "cancelled"),
                          ("PO-X", "V-A", "2026-02-01", "2500-02", "500.00", "closed", "2026-03-01"))
    lines = invoice_lines(("V-A", "I-1", "2026-02-10", "PO-D", "2500-02", "100.00"),
                          ("V-A", "I-2", "2026-02-10", "po-c", "2500-02", "110.00"),   # case does not matter
                          ("V-A", "I-3", "2026-02-10", "PO-9", "2500-02", "120.00"),   # not in the register
                          ("V-A", "I-4", "2026-03-01", "PO-X", "2500-02", "130.00"),   # on the closing day: fine
                          ("V-A", "I-5", "2026-03-02", "PO-X", "2500-02", "140.00"))   # the day after
    got = reasons(reconcile_invoices(lines, pos).findings)
    assert got == [("INVOICE_PO_CLOSED", D("140.00")), ("INVOICE_PO_NOT_APPROVED", D("100.00")),
                   ("INVOICE_PO_NOT_APPROVED", D("110.00")), ("INVOICE_PO_UNKNOWN", D("120.00"))]


def test_po_register_knows_a_closing_date_only_when_the_po_was_seen_open_first() -> None:
    frame = pd.DataFrame({
        "po_number": ["PO-1", "PO-2", "PO-3"], "vendor_id": ["V"] * 3, "po_date": ["2026-02-01"] * 3,
        "cost_code": ["2500-02"] * 3, "description": [""] * 3,
        "amount": to_money_series([D("1.00")] * 3),
        "status": ["closed", "Closed", "approved"],
        "effective_date": ["2026-03-05", "2026-02-01", "2026-02-01"]})
    reg = po_register(frame)
    assert str(reg.at[0, "closed_on"]) == "2026-03-05"
    assert reg.at[1, "closed_on"] is None and reg.at[1, "status"] == "closed"
    assert reg.at[2, "closed_on"] is None


def test_po_fully_relieved_but_still_open() -> None:
    # PO-1 750.00 relieved 750.00 exactly and still approved: close it. PO-2 749.99 of 750.00: still open.
    pos = purchase_orders(("PO-1", "V-A", "2026-02-01", "2500-02", "750.00", "approved"),
                          ("PO-2", "V-A", "2026-02-01", "2500-02", "750.00", "approved"))
    lines = invoice_lines(("V-A", "I-1", "2026-02-10", "PO-1", "2500-02", "750.00"),
                          ("V-A", "I-2", "2026-02-10", "PO-2", "2500-02", "749.99"))
    assert reasons(reconcile_invoices(lines, pos).findings) == [("PO_RELIEVED_STILL_OPEN", D("750.00"))]


def test_fallback_match_by_vendor_cost_code_amount_and_window() -> None:
    # PO-3 of V-B on 3300-01 for 750.00, dated 02-01. A line of 750.00 without a PO number on 02-20
    # (19 days on) matches it; the same on 04-02 (60 days) would; on 04-03 (61 days) not; one dated
    # before the PO not; another vendor or another code not.
    pos = purchase_orders(("PO-3", "V-B", "2026-02-01", "3300-01", "750.00", "approved"))
    for when, vendor, code, hit in [("2026-02-20", "V-B", "3300-01", True), ("2026-04-02", "V-B", "3300-01", True),
                                    ("2026-04-03", "V-B", "3300-01", False), ("2026-01-31", "V-B", "3300-01", False),
                                    ("2026-02-20", "V-C", "3300-01", False), ("2026-02-20", "V-B", "3300-02", False)]:
        r = reconcile_invoices(invoice_lines((vendor, "I-1", when, "", code, "750.00")), pos)
        assert (r.matches.at[0, "matched_po"] == "PO-3") is hit, (when, vendor, code)
        assert reasons(r.findings) == ([("PO_RELIEF_UNRECORDED", D("750.00")), ("PO_RELIEVED_STILL_OPEN",
                                                                                 D("750.00"))] if hit else [])


def test_fallback_ties_go_to_the_earliest_po_then_the_next_line() -> None:
    # Two POs of 500.00 for V-B/3300-01, dated 02-03 (PO-5) and 02-01 (PO-4); two lines of 500.00 on
    # 02-10 (I-2) and 02-09 (I-1). The earlier line takes the earlier PO. A credit of -500.00 matches nothing.
    pos = purchase_orders(("PO-5", "V-B", "2026-02-03", "3300-01", "500.00", "approved"),
                          ("PO-4", "V-B", "2026-02-01", "3300-01", "500.00", "approved"))
    lines = invoice_lines(("V-B", "I-2", "2026-02-10", "", "3300-01", "500.00"),
                          ("V-B", "I-1", "2026-02-09", "", "3300-01", "500.00"),
                          ("V-B", "CM-1", "2026-02-11", "", "3300-01", "-500.00"))
    m = reconcile_invoices(lines, pos).matches.set_index("invoice_number")
    assert m.at["I-1", "matched_po"] == "PO-4" and m.at["I-2", "matched_po"] == "PO-5"
    assert m.at["CM-1", "matched_po"] == "" and m.at["CM-1", "how"] == ""


def test_likely_duplicates_by_spelling_and_by_amount_and_date() -> None:
    lines = invoice_lines(
        ("V-A", "INV-0042", "2026-02-10", "", "2500-02", "300.00"),
        ("V-A", "INV0042", "2026-02-12", "", "2500-02", "310.00"),   # same number spelled otherwise
        ("V-A", "inv 42", "2026-02-14", "", "2500-02", "320.00"),    # and again
        ("V-A", "A-100", "2026-03-02", "", "2500-02", "99.00"),
        ("V-A", "A-101", "2026-03-02", "", "2500-02", "99.00"),      # same vendor, amount and date, other number
        ("V-B", "A-102", "2026-03-02", "", "2500-02", "99.00"),      # another vendor: not
        ("V-A", "A-103", "2026-03-02", "", "2500-02", "-99.00"),     # a credit note: another amount
        ("V-A", "A-104", "2026-03-03", "", "2500-02", "99.00"),      # another date: not
    )
    f = [x for x in reconcile_invoices(lines, purchase_orders()).findings]
    assert reasons(f) == [("LIKELY_DUPLICATE_INVOICE", D("99.00")), ("LIKELY_DUPLICATE_INVOICE", D("310.00")),
                          ("LIKELY_DUPLICATE_INVOICE", D("320.00"))]
    docs = sorted(x.documents for x in f)
    assert docs == [("invoice V-A/A-100", "invoice V-A/A-101"), ("invoice V-A/INV-0042", "invoice V-A/INV0042"),
                    ("invoice V-A/INV-0042", "invoice V-A/inv 42")]


def test_an_invoice_of_several_lines_is_one_document_for_the_duplicate_check() -> None:
    # INV-7 is two lines (100.00 + 50.00 = 150.00); INV-8 one line of 150.00 on the same day: a duplicate
    # of the invoice total, not of either line.
    lines = invoice_lines(("V-A", "INV-7", "2026-02-10", "", "2500-02", "100.00"),
                          ("V-A", "INV-7", "2026-02-10", "", "2500-03", "50.00"),
                          ("V-A", "INV-8", "2026-02-10", "", "2500-02", "150.00"))
    assert reasons(reconcile_invoices(lines, purchase_orders()).findings) == [
        ("LIKELY_DUPLICATE_INVOICE", D("150.00"))]


def test_findings_frame_columns_and_exact_amounts() -> None:
    lines = invoice_lines(("V-A", "I-1", "2026-02-10", "PO-9", "2500-02", "=1+1" and "12.34"))
    frame = findings_frame(reconcile_invoices(lines, purchase_orders()).findings)
    assert list(frame.columns) == ["kind", "reason", "amount", "documents", "detail", "figures", "lines"]
    assert frame.at[0, "reason"] == Reason.INVOICE_PO_UNKNOWN.value and frame.at[0, "amount"] == D("12.34")


def test_fallback_matches_the_open_amount_after_relief_by_number_and_each_po_once() -> None:
    # PO-6 of V-B on 3300-01 for 1,000.00 (02-01) has a line of 400.00 naming it: open 600.00. PO-7,
    # same vendor and code, 600.00 (02-02). Unnumbered lines: 1,000.00 on 02-05 (PO-6's amount, not its
    # open amount: no match), 600.00 on 02-06 (the earliest PO open at 600.00: PO-6), 600.00 on 02-07
    # (PO-6 is taken, at zero: PO-7), 600.00 on 02-08 (none left).
    pos = purchase_orders(("PO-6", "V-B", "2026-02-01", "3300-01", "1000.00", "approved"),
                          ("PO-7", "V-B", "2026-02-02", "3300-01", "600.00", "approved"))
    lines = invoice_lines(("V-B", "I-0", "2026-02-03", "PO-6", "3300-01", "400.00"),
                          ("V-B", "I-1", "2026-02-05", "", "3300-01", "1000.00"),
                          ("V-B", "I-2", "2026-02-06", "", "3300-01", "600.00"),
                          ("V-B", "I-3", "2026-02-07", "", "3300-01", "600.00"),
                          ("V-B", "I-4", "2026-02-08", "", "3300-01", "600.00"))
    m = reconcile_invoices(lines, pos).matches.set_index("invoice_number")
    assert [m.at[n, "matched_po"] for n in ("I-0", "I-1", "I-2", "I-3", "I-4")] == ["PO-6", "", "PO-6", "PO-7", ""]

"""Bank lines against the check register, and the reconciled balance, worked out by hand.

The month (account OP):

  books (check register)                          bank feed
  03-02 wire FND1 +10,000.00 (ref FND1)           03-02 T1 WIRE IN          FND1   +10,000.00
  03-05 check 101 -1,200.00                       03-09 T2 CHECK 101        (none)  -1,200.00  (number in the text)
  03-11 wire PR0306-SAG   -2,000.00 (ref PR0306)  03-11 T3 PAYROLL FUNDING  PR0306  -5,500.00  (one-to-many)
  03-11 wire PR0306-IATSE -3,500.00 (ref PR0306)
  03-16 check 103 -450.00                         03-18 T4 CHECK 103        103       -540.00  (paid 90.00 more)
  03-20 ach ACH1 -800.00 (ref ACH1)               03-20 T5 ACH              ACH1      -800.00
  03-27 check 102 -300.00                         04-02 T8 CHECK 102        102       -300.00  (clears in April)
  03-31 deposit DEP1 +150.00 (no ref)             04-01 T7 DEPOSIT          (none)    +150.00  (by amount)
                                                  03-31 T6 SERVICE CHARGE   (none)     -35.00  (bank only)

On 03-31:
  bank: 10,000 - 1,200 - 5,500 - 540 - 800 - 35 = 1,925.00
  books: 10,000 - 1,200 - 2,000 - 3,500 - 450 - 800 - 300 + 150 = 1,900.00
  outstanding checks: 102 300.00 + 103 450.00 (its bank line does not match) = 750.00
  deposits in transit: DEP1 150.00
  bank-only: T6 -35.00 + T4 -540.00 = -575.00
  adjusted bank 1,925 + 150 - 750 = 1,325.00 = adjusted books 1,900 - 575 = 1,325.00.
On 04-02: bank 1,925 + 150 - 300 = 1,775.00; books 1,900.00; outstanding 450.00 (103); in transit 0;
  bank-only -575.00; 1,775 - 450 = 1,325.00 = 1,900 - 575.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from prodlib.reasons import Reason
from prodlib.reconcile.bank import (
    bank_key,
    book_key,
    match_cash,
    reconcile_balance,
    reconciliations,
    reference_key,
    statement_dates,
    uncleared_items,
)
from prodlib.reconcile.findings import ReconcileSettings
from tests.reconcile.builders import bank_lines, book_items, d, reasons

D = Decimal

BOOK = book_items(("FND1", "wire", "2026-03-02", "FND1", "10000.00"),
                  ("101", "check", "2026-03-05", "", "-1200.00"),
                  ("PR0306-SAG", "wire", "2026-03-11", "PR0306", "-2000.00"),
                  ("PR0306-IATSE", "wire", "2026-03-11", "PR0306", "-3500.00"),
                  ("103", "check", "2026-03-16", "", "-450.00"),
                  ("ACH1", "ach", "2026-03-20", "ACH1", "-800.00"),
                  ("102", "check", "2026-03-27", "", "-300.00"),
                  ("DEP1", "deposit", "2026-03-31", "", "150.00"))
BANK = bank_lines(("T1", "2026-03-02", "WIRE IN STUDIO FUNDING", "FND1", "10000.00"),
                  ("T2", "2026-03-09", "CHECK 101", "", "-1200.00"),
                  ("T3", "2026-03-11", "WIRE OUT PAYROLL FUNDING", "PR0306", "-5500.00"),
                  ("T4", "2026-03-18", "CHECK 103", "103", "-540.00"),
                  ("T5", "2026-03-20", "ACH PAYMENT", "ACH1", "-800.00"),
                  ("T6", "2026-03-31", "SERVICE CHARGE", "", "-35.00"),
                  ("T7", "2026-04-01", "DEPOSIT", "", "150.00"),
                  ("T8", "2026-04-02", "CHECK 102", "102", "-300.00"))


@pytest.mark.parametrize(("text", "key"), [("CHK 7001", "7001"), ("Check #007001", "7001"), ("7001", "7001"),
                                           ("chk-007001", "7001"), ("PR-2026 0306", "PR20260306"),
                                           ("ACH0042", "ACH0042"), ("", "")])
def test_reference_key(text, key) -> None:
    # Letters and digits only, upper case; a check number (optionally after CHECK/CHK/CK/NO) loses its
    # leading zeros; any other reference keeps its digits as written.
    assert reference_key(text) == key


def test_bank_and_book_keys() -> None:
    assert bank_key("", "CHECK 0101") == "101" and bank_key("", "CHECK NO. 55 CLEARED") == "55"
    assert bank_key("ACH1", "CHECK 9") == "ACH1"  # the reference wins
    assert bank_key("", "SERVICE CHARGE") == ""
    assert book_key("check", "101", "ignored") == "101"
    assert book_key("wire", "PR0306-SAG", "PR0306") == "PR0306" and book_key("deposit", "DEP1", "") == "DEP1"


def test_matching_one_to_one_one_to_many_by_amount_and_what_is_left() -> None:
    m = match_cash(BANK, BOOK, ReconcileSettings(), d("2026-04-02"))
    group = dict(zip(m.bank["transaction_id"], m.bank["group"], strict=True))
    book_group = dict(zip(m.book["document_no"], m.book["group"], strict=True))
    assert book_group["PR0306-SAG"] == book_group["PR0306-IATSE"] == group["T3"] >= 0  # one wire pays two
    assert m.how[group["T3"]] == "reference" and m.how[group["T2"]] == "reference"
    assert book_group["101"] == group["T2"] and book_group["102"] == group["T8"]
    assert m.how[group["T7"]] == "amount" and book_group["DEP1"] == group["T7"]
    assert group["T4"] == group["T6"] == -1 and book_group["103"] == -1
    assert reasons(m.findings) == [("BANK_ONLY_ITEM", D("35.00")), ("CASH_AMOUNT_MISMATCH", D("90.00"))]
    mismatch = next(f for f in m.findings if f.reason == Reason.CASH_AMOUNT_MISMATCH)
    assert mismatch.documents == ("check 103", "bank T4")
    assert dict(mismatch.figures) == {"bank_amount": D("-540.00"), "book_amount": D("-450.00")}


def test_reconciled_balance_on_each_statement_date_ties_to_the_cent() -> None:
    m = match_cash(BANK, BOOK, ReconcileSettings(), d("2026-04-02"))
    march = reconcile_balance(m, "OP", d("2026-03-31"))
    assert (march.bank_balance, march.deposits_in_transit, march.outstanding_checks, march.adjusted_bank) == (
        D("1925.00"), D("150.00"), D("750.00"), D("1325.00"))
    assert (march.book_balance, march.bank_only, march.adjusted_book, march.difference) == (
        D("1900.00"), D("-575.00"), D("1325.00"), D("0.00"))
    assert march.ties
    april = reconcile_balance(m, "OP", d("2026-04-02"))
    assert (april.bank_balance, april.deposits_in_transit, april.outstanding_checks, april.book_balance,
            april.bank_only, april.difference) == (D("1775.00"), D("0.00"), D("450.00"), D("1900.00"),
                                                   D("-575.00"), D("0.00"))
    assert [r.statement_date for r in reconciliations(m, d("2026-04-02"))] == [d("2026-03-31"), d("2026-04-02")]
    items = uncleared_items(m, d("2026-03-31"))
    assert sorted(zip(items["document_no"], items["item"], strict=True)) == [
        ("102", "outstanding check"), ("103", "outstanding check"), ("DEP1", "deposit in transit")]


def test_a_payment_booked_after_the_bank_paid_it_is_a_bank_item_on_that_statement() -> None:
    # Bank pays wire W -700.00 on 03-30; the books record it on 04-01. On 03-31: bank -700.00, books 0.00,
    # bank-only -700.00 (to book): adjusted bank -700.00 = adjusted books 0.00 - 700.00. On 04-01 all clear.
    m = match_cash(bank_lines(("T1", "2026-03-30", "WIRE OUT", "W", "-700.00")),
                   book_items(("W", "wire", "2026-04-01", "W", "-700.00")))
    r = reconcile_balance(m, "OP", d("2026-03-31"))
    assert (r.bank_balance, r.book_balance, r.bank_only, r.outstanding_checks, r.difference) == (
        D("-700.00"), D("0.00"), D("-700.00"), D("0.00"), D("0.00"))
    r2 = reconcile_balance(m, "OP", d("2026-04-01"))
    assert (r2.bank_only, r2.outstanding_checks, r2.difference) == (D("0.00"), D("0.00"), D("0.00"))
    assert m.findings == ()


@pytest.mark.parametrize(("posted", "matches"), [("2026-03-20", True), ("2026-03-21", False), ("2026-02-28", True),
                                                 ("2026-02-27", False)])
def test_amount_match_window_both_sides(posted, matches) -> None:
    # Book deposit 03-10, window 10 days: a bank credit of the same amount 02-28 .. 03-20 matches.
    m = match_cash(bank_lines(("T1", posted, "DEPOSIT", "", "99.00")),
                   book_items(("DEP", "deposit", "2026-03-10", "", "99.00")), ReconcileSettings())
    assert bool(m.bank.at[0, "group"] >= 0) is matches
    assert reasons(m.findings) == ([] if matches else [("BANK_ONLY_ITEM", D("99.00"))])


def test_amount_ties_nearest_date_then_earlier_line() -> None:
    # Two book items of -500.00 (03-10 X1, 03-12 X2) and two bank lines (03-11 T1, 03-13 T2), no keys:
    # X1 takes T1 (1 day), X2 takes T2. Then one book item (03-10) between 03-09 and 03-11: the earlier.
    m = match_cash(bank_lines(("T1", "2026-03-11", "ACH", "", "-500.00"), ("T2", "2026-03-13", "ACH", "", "-500.00")),
                   book_items(("X2", "ach", "2026-03-12", "", "-500.00"), ("X1", "ach", "2026-03-10", "", "-500.00")))
    g = dict(zip(m.bank["transaction_id"], m.bank["group"], strict=True))
    k = dict(zip(m.book["document_no"], m.book["group"], strict=True))
    assert k["X1"] == g["T1"] and k["X2"] == g["T2"]
    m2 = match_cash(bank_lines(("T9", "2026-03-11", "ACH", "", "-500.00"), ("T8", "2026-03-09", "ACH", "", "-500.00")),
                    book_items(("X1", "ach", "2026-03-10", "", "-500.00")))
    g2 = dict(zip(m2.bank["transaction_id"], m2.bank["group"], strict=True))
    assert g2["T8"] >= 0 and g2["T9"] == -1
    assert reasons(m2.findings) == [("BANK_ONLY_ITEM", D("500.00"))]


def test_a_bank_line_debited_twice_under_one_reference_leaves_one_bank_only() -> None:
    m = match_cash(bank_lines(("T1", "2026-03-20", "ACH", "ACH1", "-800.00"),
                              ("T2", "2026-03-20", "ACH", "ACH1", "-800.00")),
                   book_items(("ACH1", "ach", "2026-03-20", "ACH1", "-800.00")))
    assert reasons(m.findings) == [("BANK_ONLY_ITEM", D("800.00"))]
    assert next(iter(m.findings)).documents == ("bank T2",)


@pytest.mark.parametrize(("as_of", "stale"), [("2026-04-01", False), ("2026-04-02", True)])
def test_stale_check_after_the_stale_days(as_of, stale) -> None:
    # Check 201 of 2026-01-01 never clears; stale after 90 days: 04-01 is day 90, 04-02 day 91.
    m = match_cash(bank_lines(), book_items(("201", "check", "2026-01-01", "", "-100.00")), ReconcileSettings(),
                   d(as_of))
    assert reasons(m.findings) == ([("STALE_BOOK_ITEM", D("100.00"))] if stale else [])


def test_statement_dates_are_month_ends_then_the_night() -> None:
    assert statement_dates(BANK, d("2026-05-10")) == [d("2026-03-31"), d("2026-04-30"), d("2026-05-10")]
    assert statement_dates(BANK, d("2026-03-31")) == [d("2026-03-31")]

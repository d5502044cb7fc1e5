"""The bank feed against the books' cash (the check register), and the reconciled balance per statement.

The book side is the check register (input kind ``check_register``): every check, ACH, wire and deposit
the production's AP and payroll systems issued or received, as they record it. The ledger journals no
cash, so the register is what the bank is reconciled against; the bank feed itself is accepted rows.

Matching, per bank account:

1. by reference: a book item's key is its check number (method ``check``) or its reference (else its
   document number); a bank line's key is its reference, else the check number its description names
   ("CHECK 1001"); keys compare by :func:`reference_key`. A bank line whose key group of book items
   sums to its amount matches them all (one-to-one, or one-to-many: a payroll funding wire that pays
   several register lines). Otherwise equal amounts pair off in date order; what is left on both sides
   of a key is a ``CASH_AMOUNT_MISMATCH`` and stays unmatched.
2. else by amount: an unmatched book item and an unmatched bank line of the same amount posted within
   ``bank_match_days`` of it (nearest date first, then the earlier line) match one-to-one.

What no book item matches is a ``BANK_ONLY_ITEM`` (a charge to book); a book item still uncleared
``stale_days`` after its date is a ``STALE_BOOK_ITEM``; the other uncleared items are the timing
differences of the reconciliation (:class:`BankReconciliation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from prodlib.money import from_cents, money_to_cents
from prodlib.reasons import Reason
from prodlib.reconcile.findings import Finding, ReconcileSettings

#: Columns this module reads of the bank feed (canonical ``bank`` columns plus bookkeeping).
BANK_COLUMNS = ("bank_account", "transaction_id", "posted_date", "description", "reference", "amount", "line")
#: Columns this module reads of the check register (canonical ``check_register`` columns plus bookkeeping).
BOOK_COLUMNS = ("bank_account", "document_no", "method", "payment_date", "payee_id", "category", "reference",
                "amount", "line")

_ALNUM = re.compile(r"[^A-Z0-9]")
_CHECK_KEY = re.compile(r"^(?:CHECK|CHEQUE|CHK|CK|NO)?0*(\d+)$")
_CHECK_IN_TEXT = re.compile(r"\b(?:CHECK|CHEQUE|CHK|CK)\s*(?:NO\.?|#)?\s*0*(\d+)\b")


def reference_key(text: str) -> str:
    """A reference as matching compares it: upper-case letters and digits only; a check number
    ("CHK 7001", "Check #007001", "7001") is its digits without leading zeros ("7001")."""
    key = _ALNUM.sub("", str(text or "").upper())
    m = _CHECK_KEY.match(key)
    return m.group(1) if m else key


def bank_key(reference: str, description: str) -> str:
    """A bank line's matching key: its reference, else the check number its description names."""
    if str(reference or "").strip():
        return reference_key(reference)
    m = _CHECK_IN_TEXT.search(str(description or "").upper())
    return m.group(1) if m else ""


def book_key(method: str, document_no: str, reference: str) -> str:
    """A book item's matching key: a check's number, else its reference, else its document number."""
    if str(method).lower() == "check" or not str(reference or "").strip():
        return reference_key(document_no)
    return reference_key(reference)


@dataclass(frozen=True)
class CashMatch:
    """What bank-vs-books matching produced.

    Attributes:
      bank: the bank lines (:data:`BANK_COLUMNS`) with ``key`` and ``group`` (the match it belongs to,
        -1 for none).
      book: the book items (:data:`BOOK_COLUMNS`) with ``key`` and ``group``.
      how: per group id, how it matched: "reference" or "amount".
      findings: mismatches, bank-only lines and stale book items.
    """

    bank: pd.DataFrame
    book: pd.DataFrame
    how: dict[int, str]
    findings: tuple[Finding, ...]


def _dates(s: pd.Series) -> list[date]:
    return [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in s]


def _prepare(bank: pd.DataFrame, book: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    b = bank.reset_index(drop=True).copy()
    k = book.reset_index(drop=True).copy()
    b["posted_date"] = _dates(b["posted_date"])
    k["payment_date"] = _dates(k["payment_date"])
    b["cents"] = money_to_cents(b["amount"]) if len(b) else np.zeros(0, np.int64)
    k["cents"] = money_to_cents(k["amount"]) if len(k) else np.zeros(0, np.int64)
    b["key"] = [bank_key(r, d) for r, d in zip(b["reference"].fillna(""), b["description"].fillna(""), strict=True)]
    k["key"] = [book_key(m, n, r) for m, n, r in zip(k["method"].fillna(""), k["document_no"].fillna(""),
                                                      k["reference"].fillna(""), strict=True)]
    b["group"] = -1
    k["group"] = -1
    return b, k


def _docs_bank(b: pd.DataFrame, idx) -> tuple[str, ...]:
    return tuple(f"bank {b.at[i, 'transaction_id']}" for i in idx)


def _docs_book(k: pd.DataFrame, idx) -> tuple[str, ...]:
    return tuple(f"{k.at[i, 'method']} {k.at[i, 'document_no']}" for i in idx)


def match_cash(bank: pd.DataFrame, book: pd.DataFrame, settings: ReconcileSettings | None = None,
               as_of: date | None = None) -> CashMatch:
    """Match bank lines to book items (the module's rules 1 and 2); ``as_of`` (default: the latest date
    on either side) is the day stale items are judged on."""
    settings = settings or ReconcileSettings()
    b, k = _prepare(bank, book)
    how: dict[int, str] = {}
    findings: list[Finding] = []
    mismatched_b: set[int] = set()
    mismatched_k: set[int] = set()
    gid = 0
    bank_groups = b[b["key"] != ""].groupby(["bank_account", "key"], sort=True).groups
    book_groups = k[k["key"] != ""].groupby(["bank_account", "key"], sort=True).groups
    for key in sorted(set(bank_groups) & set(book_groups)):
        bi = sorted(bank_groups[key], key=lambda i: (b.at[i, "posted_date"], b.at[i, "transaction_id"]))
        ki = sorted(book_groups[key], key=lambda i: (k.at[i, "payment_date"], k.at[i, "document_no"], i))
        if len(bi) == 1 and int(k.loc[ki, "cents"].sum()) == int(b.at[bi[0], "cents"]):
            b.loc[bi, "group"] = gid
            k.loc[ki, "group"] = gid
            how[gid] = "reference"
            gid += 1
            continue
        free_k = list(ki)
        left_b = []
        for i in bi:
            j = next((j for j in free_k if k.at[j, "cents"] == b.at[i, "cents"]), None)
            if j is None:
                left_b.append(i)
                continue
            free_k.remove(j)
            b.at[i, "group"], k.at[j, "group"] = gid, gid
            how[gid] = "reference"
            gid += 1
        if left_b and free_k:
            mismatched_b |= set(left_b)
            mismatched_k |= set(free_k)
            bank_c, book_c = int(b.loc[left_b, "cents"].sum()), int(k.loc[free_k, "cents"].sum())
            findings.append(Finding(
                "bank", Reason.CASH_AMOUNT_MISMATCH, from_cents(abs(bank_c - book_c)),
                (*_docs_book(k, free_k), *_docs_bank(b, left_b)),
                f"reference {key[1]} on {key[0]}: the bank shows {from_cents(bank_c)}, the books "
                f"{from_cents(book_c)}",
                (("bank_amount", from_cents(bank_c)), ("book_amount", from_cents(book_c))),
                (*k.loc[free_k, "line"], *b.loc[left_b, "line"])))
    # 2. by amount within the window, one-to-one.
    window = settings.bank_match_days
    free_b = b.index[(b["group"] < 0) & ~b.index.isin(list(mismatched_b))]
    pool: dict[tuple[str, int], list[int]] = {}
    for i in free_b:
        pool.setdefault((b.at[i, "bank_account"], int(b.at[i, "cents"])), []).append(i)
    todo = k.index[(k["group"] < 0) & ~k.index.isin(list(mismatched_k))]
    for j in sorted(todo, key=lambda j: (k.at[j, "payment_date"], k.at[j, "document_no"], j)):
        d = k.at[j, "payment_date"]
        cands = [i for i in pool.get((k.at[j, "bank_account"], int(k.at[j, "cents"])), [])
                 if abs((b.at[i, "posted_date"] - d).days) <= window]
        if not cands:
            continue
        i = min(cands, key=lambda i: (abs((b.at[i, "posted_date"] - d).days), b.at[i, "posted_date"],
                                      b.at[i, "transaction_id"]))
        pool[(k.at[j, "bank_account"], int(k.at[j, "cents"]))].remove(i)
        b.at[i, "group"], k.at[j, "group"] = gid, gid
        how[gid] = "amount"
        gid += 1
    for i in b.index[(b["group"] < 0) & ~b.index.isin(list(mismatched_b))]:
        amt = from_cents(int(b.at[i, "cents"]))
        findings.append(Finding(
            "bank", Reason.BANK_ONLY_ITEM, abs(amt), _docs_bank(b, [i]),
            f"bank line {b.at[i, 'transaction_id']} of {b.at[i, 'posted_date']} ({b.at[i, 'description']}, "
            f"{amt}) matches no book entry",
            (("bank_amount", amt),), (b.at[i, "line"],)))
    last = max([*b["posted_date"], *k["payment_date"]], default=None)
    as_of = as_of or last
    if as_of is not None:
        for j in k.index[(k["group"] < 0) & ~k.index.isin(list(mismatched_k))]:
            age = (as_of - k.at[j, "payment_date"]).days
            if age > settings.stale_days:
                amt = from_cents(int(k.at[j, "cents"]))
                findings.append(Finding(
                    "bank", Reason.STALE_BOOK_ITEM, abs(amt), _docs_book(k, [j]),
                    f"{k.at[j, 'method']} {k.at[j, 'document_no']} of {k.at[j, 'payment_date']} to "
                    f"{k.at[j, 'payee_id']} ({amt}) has not cleared in {age} days",
                    (("book_amount", amt),), (k.at[j, "line"],)))
    return CashMatch(b, k, how, tuple(findings))


@dataclass(frozen=True)
class BankReconciliation:
    """One bank account's reconciliation on one statement date, as an accountant writes it.

    Balance per bank + deposits in transit - outstanding checks = adjusted bank balance; balance per
    books + bank-only items = adjusted book balance; the two agree to the cent (``difference`` 0).

    Attributes:
      bank_account: the account.
      statement_date: the day the balances are taken at (bank lines posted, book items dated, by then).
      bank_balance: the bank's balance: every bank line posted by then (the feed starts at the
        account's opening).
      deposits_in_transit: book receipts by then that the bank has not credited by then (>= 0).
      outstanding_checks: book payments (checks, ACH, wires) by then that the bank has not paid by
        then, as a positive amount.
      book_balance: the books' balance: every check register item dated by then.
      bank_only: bank lines by then that no book item by then accounts for (charges negative): to book.
      adjusted_bank: bank_balance + deposits_in_transit - outstanding_checks.
      adjusted_book: book_balance + bank_only.
      difference: adjusted_bank - adjusted_book (0.00 when it ties out).
    """

    bank_account: str
    statement_date: date
    bank_balance: Decimal
    deposits_in_transit: Decimal
    outstanding_checks: Decimal
    book_balance: Decimal
    bank_only: Decimal
    adjusted_bank: Decimal
    adjusted_book: Decimal
    difference: Decimal

    @property
    def ties(self) -> bool:
        return self.difference == 0

    def lines(self) -> list[tuple[str, Decimal]]:
        """The statement, line by line, in the order it is written."""
        return [("Balance per bank", self.bank_balance), ("Add: deposits in transit", self.deposits_in_transit),
                ("Less: outstanding checks", -self.outstanding_checks), ("Adjusted bank balance", self.adjusted_bank),
                ("Balance per books", self.book_balance), ("Add/less: bank-only items", self.bank_only),
                ("Adjusted book balance", self.adjusted_book), ("Difference", self.difference)]


def reconcile_balance(match: CashMatch, bank_account: str, statement_date: date) -> BankReconciliation:
    """The reconciliation of one account on one date from a :class:`CashMatch` (see the class)."""
    b = match.bank[match.bank["bank_account"] == bank_account]
    k = match.book[match.book["bank_account"] == bank_account]
    d = statement_date
    b_in = b[np.array([x <= d for x in b["posted_date"]], dtype=bool)]  # (an empty list would pick columns)
    k_in = k[np.array([x <= d for x in k["payment_date"]], dtype=bool)]
    cleared_groups = set(b_in.loc[b_in["group"] >= 0, "group"])
    bank_balance = int(b_in["cents"].sum())
    book_balance = int(k_in["cents"].sum())
    uncleared = k_in[~k_in["group"].isin(cleared_groups)]
    dit = int(uncleared.loc[uncleared["cents"] > 0, "cents"].sum())
    osc = -int(uncleared.loc[uncleared["cents"] < 0, "cents"].sum())
    # Bank lines by then no book item by then accounts for: unmatched ones, and the part of a cleared
    # match whose book items are dated later (booked after the bank paid).
    late_book = k[k["group"].isin(cleared_groups).to_numpy() & np.array([x > d for x in k["payment_date"]], bool)]
    bank_only = int(b_in.loc[b_in["group"] < 0, "cents"].sum()) + int(late_book["cents"].sum())
    adj_bank = bank_balance + dit - osc
    adj_book = book_balance + bank_only
    c = from_cents
    return BankReconciliation(bank_account, d, c(bank_balance), c(dit), c(osc), c(book_balance), c(bank_only),
                              c(adj_bank), c(adj_book), c(adj_bank - adj_book))


def statement_dates(bank: pd.DataFrame, as_of: date) -> list[date]:
    """Month ends from the first bank line's month up to ``as_of``, then ``as_of`` itself."""
    posted = _dates(bank["posted_date"]) if len(bank) else []
    first = min(posted, default=as_of)
    out = []
    m = date(first.year, first.month, 1)
    while True:
        nxt = date(m.year + m.month // 12, m.month % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        if end >= as_of:
            break
        out.append(end)
        m = nxt
    return [*out, as_of]


def reconciliations(match: CashMatch, as_of: date) -> list[BankReconciliation]:
    """Every account's reconciliation on every statement date (:func:`statement_dates`)."""
    accounts = sorted(set(match.bank["bank_account"]) | set(match.book["bank_account"]))
    return [reconcile_balance(match, a, d) for a in accounts
            for d in statement_dates(match.bank[match.bank["bank_account"] == a], as_of)]


def reconciliations_frame(recs: list[BankReconciliation]) -> pd.DataFrame:
    """One row per account and statement date, amounts as exact Decimals."""
    cols = ["bank_account", "statement_date", "bank_balance", "deposits_in_transit", "outstanding_checks",
            "adjusted_bank", "book_balance", "bank_only", "adjusted_book", "difference"]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in recs], columns=cols)


def uncleared_items(match: CashMatch, statement_date: date) -> pd.DataFrame:
    """The outstanding checks and deposits in transit on a date, item by item (what the totals add up)."""
    k = match.book
    cleared = set(match.bank.loc[np.array([x <= statement_date for x in match.bank["posted_date"]], dtype=bool),
                                 "group"]) - {-1}
    sel = k[np.array([x <= statement_date for x in k["payment_date"]], bool) & ~k["group"].isin(cleared).to_numpy()]
    out = sel[["bank_account", "method", "document_no", "payment_date", "payee_id", "reference", "amount", "line"]]
    return out.assign(item=np.where(sel["cents"] > 0, "deposit in transit", "outstanding check")).reset_index(
        drop=True)

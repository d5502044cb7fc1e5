"""The nightly reconciliation: every reconciliation over one ledger and its input folder, read-only.

The edges: :func:`load_inputs` reads the ledger (through the ``Ledger`` facade) and the input folder's
bank feeds and check registers (through ``ingest.read_source``, keeping only the rows the ledger did
not quarantine); :func:`reconcile_night` is pure over what was loaded. Nothing is written to the
ledger, so a second run of the same night gives the same result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from prodlib.money import cents_to_money, from_cents, money_to_cents
from prodlib.reconcile.bank import (
    BankReconciliation,
    CashMatch,
    match_cash,
    reconciliations,
    reconciliations_frame,
    uncleared_items,
)
from prodlib.reconcile.findings import KINDS, Finding, ReconcileSettings, findings_frame
from prodlib.reconcile.invoices import InvoiceReconciliation, invoice_lines, posted_lines, reconcile_invoices
from prodlib.reconcile.petty_cash import EnvelopeCheck, check_envelopes

if TYPE_CHECKING:
    from prodlib.ledger import Ledger


@dataclass(frozen=True)
class NightInputs:
    """What one night's reconciliation reads.

    Attributes:
      as_of: the day the books and the bank are taken at.
      invoice_lines: the ledger's invoice lines (``invoices.LINE_COLUMNS``).
      purchase_orders: the ledger's PO register as of then.
      ledger_open: the ledger's own ``open_commitments`` as of then (checked against ours).
      receipts: the ledger's petty cash lines (``petty_cash.RECEIPT_COLUMNS``).
      bank: the bank lines (``bank.BANK_COLUMNS``), or None without an input folder.
      book: the check register items (``bank.BOOK_COLUMNS`` + envelope_id), or None without one.
    """

    as_of: date | None
    invoice_lines: pd.DataFrame
    purchase_orders: pd.DataFrame
    ledger_open: pd.DataFrame
    receipts: pd.DataFrame
    bank: pd.DataFrame | None
    book: pd.DataFrame | None


def _accepted(kind: str, specs: Iterable, quarantined: set[tuple[str, int]]) -> pd.DataFrame | None:
    from prodlib.ingest import read_source

    frames = []
    for spec in specs:
        f = read_source(spec).frame
        keep = [(spec.id, int(n)) not in quarantined for n in f["source_line"]]
        f = f[keep].copy()
        if "bank_account" not in f:
            f["bank_account"] = pd.NA
        acct = f["bank_account"].astype("string").fillna("").str.strip()
        f["bank_account"] = acct.where(acct != "", spec.id).astype(object)
        f["line"] = [f"{spec.id}:{n}" for n in f["source_line"]]
        frames.append(f)
    if not frames:
        return None
    out = pd.concat(frames, ignore_index=True)
    date_col = "posted_date" if kind == "bank" else "payment_date"
    out[date_col] = [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in out[date_col]]
    optional = ("description", "reference") if kind == "bank" else ("payee_id", "category", "reference",
                                                                      "envelope_id")
    for c in (*optional, "method"):
        if c in out:
            out[c] = out[c].astype("string").fillna("").astype(object)
        elif c != "method":
            out[c] = ""
    if "method" in out:
        out["method"] = out["method"].str.lower()
    return out


def load_inputs(led: Ledger, as_of: date | None = None, input_dir: str | Path | None = None) -> NightInputs:
    """Read the ledger, and with ``input_dir`` its bank feeds and check registers. Without ``as_of``,
    the night is the last bank line's date (else everything the ledger holds)."""
    bank = book = None
    if input_dir is not None:
        from prodlib.sources import load_input_set

        inputs = load_input_set(input_dir)
        q = led.quarantine_frame()
        quarantined = {(s, int(n)) for s, n in zip(q["source_id"], q["source_line"], strict=True)}
        bank = _accepted("bank", inputs.of_kind("bank"), quarantined)
        book = _accepted("check_register", inputs.of_kind("check_register"), quarantined)
        if as_of is None and bank is not None and len(bank):
            as_of = max(bank["posted_date"])
        if as_of is not None:
            bank = None if bank is None else bank[[d <= as_of for d in bank["posted_date"]]].reset_index(drop=True)
            book = None if book is None else book[[d <= as_of for d in book["payment_date"]]].reset_index(drop=True)
    entries, batches = led.entries_frame(as_of), led.batches_frame()
    receipts = posted_lines(entries, batches, "petty_cash").rename(columns={
        "document_no": "envelope_id", "party_id": "custodian", "entry_date": "receipt_date"})
    return NightInputs(as_of, invoice_lines(entries, batches), led.purchase_orders_frame(as_of),
                       led.open_commitments(as_of), receipts, bank, book)


@dataclass(frozen=True)
class NightResult:
    """One night's reconciliation.

    Attributes:
      as_of: the day it was taken at.
      invoices: the invoice-vs-PO run.
      ledger_agrees: True when the ledger's own open commitments are, PO by PO, the open amounts of
        ``commitment_positions`` (each invoiced cent counted once, by number or by match).
      cash: the bank-vs-books matching, or None without an input folder.
      balances: the reconciled balance per account and statement date (empty without one).
      envelopes: the petty cash envelope check, or None without an input folder.
      findings: every finding, invoice, bank then petty cash.
    """

    as_of: date | None
    invoices: InvoiceReconciliation
    ledger_agrees: bool
    cash: CashMatch | None
    balances: tuple[BankReconciliation, ...]
    envelopes: EnvelopeCheck | None
    findings: tuple[Finding, ...]

    def by_reason(self) -> list[tuple[str, str, int, object]]:
        """(kind, reason, count, amount at stake) per finding reason, in kind order."""
        tot: dict[tuple[str, str], list[int]] = {}
        for f in self.findings:
            t = tot.setdefault((f.kind, f.reason.value), [0, 0])
            t[0] += 1
            t[1] += int(money_to_cents(pd.Series([f.amount]))[0])
        keys = sorted(tot, key=lambda k: (KINDS.index(k[0]), k[1]))
        return [(k, r, tot[(k, r)][0], from_cents(tot[(k, r)][1])) for k, r in keys]


def _ledger_agrees(positions: pd.DataFrame, ledger_open: pd.DataFrame) -> bool:
    ours = {p: c for p, c in zip(positions["po_number"], money_to_cents(positions["open"]), strict=True)
            if c > 0} if len(positions) else {}
    theirs = dict(zip(ledger_open["po_number"].astype(str).str.upper(), money_to_cents(ledger_open["amount"]),
                      strict=True)) if len(ledger_open) else {}
    return ours == theirs


def reconcile_night(inputs: NightInputs, settings: ReconcileSettings | None = None) -> NightResult:
    """Every reconciliation over what :func:`load_inputs` read."""
    settings = settings or ReconcileSettings()
    inv = reconcile_invoices(inputs.invoice_lines, inputs.purchase_orders, settings)
    findings = list(inv.findings)
    cash = envelopes = None
    balances: tuple[BankReconciliation, ...] = ()
    if inputs.bank is not None or inputs.book is not None:
        bank = inputs.bank if inputs.bank is not None else _empty_bank()
        book = inputs.book if inputs.book is not None else _empty_book()
        cash = match_cash(bank, book, settings, inputs.as_of)
        findings += cash.findings
        when = inputs.as_of or max([*cash.bank["posted_date"], *cash.book["payment_date"]], default=None)
        balances = tuple(reconciliations(cash, when)) if when is not None else ()
        env_cash = book[book["envelope_id"] != ""] if "envelope_id" in book else book.iloc[:0]
        envelopes = check_envelopes(inputs.receipts, env_cash.assign(envelope_id=env_cash.get("envelope_id", "")))
        findings += envelopes.findings
    return NightResult(inputs.as_of, inv, _ledger_agrees(inv.positions, inputs.ledger_open), cash, balances,
                       envelopes, tuple(findings))


def _empty_bank() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in
                         ("bank_account", "transaction_id", "posted_date", "description", "reference", "line")}
                        ).assign(amount=cents_to_money([]))


def _empty_book() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in
                         ("bank_account", "document_no", "method", "payment_date", "payee_id", "category",
                          "reference", "envelope_id", "line")}).assign(amount=cents_to_money([]))


def write_outputs(result: NightResult, out_dir: str | Path) -> list[Path]:
    """The night's CSVs (through ``reports.export.write_csv``, formula-safe) into ``out_dir``."""
    from prodlib.reports.export import write_csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_csv(findings_frame(result.findings), out / "reconcile_findings.csv"),
             write_csv(result.invoices.positions, out / "reconcile_commitments.csv")]
    if result.cash is not None:
        paths.append(write_csv(reconciliations_frame(list(result.balances)), out / "reconcile_bank.csv"))
        if result.balances:
            last = result.balances[-1].statement_date
            paths.append(write_csv(uncleared_items(result.cash, last), out / "reconcile_uncleared.csv"))
    if result.envelopes is not None:
        paths.append(write_csv(result.envelopes.envelopes, out / "reconcile_envelopes.csv"))
    return paths

"""The nightly reconciliation: every reconciliation over one ledger and its input folder, read-only.

The edges: :func:`load_inputs` reads the ledger (through the ``Ledger`` facade) and the input folder's
bank feeds and check registers (through ``ingest.read_source``, keeping only the rows the ledger did
not quarantine); :func:`reconcile_night` is pure over what was loaded. Nothing is written to the
ledger, so a second run of the same night gives the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from prodlib.money import cents_to_money, from_cents, money_to_cents
from prodlib.reasons import Reason
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
from prodlib.reconcile.timecards import PAY_COLUMNS, TimecardReconciliation, reconcile_timecards
from prodlib.rules.work import WorkRuleBook
from prodlib.values import column_values, py_date

if TYPE_CHECKING:
    from prodlib.ledger import Ledger


@dataclass(frozen=True)
class NightInputs:
    """What one night's reconciliation reads.

    Attributes:
      as_of: the day the books and the bank are taken at.
      invoice_lines: the ledger's invoice lines (``invoices.LINE_COLUMNS``).
      purchase_orders: the ledger's PO register as of then.
      ledger_open: the ledger's own ``open_commitments`` as of then (checked against ours), or None
        when the night reconciles some vendors only (not checked).
      receipts: the ledger's petty cash lines (``petty_cash.RECEIPT_COLUMNS``).
      bank: the bank lines (``bank.BANK_COLUMNS``), or None without an input folder.
      book: the check register items (``bank.BOOK_COLUMNS`` + envelope_id), or None without one.
      settings: the production's reconciliation settings (production.yaml's ``reconcile:``).
      timecards: the accepted timecards (``checks.days.TIMECARD_COLUMNS`` + line), or None.
      pay: the accepted payroll lines (``timecards.PAY_COLUMNS``), or None.
      held_days: (employee, work date) whose timecard or a pay line is in the quarantine.
      work: the production's work-rule schedules (None without timecards and payroll).
      held_envelopes: envelopes the pipeline holds (their lines quarantined ENVELOPE_UNBALANCED).
    """

    as_of: date | None
    invoice_lines: pd.DataFrame
    purchase_orders: pd.DataFrame
    ledger_open: pd.DataFrame | None
    receipts: pd.DataFrame
    bank: pd.DataFrame | None
    book: pd.DataFrame | None
    settings: ReconcileSettings = field(default_factory=ReconcileSettings)
    timecards: pd.DataFrame | None = None
    pay: pd.DataFrame | None = None
    held_days: frozenset[tuple[str, date]] = frozenset()
    work: WorkRuleBook | None = None
    held_envelopes: frozenset[str] = frozenset()


def _rows(specs: Iterable, quarantined: set[tuple[str, int]]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(the rows the ledger did not quarantine, the rows it did) of these sources, as ``read_source``
    parses them, each with ``line`` ("<source id>:<line>"); (None, None) without a source."""
    from prodlib.ingest import read_source

    kept, held = [], []
    for spec in specs:
        f = read_source(spec).frame
        f = f.assign(line=[f"{spec.id}:{n}" for n in f["source_line"]])
        keep = [(spec.id, int(n)) not in quarantined for n in f["source_line"]]
        kept.append(f[keep].copy())
        held.append(f[[not k for k in keep]].copy())
    if not kept:
        return None, None
    return pd.concat(kept, ignore_index=True), pd.concat(held, ignore_index=True)


def _accepted(kind: str, specs: Iterable, quarantined: set[tuple[str, int]]) -> pd.DataFrame | None:
    out, _ = _rows(specs, quarantined)
    if out is None:
        return None
    ids = out["line"].str.rsplit(":", n=1).str[0]
    if "bank_account" not in out:
        out["bank_account"] = pd.NA
    acct = out["bank_account"].astype("string").fillna("").str.strip()
    out["bank_account"] = acct.where(acct != "", ids).astype(object)
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


def _until(frame: pd.DataFrame | None, column: str, as_of: date) -> pd.DataFrame | None:
    """The rows dated (``column``) on or before ``as_of``; rows without a readable date are kept."""
    if frame is None or frame.empty or column not in frame:
        return frame
    keep = [(d := py_date(v)) is None or d <= as_of for v in column_values(frame, column)]
    return frame[np.array(keep, dtype=bool)].reset_index(drop=True)


def _days(frame: pd.DataFrame | None) -> set[tuple[str, date]]:
    """(employee id, work date) of rows that name both."""
    if frame is None or frame.empty or "work_date" not in frame or "employee_id" not in frame:
        return set()
    return {(str(e), py_date(w)) for e, w in zip(frame["employee_id"], column_values(frame, "work_date"), strict=True)
            if py_date(w) is not None and not pd.isna(e)}


def _quiet(_: str) -> None:
    return None


#: The steps :func:`run_night` reports to its ``progress`` callback, in order (a progress bar's total).
NIGHT_STEPS = ("bank feeds and check registers", "timecards and payroll", "the ledger", "invoices vs POs",
               "timecards vs payroll", "bank vs books", "petty cash envelopes")


def _wanted(kinds: Collection[str] | None, *ks: str) -> bool:
    """Whether a night of ``kinds`` (None: every kind) runs one of the reconciliations ``ks``."""
    return kinds is None or any(k in kinds for k in ks)


def load_inputs(led: Ledger, as_of: date | None = None, input_dir: str | Path | None = None,
                settings: ReconcileSettings | None = None, step: Callable[[str], None] = _quiet,
                kinds: Collection[str] | None = None, vendors: Collection[str] | None = None) -> NightInputs:
    """Read the ledger, and with ``input_dir`` its bank feeds, check registers, timecards and payroll
    (and the production's ``reconcile:`` settings and work rules). Without ``as_of``, the night is the
    last bank line's date (else everything the ledger holds). ``kinds``: only what these
    reconciliations (of :data:`KINDS`) read; the rest is left empty (default: everything).
    ``vendors``: only these vendors' invoice lines and POs (:func:`invoice_scope`), and no check of
    the ledger's open commitments (``ledger_open`` None)."""
    def wanted(*ks: str) -> bool:
        return _wanted(kinds, *ks)

    bank = book = timecards = pay = None
    held: set[tuple[str, date]] = set()
    work = None
    held_env: frozenset[str] = frozenset()
    if input_dir is not None:
        from prodlib.rules import load_rules
        from prodlib.sources import load_input_set

        inputs = load_input_set(input_dir)
        settings = settings or inputs.production.reconcile
        q = led.quarantine_frame()
        quarantined = {(s, int(n)) for s, n in zip(q["source_id"], q["source_line"], strict=True)}
        if wanted("bank") or as_of is None:  # the night's date is the bank's
            bank = _accepted("bank", inputs.of_kind("bank"), quarantined)
        if wanted("bank", "petty_cash"):
            book = _accepted("check_register", inputs.of_kind("check_register"), quarantined)
        step(NIGHT_STEPS[0])
        if wanted("timecard"):
            timecards, held_cards = _rows(inputs.of_kind("timecard"), quarantined)
            pay, held_pay = _rows(inputs.of_kind("payroll"), quarantined)
            held = _days(held_cards) | _days(held_pay)
        step(NIGHT_STEPS[1])
        if wanted("petty_cash"):
            held_env = _held_envelopes(inputs.of_kind("petty_cash"), q)
        if timecards is not None or pay is not None:
            work = load_rules(inputs.production).work
        if as_of is None and bank is not None and len(bank):
            as_of = max(bank["posted_date"])
        if as_of is not None:
            bank = None if bank is None else bank[[d <= as_of for d in bank["posted_date"]]].reset_index(drop=True)
            book = None if book is None else book[[d <= as_of for d in book["payment_date"]]].reset_index(drop=True)
            timecards, pay = _until(timecards, "work_date", as_of), _until(pay, "period_end", as_of)
    settings = settings or ReconcileSettings()
    lines, pos, ledger_open, receipts = ledger_inputs(led, as_of, settings, wanted("invoice"), wanted("petty_cash"),
                                                      vendors)
    out = NightInputs(as_of, lines, pos, ledger_open, receipts, bank, book,
                      settings, timecards, pay, frozenset(held), work, held_env)
    step(NIGHT_STEPS[2])
    return out


def ledger_inputs(led: Ledger, as_of: date | None, settings: ReconcileSettings, invoices: bool = True,
                  petty_cash: bool = True, vendors: Collection[str] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, pd.DataFrame]:
    """What the night reads of the ledger: (invoice lines, PO register, the ledger's open commitments,
    petty cash receipts), as of ``as_of``, in one snapshot.

    Only the cost lines of invoice and petty cash batches (and of corrections) are read
    (``ledger.view.kind_lines``: by each batch's entry range), not the whole journal; the ledger's
    open commitments are computed from the same lines (``commitments.open_commitments_of``).
    ``invoices`` / ``petty_cash`` False: that part is not read (empty frames). ``vendors``: only their
    invoice lines (by the entries' party) and POs, and no open commitments (None)."""
    from prodlib.ledger import commitments as cm
    from prodlib.ledger import view as lv

    with led.engine.connect() as conn:
        pid = led.production_id
        batches = led.batches_frame()[["batch_id", "kind"]]
        none = batches.iloc[:0]
        if vendors is None:
            read = [k for k, want in (("invoice", invoices), ("petty_cash", petty_cash)) if want]
            entries = lv.kind_lines(conn, pid, read, as_of)
            lines = invoice_lines(entries, batches if invoices else none)
            receipts = posted_lines(entries, batches if petty_cash else none, "petty_cash")
            del entries  # both kinds' lines, whole: freed before the commitments are computed (the night's peak)
        else:
            lines = invoice_lines(lv.kind_lines(conn, pid, ["invoice"], as_of, parties=vendors) if invoices else
                                  lv.kind_lines(conn, pid, [], as_of).iloc[:0], batches if invoices else none)
            receipts = posted_lines(lv.kind_lines(conn, pid, ["petty_cash"] if petty_cash else [], as_of),
                                    batches if petty_cash else none, "petty_cash")
        receipts = receipts.rename(columns={"document_no": "envelope_id", "party_id": "custodian",
                                            "entry_date": "receipt_date"})
        pos = cm.purchase_orders_frame(conn, pid, as_of)
        if not invoices:
            pos = pos.iloc[:0]
        if vendors is not None:
            pos = pos[pos["vendor_id"].astype("string").fillna("").str.strip().isin(
                {str(v).strip() for v in vendors}).to_numpy(dtype=bool)].reset_index(drop=True)
        ledger_open = (cm.open_commitments_of(conn, pid, pos, lines, as_of, settings.po_match_days)
                       if vendors is None else None)
    return lines, pos, ledger_open, receipts


def _held_envelopes(specs: Iterable, q: pd.DataFrame) -> frozenset[str]:
    """Envelopes whose lines the pipeline holds together (quarantined ENVELOPE_UNBALANCED), as the
    petty cash files name them."""
    rows = q[q["reason"] == Reason.ENVELOPE_UNBALANCED.value]
    if rows.empty:
        return frozenset()
    lines = {f"{s}:{int(n)}" for s, n in zip(rows["source_id"], rows["source_line"], strict=True)}
    _, held = _rows(specs, {(s, int(n)) for s, n in zip(rows["source_id"], rows["source_line"], strict=True)})
    if held is None or "envelope_id" not in held:
        return frozenset()
    return frozenset(str(e) for e, ln in zip(held["envelope_id"], held["line"], strict=True) if ln in lines)


@dataclass(frozen=True)
class NightResult:
    """One night's reconciliation.

    Attributes:
      as_of: the day it was taken at.
      invoices: the invoice-vs-PO run.
      timecards: the timecards-vs-payroll run, or None without timecards and payroll.
      ledger_agrees: True when the ledger's own open commitments are, PO by PO, the open amounts of
        ``commitment_positions`` (each invoiced cent counted once, by number or by match).
      cash: the bank-vs-books matching, or None without an input folder.
      balances: the reconciled balance per account and statement date (empty without one).
      envelopes: the petty cash envelope check, or None without an input folder.
      findings: every finding, invoice, timecard, bank then petty cash.
      kinds: the reconciliations this night ran (:data:`KINDS`), when it ran only those whose inputs
        changed (:func:`run_night_after`); None for a whole night. The others' findings stay in the
        queue as they are.
      state: what to record with the findings (:func:`night_state`), or None.
      vendors: when the invoice reconciliation ran for some vendors only (:func:`invoice_scope`):
        those (as the findings name them); None for every vendor. Its other findings stay as they are.
      po_vendor: each PO's vendor (upper-case PO number -> vendor) when ``vendors`` is set.
    """

    as_of: date | None
    invoices: InvoiceReconciliation
    timecards: TimecardReconciliation | None
    ledger_agrees: bool | None
    cash: CashMatch | None
    balances: tuple[BankReconciliation, ...]
    envelopes: EnvelopeCheck | None
    findings: tuple[Finding, ...]
    kinds: tuple[str, ...] | None = None
    state: dict | None = None
    vendors: frozenset[str] | None = None
    po_vendor: dict[str, str] | None = None

    def in_scope(self, kind: str, payload: dict) -> bool:
        """Whether a queued finding (its kind and payload: ``documents``) is one this night judged
        again: every finding of a kind it ran, but of the invoices, with ``vendors`` set, only those
        naming one of them (:func:`names_vendor`)."""
        if kind != "invoice" or self.vendors is None:
            return True
        return names_vendor(payload.get("documents", ()), self.vendors, self.po_vendor or {})

    def by_reason(self) -> list[tuple[str, str, int, object]]:
        """(kind, reason, count, amount at stake) per finding reason, in kind order."""
        tot: dict[tuple[str, str], list[int]] = {}
        for f in self.findings:
            t = tot.setdefault((f.kind, f.reason.value), [0, 0])
            t[0] += 1
            t[1] += int(money_to_cents(pd.Series([f.amount]))[0])
        keys = sorted(tot, key=lambda k: (KINDS.index(k[0]), k[1]))
        return [(k, r, tot[(k, r)][0], from_cents(tot[(k, r)][1])) for k, r in keys]


def names_vendor(documents: Iterable[str], vendors: Collection[str], po_vendor: dict[str, str]) -> bool:
    """Whether an invoice finding's documents name one of ``vendors``: an invoice of theirs
    ("invoice V/N"), or a PO of theirs ("po P", ``po_vendor``: upper-case PO number -> vendor)."""
    for d in documents:
        if d.startswith("po ") and po_vendor.get(d[3:]) in vendors:
            return True
        if d.startswith("invoice ") and any(d.startswith(f"invoice {v}/") for v in vendors):
            return True
    return False


def _ledger_agrees(positions: pd.DataFrame, ledger_open: pd.DataFrame | None) -> bool | None:
    if ledger_open is None:
        return None
    ours = {p: c for p, c in zip(positions["po_number"], money_to_cents(positions["open"]), strict=True)
            if c > 0} if len(positions) else {}
    theirs = dict(zip(ledger_open["po_number"].astype(str).str.upper(), money_to_cents(ledger_open["amount"]),
                      strict=True)) if len(ledger_open) else {}
    return ours == theirs


def reconcile_night(inputs: NightInputs, settings: ReconcileSettings | None = None,
                    step: Callable[[str], None] = _quiet, kinds: Collection[str] | None = None) -> NightResult:
    """Every reconciliation over what :func:`load_inputs` read (``settings``: default the inputs');
    ``kinds``: only these (of :data:`KINDS`; :func:`load_inputs` read with the same ``kinds``)."""
    def wanted(*ks: str) -> bool:
        return _wanted(kinds, *ks)

    settings = settings or inputs.settings
    inv = reconcile_invoices(inputs.invoice_lines, inputs.purchase_orders, settings)
    findings = list(inv.findings) if wanted("invoice") else []
    step(NIGHT_STEPS[3])
    tc = None
    if inputs.work is not None and wanted("timecard"):
        tc = reconcile_timecards(inputs.timecards if inputs.timecards is not None else pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ("employee_id", "work_date", "line")}),
            inputs.pay if inputs.pay is not None else pd.DataFrame({c: pd.Series(dtype=object) for c in PAY_COLUMNS}),
            inputs.work, set(inputs.held_days))
        findings += tc.findings
    step(NIGHT_STEPS[4])
    cash = envelopes = None
    balances: tuple[BankReconciliation, ...] = ()
    if (inputs.bank is not None or inputs.book is not None) and wanted("bank", "petty_cash"):
        bank = inputs.bank if inputs.bank is not None and wanted("bank") else _empty_bank()
        book = inputs.book if inputs.book is not None else _empty_book()
        cash = match_cash(bank, book, settings, inputs.as_of)
        if wanted("bank"):
            findings += cash.findings
            when = inputs.as_of or max([*cash.bank["posted_date"], *cash.book["payment_date"]], default=None)
            balances = tuple(reconciliations(cash, when)) if when is not None else ()
        step(NIGHT_STEPS[5])
        if wanted("petty_cash"):
            env_cash = book[book["envelope_id"] != ""] if "envelope_id" in book else book.iloc[:0]
            envelopes = check_envelopes(inputs.receipts, env_cash.assign(envelope_id=env_cash.get("envelope_id", "")),
                                        held=inputs.held_envelopes)
            findings += envelopes.findings
        step(NIGHT_STEPS[6])
        if not wanted("bank"):
            cash = None  # matched only for the envelopes' cash: not a bank reconciliation
    return NightResult(inputs.as_of, inv, tc, _ledger_agrees(inv.positions, inputs.ledger_open), cash, balances,
                       envelopes, tuple(findings), None if kinds is None else tuple(k for k in KINDS if k in kinds))


def run_night(led: Ledger, input_dir: str | Path | None = None, settings: ReconcileSettings | None = None,
              as_of: date | None = None, progress: Callable[[str], None] | None = None) -> NightResult:
    """The night over one ledger (and its input folder): :func:`load_inputs` then :func:`reconcile_night`.

    ``settings``: default the input folder's production.yaml ``reconcile:`` block (else the samples).
    ``progress`` is told each of :data:`NIGHT_STEPS` as it is done. Pure over what it reads: it writes
    nothing (the caller persists the findings), so a second run of the same night returns an equal result.
    """
    step = progress or _quiet
    return reconcile_night(load_inputs(led, as_of, input_dir, settings, step), settings, step)


def summary_lines(result: NightResult) -> list[str]:
    """The night in a few lines: findings by kind and reason with the amount at stake, and each bank
    account's reconciliation on the night (tied or not)."""
    lines = [f"reconcile as of {result.as_of or 'the latest entry'}: {len(result.findings):,} findings"]
    if result.kinds is not None:
        lines.append(f"  reconciled {', '.join(result.kinds) or 'nothing'}: the other reconciliations' inputs did "
                     "not change since the last night (their findings stay in the queue as they are)")
    if result.vendors is not None:
        names = sorted(result.vendors)
        lines.append(f"  invoices of {len(names)} vendor(s), those the new lines touch (through their POs too): "
                     f"{', '.join(names[:8])}{' ...' if len(names) > 8 else ''}")
    for kind, reason, n, amount in result.by_reason():
        lines.append(f"  {kind:<10} {reason:<26} {n:>6,}  at stake {amount}")
    last: dict[str, BankReconciliation] = {}
    for b in result.balances:
        last[b.bank_account] = b
    for b in last.values():
        lines.append(f"  bank {b.bank_account} {b.statement_date}: difference {b.difference}"
                     f" ({'ties out' if b.ties else 'DOES NOT TIE'})")
    return lines


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
    if result.timecards is not None:
        paths.append(write_csv(result.timecards.days, out / "reconcile_timecards.csv"))
    return paths


# --- the night after a run: only what the new batches can change -------------------------------

#: The audit event a night that wrote its findings into the queue appends (:func:`night_state`).
NIGHT_EVENT = "night_reconciled"
#: The state a night records when it cannot say what it reconciled (no input folder): the next
#: ``prodlib run`` then runs the whole night.
NO_STATE = {"version": 1, "derived": False}
#: The input kinds the night reads from the input folder, not the ledger.
FOLDER_KINDS = ("bank", "check_register", "timecard", "payroll", "petty_cash")
#: What each reconciliation reads: the folder's files of these kinds, the ledger's batches of these kinds.
DEPENDS = {"invoice": ((), ("invoice", "purchase_order")),
           "timecard": (("timecard", "payroll"), ("timecard", "payroll")),
           "bank": (("bank", "check_register"), ("bank", "check_register")),
           "petty_cash": (("petty_cash", "check_register"), ("petty_cash", "check_register"))}


def _digest(parts: Iterable[tuple[str, str]]) -> str:
    from prodlib.ledger.chain import sha256_hex

    return sha256_hex("\x1f".join(f"{a}\x1e{b}" for a, b in sorted(parts)))


def _file_digest(path: str | Path) -> str:
    from prodlib.ingest import file_sha256

    try:
        return file_sha256(Path(path).read_bytes())
    except OSError:
        return ""


def _marks(conn, production_id: str) -> dict[str, int]:
    """The ledger's last ids: batch, journal entry, quarantine row, PO version (0 for none)."""
    import sqlalchemy as sa

    from prodlib.ledger import schema as s

    out = {}
    for name, col, prod in (("batch", s.batches.c.batch_id, s.batches.c.production_id),
                            ("entry", s.journal_entries.c.entry_id, s.journal_entries.c.production_id),
                            ("quarantine", s.quarantine.c.q_id, s.quarantine.c.production_id),
                            ("po_row", s.purchase_orders.c.po_row_id, s.purchase_orders.c.production_id)):
        out[name] = int(conn.execute(sa.select(sa.func.max(col)).where(prod == production_id)).scalar() or 0)
    return out


def night_state(led: Ledger, input_dir: str | Path, settings: ReconcileSettings, as_of: date | None) -> dict:
    """What a night over ``input_dir`` reconciled, to be recorded with its findings (the audit event
    :data:`NIGHT_EVENT`, sealed in the audit chain like every event): the ledger's last ids (read
    before the night reads anything, so what a concurrent run posts is reconciled again next time),
    a digest per input kind of the folder's files (source id and content hash), of the settings and
    of the work-rule files (file name and content hash), and the night's date. The next ``prodlib run``
    compares its own state with it (:func:`changes_since`) to reconcile only what changed."""
    from prodlib.rules import load_rules
    from prodlib.sources import load_input_set

    inputs = load_input_set(input_dir)
    with led.engine.connect() as conn:
        marks = _marks(conn, led.production_id)
    folder = {k: _digest((spec.id, _file_digest(spec.path)) for spec in inputs.of_kind(k)) for k in FOLDER_KINDS}
    has_work = bool(inputs.of_kind("timecard") or inputs.of_kind("payroll"))
    # By file name and content, not by path: the same rules read from another checkout or install (a
    # moved production, a benchmark's copy of a ledger) are the same rules, and must not force a whole night.
    work = _digest((Path(p).name, _file_digest(p)) for p in sorted({r.path for r in load_rules(inputs.production)
                                                                     .work.schedules if r.path})) if has_work else ""
    return {"version": 1, "as_of": as_of.isoformat() if as_of else None, **marks, "folder": folder,
            "settings": repr(settings), "work": work}


def last_state(led: Ledger) -> dict | None:
    """The state the latest night recorded (:data:`NIGHT_EVENT`), or None."""
    import json

    import sqlalchemy as sa

    from prodlib.ledger import schema as s

    a = s.audit_events
    with led.engine.connect() as conn:
        text = conn.execute(sa.select(a.c.payload).where(a.c.production_id == led.production_id,
                                                         a.c.event_type == NIGHT_EVENT)
                            .order_by(a.c.event_id.desc()).limit(1)).scalar()
    return json.loads(text) if text else None


def changes_since(led: Ledger, before: dict | None, now: dict) -> tuple[str, ...] | None:
    """The reconciliations whose inputs changed between two night states (:func:`night_state`), in
    :data:`KINDS` order; None when the night must be run whole: no earlier state, other settings or
    work rules, a change the new batches do not account for (an entry, quarantined row or PO version
    written outside a batch since, e.g. a reversal through the API), or another night date."""
    import sqlalchemy as sa

    from prodlib.ledger import schema as s

    if before is None or before.get("version") != 1 or any(before.get(k) != now[k] for k in ("settings", "work")):
        return None
    if any(now[k] < before[k] for k in ("batch", "entry", "quarantine", "po_row")):
        return None
    e, q, b = s.journal_entries, s.quarantine, s.batches
    with led.engine.connect() as conn:
        pid = led.production_id
        outside = [conn.execute(sa.select(sa.func.count()).select_from(t).where(
            t.c.production_id == pid, key > before[mark],
            sa.or_(t.c.batch_id.is_(None), t.c.batch_id <= before["batch"]))).scalar()
            for t, key, mark in ((e, e.c.entry_id, "entry"), (q, q.c.q_id, "quarantine"))]
        new_kinds = {k for (k,) in conn.execute(sa.select(b.c.kind).where(
            b.c.production_id == pid, b.c.batch_id > before["batch"],
            (b.c.rows_posted + b.c.rows_quarantined) > 0).distinct())}
    if any(outside):
        return None
    if now["po_row"] > before["po_row"]:
        new_kinds.add("purchase_order")
    changed_folder = {k for k in FOLDER_KINDS if before["folder"].get(k) != now["folder"][k]}
    return tuple(kind for kind in KINDS if changed_folder & set(DEPENDS[kind][0]) or new_kinds & set(DEPENDS[kind][1]))


def run_night_after(led: Ledger, input_dir: str | Path, settings: ReconcileSettings | None = None,
                    progress: Callable[[str], None] | None = None) -> NightResult:
    """``prodlib run``'s night: only the reconciliations whose inputs changed since the night the
    ledger last recorded (:func:`changes_since`: a day of invoices reconciles invoices, and does not
    read the bank feeds, timecards or payroll again), the whole night when that cannot be told (no
    earlier night, other settings, a bank feed that moves the night's date...). The result carries
    its ``kinds`` (the queue supersedes only their findings) and its ``state`` to record. A night of
    some kinds finds what the whole night finds of those kinds: each reconciliation is run whole
    over its inputs, and the others' inputs are the same as the recorded night's."""
    from prodlib.sources import load_input_set

    step = progress or _quiet
    settings = settings or load_input_set(input_dir).production.reconcile
    before = last_state(led)
    state = night_state(led, input_dir, settings, None)
    kinds = changes_since(led, before, state) if before is not None and before.get("derived") else None
    if kinds is not None:
        prior = date.fromisoformat(before["as_of"]) if before["as_of"] else None
        scope = invoice_scope(led, before, prior) if "invoice" in kinds and state["po_row"] == before["po_row"] \
            else None
        if scope is not None and "" in scope[1]:  # lines without a vendor: not selectable by vendor
            scope = None
        raw = None if scope is None else scope[0]
        inputs = load_inputs(led, None if "bank" in kinds else prior, input_dir, settings, step, kinds, raw)
        if inputs.as_of == prior:
            result = reconcile_night(inputs, settings, step, kinds)
            if scope is not None:
                result = replace(result, vendors=scope[1], po_vendor=scope[2])
            return replace(result, state={**state, "as_of": before["as_of"], "derived": True})
    result = reconcile_night(load_inputs(led, None, input_dir, settings, step), settings, step)
    return replace(result, state={**state, "as_of": result.as_of.isoformat() if result.as_of else None,
                                  "derived": True})


def record_state(conn, scope, state: dict, now: str) -> int:
    """Append the night's state (:data:`NIGHT_EVENT`) in the transaction that writes its findings."""
    from prodlib.ledger import journal

    journal.lock_head(conn, "journal")
    return journal.append_event(conn, scope, NIGHT_EVENT, state, now)


def invoice_scope(led: Ledger, before: dict, as_of: date | None
                  ) -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    """The vendors whose invoice findings the invoice batches posted since ``before`` (a night state)
    can change, when the PO register did not change: the new lines' vendors, and every vendor linked
    to them through a PO number (a line of one vendor carrying another vendor's PO), transitively.

    Every invoice finding is one vendor's, or several linked so: a line's (its PO, its match among
    its vendor's POs of its cost code), a PO's (the lines carrying its number and its vendor's lines
    matched to it), a document's and a likely duplicate's (the vendor's documents). So reconciling
    those vendors' lines against their POs finds what the whole night finds of them. Returns (the
    vendors as the journal holds them, as the findings name them, each PO's vendor by upper-case
    number)."""
    from prodlib.ledger import commitments as cm
    from prodlib.ledger import view as lv

    with led.engine.connect() as conn:
        pid = led.production_id
        new = lv.kind_party_pos(conn, pid, "invoice", before["batch"])
        pairs = lv.kind_party_pos(conn, pid, "invoice") if new else set()
        pos = cm.purchase_orders_frame(conn, pid, as_of)
    owner = {str(p).strip().upper(): ("" if pd.isna(v) else str(v).strip())
             for p, v in zip(pos["po_number"], pos["vendor_id"], strict=True)}
    names = linked_vendors(pairs, owner, {v for v, _ in new})
    raw = frozenset(v for v, _ in pairs if v is not None and str(v).strip() in names)
    return raw, names, owner


def linked_vendors(pairs: Iterable[tuple[str | None, str | None]], po_vendor: dict[str, str],
                   seeds: Iterable[str | None]) -> frozenset[str]:
    """The vendors linked to ``seeds`` through PO numbers, transitively: ``pairs`` are (vendor, PO
    number) of invoice lines, ``po_vendor`` each PO's vendor (upper-case number -> vendor); a line
    of V carrying W's PO links V and W. Vendors as the findings name them (stripped; "" for none)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def norm(v) -> str:
        return "" if v is None else str(v).strip()

    pairs = list(pairs)
    for v, p in pairs:
        w = po_vendor.get(str(p).strip().upper()) if p is not None else None
        if w is not None:
            parent[find(norm(v))] = find(w)
    everyone = {*(norm(v) for v, _ in pairs), *po_vendor.values(), *map(norm, seeds)}
    # "invoice A/B/1" may be A's invoice B/1 or A/B's invoice 1 (:func:`names_vendor` cannot tell):
    # a vendor and another whose id is its id + "/..." are linked too.
    for v in everyone:
        for i, ch in enumerate(v):
            if ch == "/" and v[:i] in everyone:
                parent[find(v)] = find(v[:i])
    roots = {find(norm(v)) for v in seeds}
    return frozenset(v for v in everyone if find(v) in roots)

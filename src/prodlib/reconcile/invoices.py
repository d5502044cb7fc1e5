"""Invoice lines against purchase orders: match, relieve each commitment once, find what is wrong.

A line matches its PO by the PO number it carries; a line without one matches an approved PO of its
vendor and cost code whose open amount it equals, dated up to ``po_match_days`` before it. Every
invoiced cent then counts once: as actual, and against the PO it relieves, never also as open
commitment (:func:`commitment_positions`). The ledger's ``open_commitments`` relieves by the same
two rules (it calls :func:`match_lines`), so it agrees PO by PO; a line matched the second way is
still the finding ``PO_RELIEF_UNRECORDED``: the invoice should name the PO it relieves.

Amounts are integer cents inside (exact), Decimal in the findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from prodlib.accounts import is_cost_account
from prodlib.money import cents_to_money, from_cents, money_to_cents, round_cents
from prodlib.reasons import Reason
from prodlib.reconcile.findings import Finding, ReconcileSettings

#: How a line found its PO (``matches.how``).
BY_NUMBER, BY_VENDOR_CODE_AMOUNT, UNMATCHED = "po_number", "vendor_code_amount", ""

#: Columns of the invoice-line frame this module reads (:func:`invoice_lines`).
LINE_COLUMNS = ("vendor_id", "invoice_number", "invoice_date", "po_number", "cost_code", "amount", "line")

_TOKEN = re.compile(r"[A-Z0-9]+")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_PREFIX = re.compile(r"^(?:INVOICE|INV|NO)(?=[0-9])")
_PREFIX_WORDS = frozenset({"INVOICE", "INV", "NO", "NR", "NUMBER"})


def invoice_number_key(number: str) -> str:
    """The invoice number as the duplicate check compares it: "INV-0042", "INV0042", "inv 42", "#42"
    and "42" are one key ("42").

    Upper case; split into letter-and-digit tokens (spaces, dashes, dots, slashes and "#" only
    separate, so "INV-4-2" = "INV-42"); leading zeros of every digit run dropped, per token
    ("RE-2026-0042" = "RE-2026-42", but "10-01" is "101", not "1001"); leading tokens "INVOICE",
    "INV", "NO", "NR", "NUMBER" dropped ("Inv. No. 0042" = "42"), then the tokens joined and a
    leading "INVOICE", "INV" or "NO" glued to a digit dropped. Other letters stay: "CM-42" (a credit
    memo) is not "INV-42".
    """
    tokens = [_LEADING_ZEROS.sub("", t) for t in _TOKEN.findall(str(number).upper())]
    while len(tokens) > 1 and tokens[0] in _PREFIX_WORDS:
        tokens = tokens[1:]
    return _PREFIX.sub("", "".join(tokens))


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


def posted_lines(entries: pd.DataFrame, batches: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The ledger's posted lines of one input kind (``Ledger.entries_frame`` + ``batches_frame``, or
    the narrower ``Ledger.kind_lines``, whose ``amount_cents`` is read instead of ``amount``).

    One row per cost-account journal line of an entry posted from a batch of ``kind``, netted with its
    reversals, voids and reissues (which carry the original's document and PO); a line reversed to
    zero is gone. Columns: party_id, document_no, entry_date, po_number, cost_code, amount, line
    ("<source_id>:<source_line>").
    """
    inv_batches = set(batches.loc[batches["kind"] == kind, "batch_id"].tolist())
    e = entries[entries["account"].map(is_cost_account).to_numpy(dtype=bool)]  # (an empty mask picks no columns)
    rev = e["reverses_entry_id"]
    chain = rev.where(rev.notna(), e["entry_id"]).astype("int64")
    origin = set(e.loc[e["batch_id"].isin(inv_batches), "entry_id"].tolist())
    e = e.assign(chain=chain.to_numpy())
    e = e[e["chain"].isin(origin)]
    cols = ("party_id", "document_no", "entry_date", "po_number", "cost_code", "amount", "line")
    if e.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols}).assign(amount=cents_to_money([]))
    cents = e["amount_cents"].to_numpy(dtype=np.int64) if "amount_cents" in e else money_to_cents(e["amount"])
    e = e.assign(cents=cents)
    last = e.sort_values("entry_id").groupby(["chain", "account"], sort=True)
    net = last["cents"].sum()
    head = last.last()
    keep = net != 0
    head, net = head[keep], net[keep]
    return pd.DataFrame({
        "party_id": _text(head["party_id"]).to_numpy(dtype=object),
        "document_no": _text(head["document_no"]).to_numpy(dtype=object),
        "entry_date": [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in head["entry_date"]],
        "po_number": _text(head["po_number"]).to_numpy(dtype=object),
        "cost_code": [a for _, a in head.index],
        "amount": cents_to_money(net.to_numpy(dtype=np.int64)),
        "line": [f"{s}:{n}" for s, n in zip(head["source_id"], head["source_line"], strict=True)],
    })


def invoice_lines(entries: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    """The ledger's invoice lines (:func:`posted_lines`) in this module's columns (:data:`LINE_COLUMNS`)."""
    return posted_lines(entries, batches, "invoice").rename(columns={
        "party_id": "vendor_id", "document_no": "invoice_number", "entry_date": "invoice_date"})[list(LINE_COLUMNS)]


def po_register(purchase_orders: pd.DataFrame) -> pd.DataFrame:
    """``Ledger.purchase_orders_frame`` with ``closed_on``: the date a PO was closed, when the ledger saw
    it open first (its closed version took effect after its PO date); a PO that arrived closed has no
    known closing date (NaT), so no invoice is judged late against it."""
    po = purchase_orders.copy()
    status = _text(po["status"]).str.lower()
    eff = pd.to_datetime(po["effective_date"]).dt.date
    pdate = pd.to_datetime(po["po_date"]).dt.date
    closed = (status == "closed") & (eff > pdate)
    po["status"] = status
    po["closed_on"] = [e if c else None for e, c in zip(eff, closed, strict=True)]
    return po


@dataclass(frozen=True)
class InvoiceReconciliation:
    """What the invoice-vs-PO run produced.

    Attributes:
      matches: one row per invoice line: its columns plus ``matched_po`` (the PO it relieves, "" for
        none) and ``how`` (po_number | vendor_code_amount | "").
      positions: one row per PO (:func:`commitment_positions`).
      findings: every finding, in a stable order.
    """

    matches: pd.DataFrame
    positions: pd.DataFrame
    findings: tuple[Finding, ...]


def _doc(vendor: str, number: str) -> str:
    return f"invoice {vendor}/{number}"


def match_lines(lines: pd.DataFrame, pos: pd.DataFrame, settings: ReconcileSettings) -> pd.DataFrame:
    """Each line's PO: by the number it carries, else by vendor + cost code + open amount in the window.

    Lines without a number are taken in (date, vendor, number, line) order, each against the approved
    POs of its vendor and cost code dated from ``po_match_days`` before it up to its date whose open
    amount (after every by-number line and earlier matches) it equals; of several, the earliest PO
    date, then the lowest number. A credit (amount <= 0) never matches this way.
    """
    m = lines.copy().reset_index(drop=True)
    m["po_number"] = _text(m["po_number"]).str.upper()
    known = dict(zip(_text(pos["po_number"]).str.upper(), range(len(pos)), strict=True))
    cents = money_to_cents(m["amount"]) if len(m) else np.zeros(0, np.int64)
    matched = np.array([p if p in known else "" for p in m["po_number"]], dtype=object)
    how = np.where(matched != "", BY_NUMBER, UNMATCHED).astype(object)
    po_c = money_to_cents(pos["amount"]) if len(pos) else np.zeros(0, np.int64)
    remaining = {str(p).upper(): int(c) for p, c in zip(pos["po_number"], po_c, strict=True)}
    for p, c in zip(matched, cents, strict=True):
        if p:
            remaining[p] -= int(c)
    approved = pos[_text(pos["status"]).str.lower() == "approved"]
    by_key: dict[tuple[str, str], list[tuple[date, str]]] = {}
    for v, c, d, n in zip(approved["vendor_id"], approved["cost_code"], approved["po_date"], approved["po_number"],
                          strict=True):
        by_key.setdefault((str(v), str(c)), []).append((d, str(n).upper()))
    # Only a line whose vendor and code have an approved PO and whose amount is some such PO's open
    # amount can match (a match leaves that PO at zero, so no other amount ever becomes one).
    keys = pd.Series(list(zip(m["vendor_id"].astype(str), m["cost_code"].astype(str), strict=True)), index=m.index,
                     dtype=object)
    amounts = {remaining[n] for ps in by_key.values() for _, n in ps}
    todo = m.index[((m["po_number"] == "") & (cents > 0)).to_numpy(dtype=bool) & keys.isin(set(by_key)).to_numpy()
                   & np.isin(cents, np.array(sorted(amounts), dtype=np.int64))]
    dates, vendors, numbers, line_ids = (list(m[c]) for c in ("invoice_date", "vendor_id", "invoice_number", "line"))
    order = sorted(todo, key=lambda i: (dates[i], vendors[i], numbers[i], line_ids[i]))
    # A PO's open amount only ever drops to zero here (a match takes all of it, and a line of zero or
    # less never matches), so a line's candidates are the POs of its key whose open amount before the
    # loop is its amount, in (date, number) order, less those already taken: the same first PO as a
    # scan of every PO of the key (indexed once, not sorted and scanned per line).
    candidates: dict[tuple[str, str, int], list[tuple[date, str]]] = {}
    for key, ps in by_key.items():
        for po_date, n in sorted(ps):
            candidates.setdefault((*key, remaining[n]), []).append((po_date, n))
    taken: set[str] = set()
    window = settings.po_match_days
    for i in order:
        d = dates[i]
        for po_date, n in candidates.get((str(vendors[i]), keys[i][1], int(cents[i])), ()):
            if n not in taken and 0 <= (d - po_date).days <= window and remaining[n] == cents[i]:
                matched[i], how[i] = n, BY_VENDOR_CODE_AMOUNT
                remaining[n] -= int(cents[i])
                taken.add(n)
                break
    m["matched_po"] = matched
    m["how"] = how
    return m


def commitment_positions(matches: pd.DataFrame, pos: pd.DataFrame) -> pd.DataFrame:
    """Per PO: what is actual and what is still open, each invoiced cent counted once.

    Columns: po_number, vendor_id, cost_code, status, po_amount, relieved_by_number, relieved_by_match,
    actual (= the two reliefs), open (approved POs: po_amount - actual, never below zero; others 0;
    what ``Ledger.open_commitments`` shows) and open_by_number_only (what relief by PO number alone
    would leave open: the double count the ledger had before it relieved by match, kept to show it).
    So per PO, actual + open = max(po_amount, actual) for an approved PO and actual otherwise.
    """
    nums = _text(pos["po_number"]).str.upper().tolist()
    mc = money_to_cents(matches["amount"]) if len(matches) else np.zeros(0, np.int64)
    by_num: dict[str, int] = {}
    by_match: dict[str, int] = {}
    for p, h, c in zip(matches["matched_po"], matches["how"], mc, strict=True):
        if h == BY_NUMBER:
            by_num[p] = by_num.get(p, 0) + int(c)
        elif h == BY_VENDOR_CODE_AMOUNT:
            by_match[p] = by_match.get(p, 0) + int(c)
    po_c = money_to_cents(pos["amount"]) if len(pos) else np.zeros(0, np.int64)
    rn = np.array([by_num.get(p, 0) for p in nums], dtype=np.int64)
    rm = np.array([by_match.get(p, 0) for p in nums], dtype=np.int64)
    approved = (_text(pos["status"]).str.lower() == "approved").to_numpy(dtype=bool)
    actual = rn + rm
    open_c = np.where(approved, np.clip(po_c - actual, 0, None), 0)
    by_number_only = np.where(approved, np.clip(po_c - rn, 0, None), 0)
    return pd.DataFrame({
        "po_number": pd.Series(nums, dtype=object),
        "vendor_id": pos["vendor_id"].astype(object).to_numpy(),
        "cost_code": pos["cost_code"].astype(object).to_numpy(),
        "status": _text(pos["status"]).str.lower().to_numpy(dtype=object),
        "po_amount": cents_to_money(po_c), "relieved_by_number": cents_to_money(rn),
        "relieved_by_match": cents_to_money(rm), "actual": cents_to_money(actual),
        "open": cents_to_money(open_c), "open_by_number_only": cents_to_money(by_number_only),
    })


def over_allowance(po_cents: int, settings: ReconcileSettings) -> int:
    """Cents a PO may be over-invoiced: the smaller of the absolute and the percent allowance."""
    pct = round_cents(from_cents(abs(po_cents)) * settings.over_invoice_pct / 100)
    return min(int(settings.over_invoice_abs * 100), int(pct * 100))


def _line_findings(m: pd.DataFrame, pos: pd.DataFrame) -> list[Finding]:
    out: list[Finding] = []
    status = dict(zip(_text(pos["po_number"]).str.upper(), _text(pos["status"]).str.lower(), strict=True))
    closed_on = dict(zip(_text(pos["po_number"]).str.upper(), pos["closed_on"], strict=True))
    cents = money_to_cents(m["amount"]) if len(m) else np.zeros(0, np.int64)
    has_po = np.array([p != "" for p in m["po_number"]], dtype=bool)
    how = m["how"].to_numpy(dtype=object)
    not_approved = np.array([status.get(p, "") != "approved" for p in m["po_number"]], dtype=bool)
    suspect = (has_po & (how != BY_NUMBER)) | (how == BY_VENDOR_CODE_AMOUNT) | (has_po & not_approved)
    # the suspect rows' fields as Python lists (a frame lookup per field per row was most of the cost)
    at = np.flatnonzero(suspect)
    fields = {c: list(m[c].take(at)) for c in ("vendor_id", "invoice_number", "po_number", "invoice_date", "line",
                                                 "matched_po")}
    for k, i in enumerate(at):
        v, n, p, d = (fields[c][k] for c in ("vendor_id", "invoice_number", "po_number", "invoice_date"))
        amt = from_cents(abs(int(cents[i])))
        docs = (_doc(v, n), f"po {p}")
        lines = (fields["line"][k],)
        if p and p not in status:
            out.append(Finding("invoice", Reason.INVOICE_PO_UNKNOWN, amt, docs,
                               f"invoice {n} of {v} is charged to {p}, which the PO register does not hold",
                               (("line_amount", from_cents(int(cents[i]))),), lines))
        elif p and status[p] in ("draft", "cancelled"):
            out.append(Finding("invoice", Reason.INVOICE_PO_NOT_APPROVED, amt, docs,
                               f"invoice {n} of {v} is charged to {p}, a {status[p]} PO",
                               (("line_amount", from_cents(int(cents[i]))),), lines))
        elif p and status[p] == "closed" and closed_on[p] is not None and d > closed_on[p]:
            out.append(Finding("invoice", Reason.INVOICE_PO_CLOSED, amt, docs,
                               f"invoice {n} of {v} dated {d} is charged to {p}, closed on {closed_on[p]}",
                               (("line_amount", from_cents(int(cents[i]))),), lines))
        elif how[i] == BY_VENDOR_CODE_AMOUNT:
            mp = fields["matched_po"][k]
            out.append(Finding("invoice", Reason.PO_RELIEF_UNRECORDED, amt, (_doc(v, n), f"po {mp}"),
                               f"invoice {n} of {v} ({amt}) matches {mp} by vendor, cost code and amount but "
                               f"carries no PO number: {mp} is relieved by the match; the invoice should name it",
                               (("line_amount", amt),), lines))
    return out


def _po_findings(positions: pd.DataFrame, matches: pd.DataFrame, settings: ReconcileSettings) -> list[Finding]:
    out: list[Finding] = []
    po_c = money_to_cents(positions["po_amount"]) if len(positions) else np.zeros(0, np.int64)
    act = money_to_cents(positions["actual"]) if len(positions) else np.zeros(0, np.int64)
    # each PO's matched lines, grouped once (a scan of ``matches`` per PO was quadratic at a studio's size)
    by_po = matches.groupby("matched_po", sort=False).indices if len(matches) else {}
    vendors, numbers = matches["vendor_id"].to_numpy(dtype=object), matches["invoice_number"].to_numpy(dtype=object)
    all_lines = matches["line"].to_numpy(dtype=object)
    none = np.zeros(0, np.int64)
    statuses = positions["status"].to_numpy(dtype=object)
    for i, p in enumerate(positions["po_number"]):
        st = statuses[i]
        mine = by_po.get(p, none)
        docs = (f"po {p}", *sorted({_doc(v, n) for v, n in zip(vendors[mine], numbers[mine], strict=True)}))
        lines = tuple(sorted(all_lines[mine]))
        figs = (("po_amount", from_cents(int(po_c[i]))), ("invoiced", from_cents(int(act[i]))))
        excess = int(act[i] - po_c[i])
        allow = over_allowance(int(po_c[i]), settings)
        if st in ("approved", "closed") and excess > allow:
            out.append(Finding("invoice", Reason.OVER_INVOICED, from_cents(excess), docs,
                               f"{p} is invoiced {from_cents(int(act[i]))} against {from_cents(int(po_c[i]))}: "
                               f"{from_cents(excess)} over, beyond the allowance of {from_cents(allow)}",
                               (*figs, ("allowance", from_cents(allow))), lines))
        if st == "approved" and po_c[i] > 0 and act[i] >= po_c[i]:
            out.append(Finding("invoice", Reason.PO_RELIEVED_STILL_OPEN, from_cents(int(po_c[i])), docs,
                               f"{p} is fully relieved ({from_cents(int(act[i]))} invoiced against "
                               f"{from_cents(int(po_c[i]))}) and still approved: close it", figs, lines))
    return out


def _document_findings(m: pd.DataFrame, settings: ReconcileSettings) -> list[Finding]:
    """Invoices without a PO above the threshold, and likely duplicates, judged per invoice document."""
    out: list[Finding] = []
    if m.empty:
        return out
    cents = money_to_cents(m["amount"])
    no_po = ((m["matched_po"] == "") & (m["po_number"] == "")).to_numpy(dtype=bool)
    day = np.fromiter((d.toordinal() for d in m["invoice_date"]), dtype=np.int64, count=len(m))
    m = m.assign(cents=cents, no_po_cents=np.where(no_po, cents, 0), day=day)
    grouped = m.groupby(["vendor_id", "invoice_number"], sort=True)
    docs = grouped.agg(day=("day", "min"), total=("cents", "sum"), no_po_total=("no_po_cents", "sum")).reset_index()
    docs["date"] = [date.fromordinal(int(x)) for x in docs["day"]]
    line_rows = grouped.indices
    all_lines = m["line"].to_numpy(dtype=object)

    def doc_lines(vendor: str, number: str) -> tuple[str, ...]:
        return tuple(sorted(all_lines[line_rows[(vendor, number)]]))

    threshold = int(settings.no_po_threshold * 100)
    for r in docs[docs["no_po_total"] > threshold].itertuples(index=False):
        amt = from_cents(int(r.no_po_total))
        out.append(Finding("invoice", Reason.INVOICE_WITHOUT_PO, amt, (_doc(r.vendor_id, r.invoice_number),),
                           f"invoice {r.invoice_number} of {r.vendor_id} is {amt} without a PO, above the "
                           f"threshold of {settings.no_po_threshold}",
                           (("no_po_amount", amt), ("threshold", settings.no_po_threshold)),
                           doc_lines(r.vendor_id, r.invoice_number)))
    docs["key"] = [invoice_number_key(n) for n in docs["invoice_number"]]
    docs = docs.sort_values(["vendor_id", "date", "invoice_number"], kind="stable").reset_index(drop=True)
    flagged: set[int] = set()
    # The pairs' fields from lists taken once (a frame row lookup per pair was most of this check on a
    # vendor of 100,000 lines); the groups in the same order as ``groupby(sort=False)`` iterates them
    # (first appearance, rows ascending), keys with a missing value left out as groupby leaves them.
    vendor, number, key = (docs[c].tolist() for c in ("vendor_id", "invoice_number", "key"))
    total, when = docs["total"].tolist(), docs["date"].tolist()
    for how, cols in (("spelling", ["vendor_id", "key"]), ("amount_date", ["vendor_id", "total", "date"])):
        dup = docs[docs.duplicated(cols, keep=False)]
        codes = dup.groupby(cols, sort=False).ngroup().to_numpy()
        keep = codes >= 0
        codes, rows = codes[keep], dup.index.to_numpy()[keep]
        order = np.argsort(codes, kind="stable")
        for grp in np.split(rows[order], np.flatnonzero(np.diff(codes[order])) + 1):
            if len(grp) < 2:
                continue
            first = int(grp[0])
            for j in map(int, grp[1:]):
                if j in flagged or (how == "amount_date" and key[j] == key[first]):
                    continue
                flagged.add(j)
                why = (f"number {number[j]!r} is {number[first]!r} spelled otherwise (key {key[j]!r})"
                       if how == "spelling" else
                       f"same vendor, amount {from_cents(int(total[j]))} and date {when[j]} as {number[first]!r}")
                out.append(Finding("invoice", Reason.LIKELY_DUPLICATE_INVOICE, from_cents(abs(int(total[j]))),
                                   (_doc(vendor[first], number[first]), _doc(vendor[j], number[j])),
                                   f"invoice {number[j]} of {vendor[j]} is likely a duplicate: {why}",
                                   (("first_total", from_cents(int(total[first]))),
                                    ("duplicate_total", from_cents(int(total[j])))),
                                   doc_lines(vendor[j], number[j])))
    return out


def reconcile_invoices(lines: pd.DataFrame, purchase_orders: pd.DataFrame,
                       settings: ReconcileSettings | None = None) -> InvoiceReconciliation:
    """Invoice lines (:data:`LINE_COLUMNS`) against the PO register (:func:`po_register`).

    Findings: a line on an unknown, draft/cancelled or (after its closing) closed PO; a line matched by
    vendor, cost code and amount without its PO number (the ledger's double count); a PO invoiced
    beyond its allowance (:func:`over_allowance`); an approved PO fully relieved; an invoice without a
    PO above the threshold; a likely duplicate (:func:`invoice_number_key`, or same vendor, total
    and date under another number; the earliest of a group is the original).
    """
    settings = settings or ReconcileSettings()
    pos = purchase_orders if "closed_on" in purchase_orders else po_register(purchase_orders)
    pos = pos.reset_index(drop=True)
    m = match_lines(lines, pos, settings)
    positions = commitment_positions(m, pos)
    findings = [*_line_findings(m, pos), *_po_findings(positions, m, settings), *_document_findings(m, settings)]
    return InvoiceReconciliation(m, positions, tuple(findings))

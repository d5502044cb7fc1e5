"""Purchase orders and the commitments they leave open.

Every version of every PO is kept (a status or amount change appends a row with the date it takes
effect); only approved POs commit, and what is invoiced against a PO relieves it, never below zero:
the cost lines of entries that carry its number, and the invoice lines without a PO number that the
reconciliation matches to it by vendor, cost code and open amount (``prodlib.reconcile.invoices.
match_lines``, the one matcher). So an invoiced amount is never both actual and open commitment.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.accounts import is_cost_account
from prodlib.errors import LedgerArgumentError
from prodlib.ledger import chain as ch
from prodlib.ledger import journal
from prodlib.ledger import schema as s
from prodlib.ledger.frames import cents_to_money, money_to_cents, rows_frame
from prodlib.ledger.journal import Scope
from prodlib.ledger.normalize import date_text, dates, iso, stamp, str_list, temporal_filter, today
from prodlib.ledger.seals import po_record

PO_STATUSES = ("approved", "draft", "cancelled", "closed")
PO_COLUMNS = ("po_row_id", "production_id", "po_number", "vendor_id", "po_date", "cost_code", "description",
              "amount_cents", "status", "effective_date", "recorded_at")


def po_rows(frame: pd.DataFrame) -> list[tuple]:
    """Validated PO rows: (po_number, vendor_id, po_date, cost_code, description, cents, status)."""
    n = len(frame)
    need = ["po_number", "vendor_id", "po_date", "cost_code", "amount", "status"]
    missing = [c for c in need if c not in frame]
    if missing:
        raise LedgerArgumentError(f"purchase order frame lacks {missing}")
    cents = money_to_cents(frame["amount"]).tolist() if n else []
    po_dates = dates(frame["po_date"], "po_date") if n else []
    status = [str(x).strip().lower() for x in str_list(frame["status"], n)]
    bad = sorted({x for x in status if x not in PO_STATUSES})
    if bad:
        raise LedgerArgumentError(f"unknown purchase order status {bad}: {PO_STATUSES}")
    numbers = str_list(frame["po_number"], n)
    if any(not x for x in numbers):
        raise LedgerArgumentError("purchase order without po_number")
    return list(zip(numbers, str_list(frame["vendor_id"], n), po_dates, str_list(frame["cost_code"], n),
                    str_list(frame.get("description"), n), cents, status, strict=True))


def write_pos(conn: sa.Connection, scope: Scope, new: list[tuple], eff_change: str, now: str) -> int:
    """Append each PO row differing from its latest version (caller holds the journal head)."""
    po = s.purchase_orders
    latest: dict[str, tuple] = {}
    for r in conn.execute(sa.select(po).where(po.c.production_id == scope.production_id)
                          .order_by(po.c.po_row_id)).mappings():
        latest[r["po_number"]] = (r["po_number"], r["vendor_id"], date_text(r["po_date"]), r["cost_code"],
                                  r["description"], int(r["amount_cents"]), r["status"])
    start = journal.next_id(conn, po.c.po_row_id)
    rows = []
    for rec in new:
        if latest.get(rec[0]) == rec:
            continue
        eff = rec[2] if rec[0] not in latest else eff_change
        latest[rec[0]] = rec
        rows.append((start + len(rows), scope.production_id, *rec, eff, now))
    journal.bulk_insert(conn, po, PO_COLUMNS, rows)
    if rows:
        digest = ch.rows_digest([po_record(dict(zip(PO_COLUMNS, r, strict=True))) for r in rows])
        journal.append_event(conn, scope, "purchase_orders_recorded", {
            "first_row": rows[0][0], "last_row": rows[-1][0], "count": len(rows), "digest": digest}, now)
    return len(rows)


def record_purchase_orders(conn: sa.Connection, scope: Scope, frame: pd.DataFrame,
                           effective_date: date | str | None = None) -> int:
    """Append each PO whose content differs from its latest recorded version; returns rows written.

    A new PO takes effect on its ``po_date``; a changed one (status, amount) on ``effective_date``
    (default: today). Statuses: approved, draft, cancelled, closed; only approved ones commit.
    """
    new = po_rows(frame)
    now_dt = scope.clock()
    journal.lock_head(conn, "journal")
    return write_pos(conn, scope, new, iso(effective_date) or today(now_dt), stamp(now_dt))


def purchase_orders_frame(conn: sa.Connection, production_id: str, as_of: date | str | None = None,
                          known_at: datetime | str | None = None) -> pd.DataFrame:
    """Each PO as it stood on ``as_of``: its latest version in effect by then."""
    po = s.purchase_orders
    q = sa.select(po).where(*temporal_filter(po, "effective_date", production_id, as_of, known_at)) \
        .order_by(po.c.po_row_id)
    rows = conn.execute(q).mappings().all()
    latest = {}
    for r in rows:
        if as_of is None or r["po_date"] <= date.fromisoformat(iso(as_of)):
            latest[r["po_number"]] = r
    recs = sorted(latest.values(), key=lambda r: r["po_number"])
    return pd.DataFrame({
        "po_number": pd.Series([r["po_number"] for r in recs], dtype=object),
        "vendor_id": pd.Series([r["vendor_id"] for r in recs], dtype=object),
        "po_date": pd.Series([r["po_date"] for r in recs], dtype=object),
        "cost_code": pd.Series([r["cost_code"] for r in recs], dtype=object),
        "description": pd.Series([r["description"] for r in recs], dtype=object),
        "amount": cents_to_money([int(r["amount_cents"]) for r in recs]),
        "status": pd.Series([r["status"] for r in recs], dtype=object),
        "effective_date": pd.Series([r["effective_date"] for r in recs], dtype=object),
    })


def relief(conn: sa.Connection, production_id: str, as_of, known_at) -> dict[str, int]:
    """Cents invoiced against each PO (cost-account lines of entries carrying the PO number)."""
    e, ln = s.journal_entries, s.journal_lines
    q = (sa.select(e.c.po_number, ln.c.account, sa.func.sum(ln.c.amount_cents))
         .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
         .where(e.c.po_number.is_not(None), *temporal_filter(e, "entry_date", production_id, as_of, known_at))
         .group_by(e.c.po_number, ln.c.account))
    out: dict[str, int] = {}
    for po_no, acct, c in conn.execute(q).all():
        if is_cost_account(acct):
            out[po_no] = out.get(po_no, 0) + int(c)
    return out


#: At most this many distinct open amounts are sent to the database as a filter (a bound parameter
#: each); more, and the database selects the lines' chains that net to one of them
#: (:func:`prodlib.ledger.report_queries.chains_netting_to`).
AMOUNT_FILTER_MAX = 900


def _unnumbered_invoice_lines(conn: sa.Connection, production_id: str, vendors: list[str], amounts: set[int],
                              as_of, known_at, keys: set[tuple[str, str, int]] | None = None) -> pd.DataFrame:
    """Invoice lines without a PO number of these vendors, netted with their reversals
    (``reconcile.invoices.invoice_lines`` over just those entries, not the journal). Only a line of one
    of ``amounts`` (cents: the POs' open amounts) can match, so only those are read, with every
    reversal and reissue (which net them); with ``keys`` (vendor, cost code, open amount of each
    approved PO), only the chains netting to one of them, when the filter is done in the database."""
    from prodlib.reconcile.invoices import LINE_COLUMNS, invoice_lines

    e, ln, b = s.journal_entries, s.journal_lines, s.batches
    which = [e.c.po_number.is_(None), e.c.party_id.in_(vendors)]
    if len(amounts) <= AMOUNT_FILTER_MAX:
        which.append(sa.or_(ln.c.amount_cents.in_(sorted(amounts)), e.c.reverses_entry_id.is_not(None)))
    elif vendors:
        from prodlib.ledger.report_queries import chains_netting_to

        which.append(chains_netting_to([*which, *temporal_filter(e, "entry_date", production_id, as_of, known_at)],
                                       amounts, keys))
    q = (sa.select(e.c.entry_id, ln.c.account, ln.c.amount_cents, e.c.entry_date, e.c.document_no, e.c.party_id,
                   e.c.po_number, e.c.source_id, e.c.source_line, e.c.batch_id, e.c.reverses_entry_id)
         .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
         .where(*which, *temporal_filter(e, "entry_date", production_id, as_of, known_at))
         .order_by(e.c.entry_id, ln.c.line_no))
    rows = conn.execute(q).all() if vendors else []
    cols = list(q.selected_columns.keys())
    entries = rows_frame(rows, cols)
    entries["amount"] = cents_to_money([int(c) for c in entries["amount_cents"]])
    ids = sorted({int(x) for x in entries["batch_id"].dropna()})
    kinds = conn.execute(sa.select(b.c.batch_id, b.c.kind).where(b.c.batch_id.in_(ids))).all() if ids else []
    batches = pd.DataFrame(kinds, columns=["batch_id", "kind"])
    if entries.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LINE_COLUMNS}).assign(amount=cents_to_money([]))
    return invoice_lines(entries, batches)


def match_relief(conn: sa.Connection, production_id: str, pos: pd.DataFrame, by_number: dict[str, int],
                 as_of, known_at, po_match_days: int | None = None) -> dict[str, int]:
    """Cents relieved on each approved PO by invoice lines that carry no PO number, matched the way
    the reconciliation matches them (``reconcile.invoices.match_lines``: vendor + cost code + open
    amount, dated up to ``po_match_days`` after the PO; default the sample setting)."""
    if pos.empty:
        return {}
    po_c = money_to_cents(pos["amount"])
    keys = {(str(v), str(code), int(c) - by_number.get(p, 0))
            for p, v, code, c in zip(pos["po_number"], pos["vendor_id"], pos["cost_code"], po_c, strict=True)}
    keys = {k for k in keys if k[2] > 0}
    amounts = {k[2] for k in keys}
    if not amounts:
        return {}
    lines = _unnumbered_invoice_lines(conn, production_id, sorted(set(pos["vendor_id"].astype(str))), amounts,
                                      as_of, known_at, keys)
    return relief_by_match(pos, by_number, lines, po_match_days)


def relief_by_match(pos: pd.DataFrame, by_number: dict[str, int], lines: pd.DataFrame,
                    po_match_days: int | None = None) -> dict[str, int]:
    """:func:`match_relief` over invoice lines already read (``reconcile.invoices.LINE_COLUMNS``; any
    line, of any vendor: only unnumbered lines of the approved POs' vendors can match), so the night
    computes the ledger's open commitments from the lines it reconciles instead of reading them again."""
    from prodlib.reconcile.findings import ReconcileSettings
    from prodlib.reconcile.invoices import BY_VENDOR_CODE_AMOUNT, match_lines, po_register

    if pos.empty or lines.empty:
        return {}
    vendors = set(pos["vendor_id"].astype(str))
    lines = lines[(lines["po_number"].astype("string").fillna("").str.strip() == "").to_numpy(dtype=bool)
                  & lines["vendor_id"].astype(str).isin(vendors).to_numpy(dtype=bool)]
    if lines.empty:
        return {}
    # What each PO's numbered lines relieved, as one line per PO, so the matcher sees the same open amounts.
    numbered = pd.DataFrame({
        "vendor_id": pos["vendor_id"].astype(object), "invoice_number": "", "invoice_date": pos["po_date"],
        "po_number": pos["po_number"].astype(object), "cost_code": pos["cost_code"].astype(object),
        "amount": cents_to_money([by_number.get(p, 0) for p in pos["po_number"]]), "line": ""})
    settings = ReconcileSettings() if po_match_days is None else ReconcileSettings(po_match_days=po_match_days)
    m = match_lines(pd.concat([numbered, lines], ignore_index=True), po_register(pos), settings)
    m = m[m["how"] == BY_VENDOR_CODE_AMOUNT]
    spelled = {str(p).strip().upper(): str(p) for p in pos["po_number"]}  # the matcher compares upper case
    out: dict[str, int] = {}
    for p, c in zip(m["matched_po"], money_to_cents(m["amount"]) if len(m) else [], strict=True):
        out[spelled[p]] = out.get(spelled[p], 0) + int(c)
    return out


def open_commitments(conn: sa.Connection, production_id: str, as_of: date | str | None = None,
                     known_at: datetime | str | None = None, po_match_days: int | None = None) -> pd.DataFrame:
    """Approved POs with what is still open: PO amount less invoiced against it (never below zero).

    Relieved: lines carrying the PO's number, and lines without one matched to it (:func:`match_relief`).
    Draft, cancelled and closed POs never count. Columns: po_number, vendor_id, cost_code,
    po_amount, relieved, amount (open).
    """
    pos = purchase_orders_frame(conn, production_id, as_of, known_at)
    pos = pos[pos["status"] == "approved"].reset_index(drop=True)
    relieved = relief(conn, production_id, as_of, known_at)
    return open_positions(pos, relieved, match_relief(conn, production_id, pos, relieved, as_of, known_at,
                                                      po_match_days))


def open_commitments_of(conn: sa.Connection, production_id: str, purchase_orders: pd.DataFrame,
                        lines: pd.DataFrame, as_of: date | str | None = None, po_match_days: int | None = None
                        ) -> pd.DataFrame:
    """:func:`open_commitments` from a PO register (``purchase_orders_frame`` as of ``as_of``) and the
    invoice lines already read (``reconcile.invoices.LINE_COLUMNS``, as of ``as_of``): the relief by
    PO number is still the ledger's own aggregate (every entry carrying a PO number, in SQL), the
    relief by match is :func:`relief_by_match` over ``lines`` (the journal is not read a second time)."""
    pos = purchase_orders[purchase_orders["status"] == "approved"].reset_index(drop=True)
    relieved = relief(conn, production_id, as_of, None)
    return open_positions(pos, relieved, relief_by_match(pos, relieved, lines, po_match_days))


def open_positions(pos: pd.DataFrame, relieved: dict[str, int], matched: dict[str, int]) -> pd.DataFrame:
    """The open commitments of approved POs ``pos``, relieved by number (``relieved``) and by match."""
    relieved = dict(relieved)
    for p, c in matched.items():
        relieved[p] = relieved.get(p, 0) + c
    po_c = money_to_cents(pos["amount"]) if len(pos) else np.array([], np.int64)
    rel = np.array([relieved.get(p, 0) for p in pos["po_number"]], dtype=np.int64)
    open_c = np.clip(po_c - rel, 0, None)
    out = pd.DataFrame({
        "po_number": pos["po_number"], "vendor_id": pos["vendor_id"], "cost_code": pos["cost_code"],
        "po_amount": cents_to_money(po_c), "relieved": cents_to_money(rel), "amount": cents_to_money(open_c),
    })
    return out[open_c > 0].reset_index(drop=True)


def commitments(conn: sa.Connection, production_id: str, as_of: date | str | None = None,
                known_at: datetime | str | None = None) -> pd.DataFrame:
    """Open commitments per cost code [cost_code, amount]."""
    oc = open_commitments(conn, production_id, as_of, known_at)
    tot: dict[str, int] = {}
    for code, c in zip(oc["cost_code"], money_to_cents(oc["amount"]).tolist() if len(oc) else [], strict=True):
        tot[code] = tot.get(code, 0) + c
    codes = sorted(tot)
    return pd.DataFrame({"cost_code": pd.Series(codes, dtype=object),
                         "amount": cents_to_money([tot[c] for c in codes])})

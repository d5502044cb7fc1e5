"""Batches: one file's valid rows and its quarantine, posted together, with conservation checked.

``rows_read == posted + quarantined + already posted`` (POs, budget lines and accepted-but-not-journaled
rows count as posted) or :class:`ConservationError` before anything is written. A ``file_hash``
already posted returns ``already_posted=True`` and writes nothing, so a rerun is harmless. Row level:
the row key (:mod:`prodlib.rowkeys`) of every posted row is stored in ``posted_rows``, unique per
production and kind; a row offered again is not posted again but counted as already posted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from prodlib.columns import POSTING_COLUMNS, QUARANTINE_COLUMNS
from prodlib.errors import ConservationError, LedgerArgumentError, PeriodClosedError, UnbalancedEntryError
from prodlib.ledger import chain as ch
from prodlib.ledger import exceptions as exception_queue
from prodlib.ledger import journal
from prodlib.ledger import schema as s
from prodlib.ledger.budgets import prepare_budget, write_budget
from prodlib.ledger.commitments import po_rows, write_pos
from prodlib.ledger.frames import money_to_cents
from prodlib.ledger.journal import EntryColumns, Scope
from prodlib.ledger.normalize import dates, int_list, iso, stamp, str_list, today
from prodlib.ledger.periods import closed_periods
from prodlib.ledger.seals import QUARANTINE_FIELDS, batch_record, quarantine_record, row_keys_digest
from prodlib.money import MONEY_DTYPE, MONEY_TYPE, to_cents

#: Keys per ``IN (...)`` lookup: far below SQLite's and PostgreSQL's bound-parameter limits.
KEY_CHUNK = 5_000


@dataclass(frozen=True)
class BatchResult:
    """What posting one file did.

    Attributes:
      batch_id: the batch's id (of the earlier batch when ``already_posted``).
      source_id: the source of sources.yaml the file belongs to.
      file_hash: the file's content hash (one batch per hash and production).
      rows_read: data rows read from the file.
      rows_posted: rows that became entries, PO versions, budget lines or accepted rows.
      rows_quarantined: rows quarantined with a reason.
      already_posted: True when the file had been posted before and nothing was written.
      first_entry_id, last_entry_id: the journal entries of the batch (None when it has none).
      rows_already_posted: rows whose row key was already posted (by an earlier batch): not posted again.
    """

    batch_id: int | None
    source_id: str
    file_hash: str
    rows_read: int
    rows_posted: int
    rows_quarantined: int
    already_posted: bool = False
    first_entry_id: int | None = None
    last_entry_id: int | None = None
    rows_already_posted: int = 0

    @property
    def posted(self) -> int:
        return self.rows_posted

    @property
    def quarantined(self) -> int:
        return self.rows_quarantined


def quarantine_rows(frame: pd.DataFrame, source_id: str, source_file: str) -> list[tuple]:
    """(source_id, source_file, source_line, row_hash, reason, field, detail, payload) per row."""
    n = len(frame)
    if n and ("reason" not in frame or frame["reason"].isna().any()):
        raise LedgerArgumentError("every quarantined row needs a reason")
    get = frame.get
    sid = str_list(get("source_id"), n)
    sfile = str_list(get("source_file"), n)
    payload = get("payload")
    payloads: list[str | None]
    if payload is None:
        payloads = [None] * n
    else:
        payloads = [None if v is None or (not isinstance(v, dict | list) and pd.isna(v))
                    else (v if isinstance(v, str) else ch.canonical_json(v)) for v in payload.tolist()]
    return list(zip([x or source_id for x in sid], [x or source_file for x in sfile],
                    int_list(get("source_line"), n), str_list(get("row_hash"), n),
                    [str(x) for x in str_list(get("reason"), n)], str_list(get("field"), n),
                    str_list(get("detail"), n), payloads, strict=True))


def quarantine_cents(frame: pd.DataFrame) -> list[int | None]:
    """Each quarantined row's ``amount`` in cents where the frame carries one (the pipeline adds the
    amounts ingest could read: :func:`prodlib.pipeline.quarantine_with_amounts`), else None."""
    if "amount" not in frame:
        return [None] * len(frame)
    return [to_cents(v) if isinstance(v, Decimal) else (int(v) * 100 if isinstance(v, int) else None)
            for v in frame["amount"].astype(object).where(frame["amount"].notna(), None).tolist()]


def _two_line_entries(postings: pd.DataFrame, source_id: str) -> EntryColumns:
    """Each posting row as a two-line entry: debit account +amount, credit account -amount."""
    n = len(postings)
    missing = [c for c in ("entry_date", "debit_account", "credit_account", "amount") if c not in postings]
    if missing and n:
        raise LedgerArgumentError(f"posting frame lacks columns {missing}")
    cents = money_to_cents(postings["amount"]) if n else np.array([], np.int64)
    debit = str_list(postings["debit_account"], n)
    credit = str_list(postings["credit_account"], n)
    for i, (d, c) in enumerate(zip(debit, credit, strict=True)):
        if not d or not c:
            raise LedgerArgumentError(f"posting row {i}: debit and credit accounts are required")
        if d == c:
            raise UnbalancedEntryError(f"posting row {i}: debit and credit are the same account {d!r}")
    line_cents = np.empty(2 * n, dtype=np.int64)
    line_cents[0::2], line_cents[1::2] = cents, -cents
    line_accounts: list[str] = [None] * (2 * n)  # type: ignore[list-item]
    line_accounts[0::2], line_accounts[1::2] = debit, credit
    get = postings.get
    fx: dict[str, list | None] = {}
    if n and "original_currency" in postings and postings["original_currency"].notna().any():
        foreign = postings["original_currency"].notna().to_numpy()
        amounts = pa.array(postings["original_amount"].astype(MONEY_DTYPE))
        original = money_to_cents(pc.fill_null(amounts, pa.scalar(Decimal(0), MONEY_TYPE)))
        fx = {"fx_currency": str_list(postings["original_currency"], n),
              "fx_original_cents": [int(c) if f else None for c, f in zip(original, foreign, strict=True)],
              "fx_rate": str_list(postings["fx_rate"], n)}
    return EntryColumns(
        dates=dates(postings["entry_date"]) if n else [], kind="posting", source_id=source_id,
        source_line=int_list(get("source_line"), n), row_hash=str_list(get("row_hash"), n),
        document_no=str_list(get("document_no"), n), party_id=str_list(get("party_id"), n),
        po_number=str_list(get("po_number"), n), description=str_list(get("description"), n),
        reverses=[None] * n, reason=None, author=None, line_entry_idx=np.repeat(np.arange(n, dtype=np.int64), 2),
        line_accounts=line_accounts, line_cents=line_cents, **fx)


def _chunks(items: Sequence, size: int = KEY_CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def posted_row_keys(conn: sa.Connection, production_id: str, kind: str, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` (row keys of one kind) are already posted: looked up by the unique index,
    ``KEY_CHUNK`` at a time, never the whole table."""
    t = s.posted_rows
    found: set[str] = set()
    for chunk in _chunks(list(keys)):
        found.update(conn.execute(sa.select(t.c.row_key).where(
            t.c.production_id == production_id, t.c.kind == kind, t.c.row_key.in_(chunk))).scalars())
    return found


def posted_documents(conn: sa.Connection, production_id: str, kind: str,
                     documents: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of ``documents`` ((party_id, document_no), e.g. (vendor, invoice number)) were posted by
    batches of ``kind``: looked up by the document-number index, a chunk at a time."""
    e, b = s.journal_entries, s.batches
    wanted = {(p, d) for p, d in documents if isinstance(p, str) and isinstance(d, str)}
    numbers = sorted({d for _, d in wanted})
    found: set[tuple[str, str]] = set()
    for chunk in _chunks(numbers):
        q = (sa.select(e.c.party_id, e.c.document_no).select_from(e.join(b, b.c.batch_id == e.c.batch_id))
             .where(e.c.document_no.in_(chunk), e.c.production_id == production_id, e.c.kind == "posting",
                    b.c.kind == kind).distinct())
        found.update((p, d) for p, d in conn.execute(q) if (p, d) in wanted)
    return found


def posted_file(conn: sa.Connection, production_id: str, file_hash: str) -> BatchResult | None:
    """The batch that posted the file with this content hash, or None."""
    r = conn.execute(sa.select(s.batches).where(
        s.batches.c.production_id == production_id, s.batches.c.file_hash == file_hash)).first()
    if r is None:
        return None
    return BatchResult(r.batch_id, r.source_id, file_hash, r.rows_read, r.rows_posted, r.rows_quarantined, True,
                       r.first_entry_id, r.last_entry_id, r.rows_already_posted)


def post_batch(conn: sa.Connection, scope: Scope, source_id: str, source_file: str, file_hash: str, kind: str,
               postings: pd.DataFrame | None, quarantine: pd.DataFrame | None, rows_read: int, *,
               purchase_orders: pd.DataFrame | None = None, effective_date: date | str | None = None,
               budget: dict | None = None, accepted: int = 0, row_keys: Sequence[str] | None = None,
               already_posted: int = 0) -> BatchResult:
    """Post one file's valid rows (each a balanced two-line entry) and its quarantine.

    Runs inside the caller's write transaction (``conn``): it commits with whatever else the caller
    writes there, or not at all. A negative amount is a credit note (the sides flip). An optional
    ``po_number`` column links an invoice line to the PO it relieves. A purchase-order file passes its
    valid rows as ``purchase_orders`` (changes take effect on ``effective_date``); a budget file passes
    ``budget`` = the keyword arguments of :func:`prodlib.ledger.budgets.record_budget`; a file whose
    valid rows are used but not journaled (timecards, bank lines) passes their number as ``accepted``.
    All of these count as posted.

    ``row_keys``: the row key of each row offered for posting, in the order postings, purchase
    orders, budget lines, accepted rows. They are stored; a row whose key is already posted (by a
    concurrent run since the caller looked) is dropped here, under the journal lock, and counted as
    already posted (a budget is one locked version: all its lines or none). ``already_posted``: rows of
    the file the caller found already posted and did not offer.
    """
    if accepted < 0 or already_posted < 0:
        raise LedgerArgumentError("accepted and already-posted rows cannot be negative")
    with ch.no_gc():
        return _post_batch(conn, scope, source_id, source_file, file_hash, kind, postings, quarantine, rows_read,
                           purchase_orders, effective_date, budget, accepted, row_keys, already_posted)


def _post_batch(conn: sa.Connection, scope: Scope, source_id, source_file, file_hash, kind, postings, quarantine,
                rows_read, purchase_orders, effective_date, budget, accepted, row_keys, already_posted) -> BatchResult:
    pid = scope.production_id
    quarantine = quarantine if quarantine is not None else pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    if postings is None:
        postings = pd.DataFrame(columns=list(POSTING_COLUMNS))
    new_pos = po_rows(purchase_orders) if purchase_orders is not None else []
    bud = prepare_budget(pid, **budget) if budget is not None else None
    n, nq = len(postings), len(quarantine)
    npo = len(new_pos) + (len(bud.rows) if bud else 0) + accepted
    if rows_read != n + npo + nq + already_posted:
        more = f" + purchase orders {len(new_pos)}" if purchase_orders is not None else ""
        more += f" + budget lines {len(bud.rows)}" if bud else ""
        more += f" + accepted {accepted}" if accepted else ""
        more += f" + already posted {already_posted}" if already_posted else ""
        raise ConservationError(
            f"{source_id} ({source_file}): rows read {rows_read} != posted {n}{more} + quarantined {nq}")
    keys = list(row_keys) if row_keys is not None else []
    if row_keys is not None and (len(keys) != n + npo or len(set(keys)) != len(keys)):
        raise LedgerArgumentError(f"{source_id}: {len(keys)} row keys for {n + npo} rows offered (one distinct "
                                  "key per row)")
    q = quarantine_rows(quarantine, source_id, source_file)
    now_dt = scope.clock()
    now = stamp(now_dt)
    seq, prev = journal.lock_head(conn, "journal")
    existing = posted_file(conn, pid, file_hash)
    if existing is not None:
        return existing
    if keys:
        found = posted_row_keys(conn, pid, kind, keys)
        if found:
            fresh = np.array([k not in found for k in keys], dtype=bool)
            postings, purchase_orders, bud, accepted, keys, dropped = _drop_posted(
                fresh, postings, purchase_orders, bud, accepted, keys)
            already_posted += dropped
            new_pos = po_rows(purchase_orders) if purchase_orders is not None else []
            n = len(postings)
            npo = len(new_pos) + (len(bud.rows) if bud else 0) + accepted
    entries = _two_line_entries(postings, source_id)
    closed = closed_periods(conn, pid) & {d[:7] for d in set(entries.dates)}
    if closed:
        raise PeriodClosedError(f"{source_id}: postings dated in closed period(s) {sorted(closed)}")
    batch = {"batch_id": journal.next_id(conn, s.batches.c.batch_id), "source_id": source_id,
             "source_file": source_file, "file_hash": file_hash, "kind": kind, "rows_read": rows_read,
             "rows_posted": n + npo, "rows_quarantined": nq, "first_entry_id": seq + 1 if n else None,
             "last_entry_id": seq + n if n else None, "rows_already_posted": already_posted}
    batch_id = batch["batch_id"]
    conn.execute(s.batches.insert().values(**batch, production_id=pid, recorded_at=now))
    new_seq, new_hash = journal.write_entries(conn, scope, entries, start_id=seq + 1, prev_hash=prev,
                                              batch_id=batch_id, now=now)
    q_start = journal.next_id(conn, s.quarantine.c.q_id)
    q_rows = [(q_start + i, pid, batch_id, *r) for i, r in enumerate(q)]
    journal.bulk_insert(conn, s.quarantine, [*QUARANTINE_FIELDS, "recorded_at"], [(*r, now) for r in q_rows])
    journal.bulk_insert(conn, s.posted_rows, ["production_id", "kind", "row_key", "batch_id"],
                        [(pid, kind, k, batch_id) for k in keys])
    journal.set_head(conn, "journal", new_seq, new_hash)
    if bud:
        write_budget(conn, scope, bud, now)
    if new_pos:
        write_pos(conn, scope, new_pos, iso(effective_date) or today(now_dt), now)
    sealed = {**batch_record(batch), "journal_head": new_hash,
              "quarantine_digest": ch.rows_digest([quarantine_record(dict(zip(QUARANTINE_FIELDS, r, strict=True)))
                                                   for r in q_rows])}
    if row_keys is not None:
        sealed["row_keys_digest"] = row_keys_digest(keys)
    if q_rows:  # every quarantined row is an exception of the queue, opened in this transaction
        opened = exception_queue.open_quarantined(conn, scope, batch_id, kind, q_rows, quarantine_cents(quarantine),
                                                  now)
        if opened:
            sealed["exceptions"] = opened
    journal.append_event(conn, scope, "batch_posted", sealed, now)
    return BatchResult(batch_id, source_id, file_hash, rows_read, n + npo, nq, False, batch["first_entry_id"],
                       batch["last_entry_id"], already_posted)


def _drop_posted(fresh: np.ndarray, postings: pd.DataFrame, purchase_orders: pd.DataFrame | None, bud,
                 accepted: int, keys: list[str]) -> tuple:
    """The offered rows without those already posted (``fresh`` False), segment by segment; a budget
    goes whole or not at all. Returns (postings, purchase_orders, budget, accepted, keys, dropped)."""
    n, npo = len(postings), len(purchase_orders) if purchase_orders is not None else 0
    nb = len(bud.rows) if bud else 0
    seg = np.cumsum([0, n, npo, nb, accepted])
    keep = fresh.copy()
    if nb:
        keep[seg[2]:seg[3]] = fresh[seg[2]:seg[3]].any()
    postings = postings.iloc[np.flatnonzero(keep[: seg[1]])]
    if purchase_orders is not None:
        purchase_orders = purchase_orders.iloc[np.flatnonzero(keep[seg[1]:seg[2]])]
    if nb and not keep[seg[2]:seg[3]].any():
        bud = None
    kept_accepted = int(keep[seg[3]:].sum())
    stored = [k for k, f, kp in zip(keys, fresh, keep, strict=True) if kp and f]
    return postings, purchase_orders, bud, kept_accepted, stored, int((~keep).sum())

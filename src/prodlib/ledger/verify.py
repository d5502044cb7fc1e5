"""Walk the hash chains and name the first broken entry.

Checks, in chain order: ids without gaps (a deleted or inserted row), each row's ``prev_hash``
equal to the previous row's hash (a cut or reordered link), each row's hash equal to SHA-256 of
its canonical content recomputed from the stored columns (an edited amount, account, date, text or
hash), every entry balanced, no line without an entry, and the chain head equal to the last row
(a truncated tail). Audit events seal what they cover (batch counts, quarantine rows, budget lines,
purchase orders, ETC entries, period closes) with digests, recomputed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from prodlib.ledger import chain as ch
from prodlib.ledger import querylog, seals
from prodlib.ledger.connection import open_readonly_engine
from prodlib.ledger.normalize import date_text
from prodlib.ledger.view import LedgerView


@dataclass(frozen=True)
class VerifyResult:
    """What walking the chains found.

    Attributes:
      ok: True when both chains and every seal hold.
      entries_checked, events_checked: journal entries and audit events walked.
      queries_checked: query log records walked (:mod:`prodlib.ledger.querylog`).
      first_broken: the first broken record ("journal entry 17", "audit event 3"), or None.
      message: one line for the auditor ("ok: ..." or "BROKEN at ...").
      problems: every problem found, one line each, in chain order.
    """

    ok: bool
    entries_checked: int
    events_checked: int
    first_broken: str | None = None  # e.g. "journal entry 17"
    message: str = "ok"
    problems: tuple[str, ...] = field(default_factory=tuple)
    queries_checked: int = 0

    def __str__(self) -> str:
        return self.message


def _columns(conn: sa.Connection, sql: str, n: int, params: tuple = ()) -> list[list]:
    """Columns of a query, fetched through the driver's own cursor (no per-row wrapping)."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            rows = cur.fetchall()
    else:
        rows = raw.execute(sql, params).fetchall()
    if not rows:
        return [[] for _ in range(n)]
    return [list(c) for c in zip(*rows, strict=True)]


ENTRY_SQL = (
    "SELECT entry_id, production_id, batch_id, entry_date, kind, source_id, source_line, row_hash, document_no, "
    "party_id, po_number, description, reverses_entry_id, reason, author, prev_hash, entry_hash "
    "FROM journal_entries WHERE entry_id >= ? AND entry_id < ? ORDER BY entry_id"
)
LINE_SQL = ("SELECT entry_id, account, amount_cents FROM journal_lines WHERE entry_id >= ? AND entry_id < ? "
            "ORDER BY entry_id, line_no")
FX_SQL = ("SELECT entry_id, currency, original_cents, rate FROM journal_fx WHERE entry_id >= ? AND entry_id < ? "
          "ORDER BY entry_id")
#: Entries verified per round trip: bounds memory on million-entry ledgers.
CHUNK = 200_000


def _check_chunk(conn: sa.Connection, lo: int, hi: int, pos0: int, prev_hash: str,
                 problems: list[tuple[int, int, str]]) -> tuple[int, str, dict]:
    """Check entries with lo <= id < hi. Returns (entries seen, last hash, {id: hash})."""
    (eid, prod, batch, edate, kind, src, sline, rhash, doc, party, po, desc, rev, reason, author,
     prev, ehash) = _columns(conn, ENTRY_SQL, 17, (lo, hi))
    l_eid, l_acct, l_cents = _columns(conn, LINE_SQL, 3, (lo, hi))
    f_eid, f_cur, f_cents, f_rate = _columns(conn, FX_SQL, 4, (lo, hi))
    n = len(eid)
    ids = np.array(eid, dtype=np.int64)
    line_ids = np.array(l_eid, dtype=np.int64)
    cents = np.array(l_cents, dtype=np.int64)
    orphan = np.setdiff1d(line_ids, ids)
    if orphan.size:
        o = int(orphan[0])
        problems.append((pos0 + int(np.searchsorted(ids, o)), o, "journal lines without an entry header (deleted?)"))
    at = {int(e): i for i, e in enumerate(eid)}
    stray = [int(e) for e in f_eid if int(e) not in at]
    if stray:
        problems.append((pos0 + int(np.searchsorted(ids, stray[0])), stray[0],
                         "a foreign-currency record without an entry header (deleted?)"))
    if not n:
        return 0, prev_hash, {}
    lines = ch.lines_json(line_ids, l_acct, cents, ids)
    fx: dict[str, object] = {}
    if f_eid:
        cur, orig, rate = [None] * n, [None] * n, [None] * n
        for e, c, o, r in zip(f_eid, f_cur, f_cents, f_rate, strict=True):
            if int(e) in at:
                cur[at[int(e)]], orig[at[int(e)]], rate[at[int(e)]] = c, int(o), r
        fx["fx"] = ch.fx_json(cur, orig, rate)
    cols = {"author": author, "batch": batch, "date": [date_text(d) for d in edate], "desc": desc, "doc": doc,
            "id": ids, "kind": kind, "line": sline, "party": party, "po": po, "production": prod,
            "reason": reason, "reverses": rev, "row_hash": rhash, "source": src, **fx}
    heads, tails = ch.entry_parts(cols, lines)
    recomputed = np.array(ch.rehash(heads, tails, prev), dtype=object)
    stored = np.array(ehash, dtype=object)
    expected_prev = np.concatenate([np.array([prev_hash], dtype=object), stored[:-1]])
    pos = np.arange(pos0, pos0 + n)
    for p in np.flatnonzero(ids != pos + 1)[:1]:
        if ids[p] > pos[p] + 1:
            problems.append((pos[p], pos[p] + 1,
                             f"missing: the journal jumps from entry {pos[p]} to {ids[p]} (deleted?)"))
        else:
            problems.append((pos[p], ids[p], f"out of sequence: expected entry {pos[p] + 1}, found {ids[p]}"))
    for p in np.flatnonzero(np.array(prev, dtype=object) != expected_prev)[:1]:
        problems.append((pos[p], ids[p], "link broken: prev_hash does not match the previous entry's hash"))
    for p in np.flatnonzero(recomputed != stored)[:1]:
        problems.append((pos[p], ids[p], "content does not match its hash (edited amount, account, text or hash)"))
    starts = np.searchsorted(line_ids, ids, side="left")
    ends = np.searchsorted(line_ids, ids, side="right")
    csum = np.concatenate([[0], np.cumsum(cents)])
    sums = csum[ends] - csum[starts]
    for p in np.flatnonzero((sums != 0) | (ends - starts < 2))[:1]:
        problems.append((pos[p], ids[p], "unbalanced: debits do not equal credits"))
    return n, ehash[-1], dict(zip(eid, ehash, strict=True))


def check_journal(conn: sa.Connection, chunk: int = CHUNK) -> tuple[int, list[tuple[int, str]], dict]:
    """(entries checked, [(entry_id, problem)] in chain order, {id: hash} of batch-sealed entries)."""
    lo_hi = conn.exec_driver_sql("SELECT MIN(entry_id), MAX(entry_id) FROM journal_entries").first()
    lmax = conn.exec_driver_sql("SELECT MAX(m) FROM (SELECT MAX(entry_id) AS m FROM journal_lines "
                                "UNION ALL SELECT MAX(entry_id) FROM journal_fx) t").scalar()
    lo = min(1, int(lo_hi[0])) if lo_hi[0] is not None else 1
    top = max(int(lo_hi[1] or 0), int(lmax or 0)) + 1
    problems: list[tuple[int, int, str]] = []
    sealed = {int(r[0]) for r in conn.exec_driver_sql(
        "SELECT last_entry_id FROM batches WHERE last_entry_id IS NOT NULL")}
    hashes: dict[int, str] = {}
    n, prev_hash, last_id = 0, ch.GENESIS, 0
    for a in range(lo, top, chunk):
        seen, prev_hash, h = _check_chunk(conn, a, min(top, a + chunk), n, prev_hash, problems)
        if seen:
            last_id = max(h)
        n += seen
        hashes.update({k: v for k, v in h.items() if k in sealed})
    head = conn.exec_driver_sql("SELECT seq, hash FROM chain_heads WHERE chain = 'journal'").first()
    if head is not None:
        hseq, hhash = int(head[0]), head[1]
        if hseq != last_id or hhash != prev_hash:
            problems.append((n, min(hseq, last_id) + 1,
                             f"chain head records entry {hseq} but the journal ends at entry {last_id}: "
                             "entries removed from the end, or appended around the API"))
    problems.sort(key=lambda t: (t[0], t[1]))
    return n, [(int(i), t) for _, i, t in problems], hashes


def check_audit(conn: sa.Connection, entry_hashes: dict) -> tuple[int, list[tuple[int, str]]]:
    eid, prod, etype, payload, prev, ehash = _columns(
        conn, "SELECT event_id, production_id, event_type, payload, prev_hash, event_hash FROM audit_events "
              "ORDER BY event_id", 6)
    eid = [int(x) for x in eid]
    problems: list[tuple[int, str]] = []
    expected_prev = ch.GENESIS
    for p, (i, pr, t, pl, pv, h) in enumerate(zip(eid, prod, etype, payload, prev, ehash, strict=True)):
        i = int(i)
        if i != p + 1:
            problems.append((p + 1, f"missing: the audit log jumps from event {p} to {i} (deleted?)"))
            break
        if pv != expected_prev:
            problems.append((i, "link broken: prev_hash does not match the previous event's hash"))
            break
        if ch.sha256_hex(ch.event_text(i, t, pr, pl, pv)) != h:
            problems.append((i, "content does not match its hash"))
            break
        try:
            obj = json.loads(pl)
        except ValueError:
            problems.append((i, "payload is not JSON"))
            break
        bad = seals.check(conn, t, obj, entry_hashes, pr)
        if bad:
            problems.append((i, bad))
            break
        expected_prev = h
    if not problems and (tail := seals.unsealed_exceptions(conn)):  # the exception queue (migration 8)
        problems.append((len(eid) + 1, tail))
    head = conn.exec_driver_sql("SELECT seq, hash FROM chain_heads WHERE chain = 'audit'").first()
    if not problems and head is not None:
        last_id = int(eid[-1]) if eid else 0
        if int(head[0]) != last_id or head[1] != (ehash[-1] if eid else ch.GENESIS):
            problems.append((min(int(head[0]), last_id) + 1,
                             f"audit chain head records event {head[0]} but the log ends at {last_id}"))
    return len(eid), problems


def verify_connection(conn: sa.Connection) -> VerifyResult:
    """Verify both chains through an open connection (sees that connection's transaction)."""
    with ch.no_gc():
        n, jprob, hashes = check_journal(conn)
        m, aprob = check_audit(conn, hashes)
        k, qprob = querylog.check_query_log(conn)
    lines = ([f"journal entry {i}: {t}" for i, t in jprob] + [f"audit event {i}: {t}" for i, t in aprob]
             + [f"query log record {i}: {t}" for i, t in qprob])
    logged = f", {k} logged queries" if k else ""
    if not lines:
        return VerifyResult(True, n, m, None, f"ok: {n} journal entries and {m} audit events{logged} verified",
                            queries_checked=k)
    first = (f"journal entry {jprob[0][0]}" if jprob else f"audit event {aprob[0][0]}" if aprob
             else f"query log record {qprob[0][0]}")
    return VerifyResult(False, n, m, first, f"BROKEN at {first}: {lines[0]}", tuple(lines), queries_checked=k)


def verify_chain(ledger: LedgerView | str | Path) -> VerifyResult:
    """Verify the journal and audit chains of a ledger (a Ledger, or its URL or SQLite path).

    A URL is opened read-only: nothing is created or migrated (DatabaseLocationError if no ledger).
    """
    engine = ledger.engine if isinstance(ledger, LedgerView) else open_readonly_engine(ledger)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # one snapshot across all the reads, writers or not
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            return verify_connection(conn)
    finally:
        if not isinstance(ledger, LedgerView):
            engine.dispose()

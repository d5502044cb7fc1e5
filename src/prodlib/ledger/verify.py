"""Walk the hash chains and name the first broken entry.

Checks, in chain order: ids without gaps (a deleted or inserted row), each row's ``prev_hash``
equal to the previous row's hash (a cut or reordered link), each row's hash equal to SHA-256 of
its canonical content recomputed from the stored columns (an edited amount, account, date, text or
hash), every entry balanced, no line without an entry, and the chain head equal to the last row
(a truncated tail). Audit events seal what they cover (batch counts, quarantine rows, budget lines,
purchase orders, ETC entries, period closes) with digests, recomputed here.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from prodlib.ledger import chain as ch
from prodlib.ledger import querylog, seals
from prodlib.ledger.connection import make_engine, open_readonly_engine, sqlite_path
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
#: Processes :func:`verify_chain` uses at most on a SQLite file, from this many entries on.
MAX_WORKERS, PARALLEL_FROM = 4, 50_000


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


_STRINGS = ("author", "description", "document_no", "kind", "party_id", "po_number", "production_id", "reason",
            "row_hash", "source_id")
FAST_ENTRY_SQL = (
    "SELECT entry_id, author, batch_id, entry_date, description, document_no, kind, source_line, party_id, "
    "po_number, prev_hash, production_id, reason, reverses_entry_id, row_hash, source_id, "
    + " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in _STRINGS)
    + ", entry_hash FROM journal_entries WHERE entry_id >= ? AND entry_id < ? ORDER BY entry_id"
)


def _rows(conn: sa.Connection, sql: str, params: tuple) -> list[tuple]:
    """Rows of a query through the driver's own cursor (tuples, no per-row wrapping)."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            return cur.fetchall()
    return raw.execute(sql, params).fetchall()


def _fast_chunk(conn: sa.Connection, lo: int, hi: int, pos0: int, prev_hash: str) -> tuple[int, str, dict] | None:
    """The fast path of :func:`_check_chunk`: (entries seen, last hash, {id: hash}) when every check of
    the chunk passes, else None (the caller then runs :func:`_check_chunk`, which names the problems).

    Same checks, same canonical text (:func:`prodlib.ledger.chain.fast_entry_texts`, proven equal to
    ``entry_parts`` by the tests; where it is not certain it gives None), every hash recomputed; only
    a clean chunk is decided here, so a problem is always reported by the reference path.
    """
    rows = _rows(conn, FAST_ENTRY_SQL, (lo, hi))
    lines = _rows(conn, LINE_SQL, (lo, hi))
    fx = {int(e): (c, int(o), r) for e, c, o, r in _rows(conn, FX_SQL, (lo, hi))}
    n = len(rows)
    if not n:
        return (0, prev_hash, {}) if not lines and not fx else None
    ehash = [r[-1] for r in rows]
    built = ch.fast_entry_texts(rows, lines, fx)
    if built is None:
        return None
    texts, _ = built
    sha = hashlib.sha256
    if any(sha(t.encode("utf-8")).hexdigest() != h for t, h in zip(texts, ehash, strict=True)):
        return None
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    if not np.array_equal(ids, np.arange(pos0 + 1, pos0 + n + 1)):
        return None
    if rows[0][10] != prev_hash or any(rows[i][10] != ehash[i - 1] for i in range(1, n)):
        return None
    line_ids = np.fromiter((r[0] for r in lines), dtype=np.int64, count=len(lines))
    cents = np.fromiter((r[2] for r in lines), dtype=np.int64, count=len(lines))
    if line_ids.size and (line_ids[0] < ids[0] or line_ids[-1] > ids[-1]):
        return None  # lines of an id with no entry (ids are contiguous here)
    if fx and (min(fx) < ids[0] or max(fx) > ids[-1]):
        return None
    starts = np.searchsorted(line_ids, ids, side="left")
    ends = np.searchsorted(line_ids, ids, side="right")
    csum = np.concatenate([[0], np.cumsum(cents)])
    if ((csum[ends] - csum[starts]) != 0).any() or ((ends - starts) < 2).any():
        return None
    return n, ehash[-1], dict(zip(ids.tolist(), ehash, strict=True))


def _fast_chunk_in(url: str, lo: int, hi: int, sealed: frozenset[int]) -> tuple[int, str, dict] | None:
    """:func:`_fast_chunk` in a worker process, on its own read-only connection: the chunk's start is
    the entry before ``lo`` (a clean chain before it is checked by the chunk before); returns only the
    hashes of batch-sealed entries."""
    engine = make_engine(url, readonly=True)
    try:
        with engine.connect() as conn:
            prev = ch.GENESIS if lo <= 1 else conn.exec_driver_sql(
                "SELECT entry_hash FROM journal_entries WHERE entry_id = ?", (lo - 1,)).scalar()
            done = _fast_chunk(conn, lo, hi, max(lo - 1, 0), prev) if prev is not None else None
    finally:
        engine.dispose()
    if done is None:
        return None
    n, last, hashes = done
    return n, last, {k: v for k, v in hashes.items() if k in sealed}


def _parallel_journal(conn: sa.Connection, lo: int, top: int, chunk: int, sealed: set[int],
                      workers: int) -> tuple[int, str, int, dict] | None:
    """Chunks of a SQLite file checked by :func:`_fast_chunk_in` in ``workers`` processes:
    (entries, last hash, last id, sealed hashes) when every chunk is clean, else None.

    The bounds (``top``) and the chain head come from the caller's snapshot; the journal below ``top``
    is append-only (the ledger's triggers refuse UPDATE and DELETE), so each worker reads the same rows.
    """
    url = conn.engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    frozen = frozenset(sealed)
    chunk = min(chunk, -(-(top - lo) // (4 * workers)))  # four chunks a worker: they finish together
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(_fast_chunk_in, url, a, min(top, a + chunk), frozen) for a in range(lo, top, chunk)]
        results = [f.result() for f in futures]
    if lo != 1 or any(r is None for r in results):
        return None
    n, last, last_id, hashes = 0, ch.GENESIS, 0, {}
    for seen, h_last, h in results:
        if seen:
            last, last_id = h_last, n + seen
        n += seen
        hashes.update(h)
    return n, last, last_id, hashes


def check_journal(conn: sa.Connection, chunk: int | None = None, *, fast: bool = True, workers: int = 1,
                  ) -> tuple[int, list[tuple[int, str]], dict]:
    """(entries checked, [(entry_id, problem)] in chain order, {id: hash} of batch-sealed entries).

    ``fast`` (the default) tries :func:`_fast_chunk` first on each chunk and falls back to
    :func:`_check_chunk` (the reference: Arrow columns through ``entry_parts``, the posting builder)
    where it declines; ``fast=False`` runs only the reference (the benchmark's baseline). ``workers``
    > 1 on a SQLite file checks the chunks in that many processes first (:func:`_parallel_journal`);
    if any chunk is not clean, everything is walked again here, so problems are named as before.
    """
    chunk = chunk or CHUNK
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
    par = (_parallel_journal(conn, lo, top, chunk, sealed, workers)
           if fast and workers > 1 and top - lo > min(chunk, PARALLEL_FROM) and sqlite_path(conn.engine.url) is not None
           else None)
    if par is not None:
        n, prev_hash, last_id, hashes = par
    for a in range(lo, top, chunk) if par is None else ():
        b = min(top, a + chunk)
        done = _fast_chunk(conn, a, b, n, prev_hash) if fast else None
        seen, prev_hash, h = done if done is not None else _check_chunk(conn, a, b, n, prev_hash, problems)
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


def verify_connection(conn: sa.Connection, *, fast: bool = True) -> VerifyResult:
    """Verify both chains through an open connection (sees that connection's transaction, so one
    process: no workers). ``fast=False`` walks the journal with the reference path only (see
    :func:`check_journal`)."""
    return _verify(conn, fast, 1)


def _verify(conn: sa.Connection, fast: bool, workers: int) -> VerifyResult:
    with ch.no_gc():
        n, jprob, hashes = check_journal(conn, fast=fast, workers=workers)
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


def verify_chain(ledger: LedgerView | str | Path, *, fast: bool = True, workers: int | None = None) -> VerifyResult:
    """Verify the journal and audit chains of a ledger (a Ledger, or its URL or SQLite path).

    A URL is opened read-only: nothing is created or migrated (DatabaseLocationError if no ledger).
    ``workers``: processes for a large SQLite file (default: the machine's cores, at most
    :data:`MAX_WORKERS`); PostgreSQL is walked in one process, in one REPEATABLE READ snapshot.
    """
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1)
    engine = ledger.engine if isinstance(ledger, LedgerView) else open_readonly_engine(ledger)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # one snapshot across all the reads, writers or not
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                return verify_connection(conn, fast=fast)
            with conn.begin():  # one snapshot for the bounds, the chain heads and the audit log
                return _verify(conn, fast, workers)
    finally:
        if not isinstance(ledger, LedgerView):
            engine.dispose()

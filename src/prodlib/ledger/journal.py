"""The journal and its chains: chain heads, sealed entries and lines, audit events.

Every writer takes a caller-owned :class:`sqlalchemy.Connection` inside a write transaction (see
:func:`prodlib.ledger.connection.write_transaction`) and a :class:`Scope`; it first locks the
``journal`` chain head (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
already serializes), so appends are serialized and ids gap-free. Lines are inserted before their
header; the header's insert is what seals the entry (triggers check the balance).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import sqlalchemy as sa

from prodlib.ledger import chain as ch
from prodlib.ledger import schema as s
from prodlib.ledger.normalize import utc_now

#: Test hook: called with (source_id, entries written so far) after each chunk of entries.
AFTER_CHUNK: Callable[[str | None, int], None] | None = None


@dataclass(frozen=True)
class Scope:
    """Whose books a writer writes and how it reads the time.

    Attributes:
      production_id: the production every row written belongs to.
      clock: the wall clock for ``recorded_at`` (never inside a hash); tests pass a fixed one.
      chunk_rows: entries per bulk insert statement (bounds memory on million-row batches).
    """

    production_id: str = "default"
    clock: Callable[[], datetime] = field(default=utc_now)
    chunk_rows: int = 50_000


def lock_head(conn: sa.Connection, chain: str) -> tuple[int, str]:
    """Lock a chain head (``journal`` or ``audit``) for this transaction; returns (seq, hash)."""
    row = conn.execute(
        sa.select(s.chain_heads.c.seq, s.chain_heads.c.hash).where(s.chain_heads.c.chain == chain).with_for_update()
    ).one()
    return int(row.seq), row.hash


def set_head(conn: sa.Connection, chain: str, seq: int, hash_: str) -> None:
    conn.execute(s.chain_heads.update().where(s.chain_heads.c.chain == chain).values(seq=seq, hash=hash_))


#: PostgreSQL bulk rows go by ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy``); False: by
#: ``executemany`` as on SQLite (tests/ledger/test_copy_path.py posts both ways and compares).
COPY_ON_POSTGRESQL = True


def bulk_insert(conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Fast multi-row insert inside the current transaction (COPY on PostgreSQL, else one
    ``executemany`` of a prepared insert on the raw DBAPI cursor)."""
    if not rows:
        return
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql" and COPY_ON_POSTGRESQL:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        marks = ", ".join(["%s" if conn.dialect.name == "postgresql" else "?"] * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", rows)


def next_id(conn: sa.Connection, column: sa.Column) -> int:
    """One past the largest id of a table (ids are gap-free: writers hold the journal head)."""
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(column), 0))).scalar()) + 1


def append_event(conn: sa.Connection, scope: Scope, event_type: str, payload: dict, now: str) -> int:
    """Append one audit event to the audit chain (the caller holds the journal head lock)."""
    seq, prev = lock_head(conn, "audit")
    event_id = seq + 1
    text = ch.canonical_json(payload)
    h = ch.sha256_hex(ch.event_text(event_id, event_type, scope.production_id, text, prev))
    conn.execute(s.audit_events.insert().values(
        event_id=event_id, production_id=scope.production_id, event_type=event_type, payload=text,
        recorded_at=now, prev_hash=prev, event_hash=h))
    set_head(conn, "audit", event_id, h)
    return event_id


@dataclass(frozen=True)
class EntryColumns:
    """n journal entries to write, column-wise (a scalar applies to all of them).

    Attributes:
      dates: ISO entry dates, one per entry.
      kind, source_id, reason, author: per entry, or one value for all.
      source_line, row_hash, document_no, party_id, po_number, description, reverses: per entry.
      line_entry_idx: per line, the 0-based index of its entry (lines grouped by entry, in order).
      line_accounts, line_cents: per line, its account and signed cents (+ debit, - credit).
      fx_currency, fx_original_cents, fx_rate: per entry, a foreign-currency entry's currency, its
        original amount (cents of that currency, signed like its first line) and the rate text used;
        None for an entry in the production currency (or None for all: no foreign entries).
    """

    dates: list[str]
    kind: list[str] | str
    source_id: list | str | None
    source_line: list
    row_hash: list
    document_no: list
    party_id: list
    po_number: list
    description: list
    reverses: list
    reason: list | str | None
    author: list | str | None
    line_entry_idx: np.ndarray
    line_accounts: list[str]
    line_cents: np.ndarray
    fx_currency: list | None = None
    fx_original_cents: list | None = None
    fx_rate: list | None = None


def write_entries(conn: sa.Connection, scope: Scope, entries: EntryColumns, *, start_id: int, prev_hash: str,
                  batch_id: int | None, now: str) -> tuple[int, str]:
    """Hash, then insert the lines and the sealed headers of the entries. Returns the new head (seq, hash).

    The canonical text is :func:`prodlib.ledger.chain.entry_parts`, the builder verify uses too.
    """
    ec = entries
    n = len(ec.dates)

    def full(v):
        return v if isinstance(v, list) else [v] * n

    kind, source_id, reason, author = full(ec.kind), full(ec.source_id), full(ec.reason), full(ec.author)
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    line_entry_idx = ec.line_entry_idx
    line_entry_ids = ids[line_entry_idx] if n else np.array([], np.int64)
    line_no = np.arange(len(line_entry_idx)) - np.searchsorted(line_entry_idx, line_entry_idx, side="left") + 1
    lines = ch.lines_json(line_entry_ids, ec.line_accounts, ec.line_cents, ids)
    pid = scope.production_id
    cols = {
        "author": author, "batch": [batch_id] * n, "date": ec.dates, "desc": ec.description, "doc": ec.document_no,
        "id": ids, "kind": kind, "line": ec.source_line, "party": ec.party_id, "po": ec.po_number,
        "production": [pid] * n, "reason": reason, "reverses": ec.reverses, "row_hash": ec.row_hash,
        "source": source_id,
    }
    fx = ec.fx_currency is not None and any(c is not None for c in ec.fx_currency)
    if fx:
        cols["fx"] = ch.fx_json(ec.fx_currency, ec.fx_original_cents, ec.fx_rate)
    heads, tails = ch.entry_parts(cols, lines)
    hashes = ch.chain_hashes(heads, tails, prev_hash)
    prevs = [prev_hash, *hashes[:-1]]
    ids_l = ids.tolist()
    periods = [d[:7] for d in ec.dates]
    le_ids = line_entry_ids.tolist()
    ln = line_no.tolist()
    lc = ec.line_cents.tolist()
    accts = ec.line_accounts
    entry_cols = [c.name for c in s.journal_entries.columns]
    line_cols = ["entry_id", "line_no", "production_id", "account", "amount_cents"]
    step = scope.chunk_rows
    line_pos = np.searchsorted(line_entry_idx, np.arange(0, n + step, step), side="left").tolist()
    hook_source = source_id[0] if n and isinstance(ec.source_id, str) else None
    for k, a in enumerate(range(0, n, step)):
        b = min(n, a + step)
        la, lb = line_pos[k], line_pos[k + 1] if b < n else len(le_ids)
        bulk_insert(conn, s.journal_lines, line_cols, list(zip(
            le_ids[la:lb], ln[la:lb], [pid] * (lb - la), accts[la:lb], lc[la:lb], strict=True)))
        bulk_insert(conn, s.journal_entries, entry_cols, list(zip(
            ids_l[a:b], [pid] * (b - a), [batch_id] * (b - a), ec.dates[a:b], periods[a:b], kind[a:b],
            source_id[a:b], ec.source_line[a:b], ec.row_hash[a:b], ec.document_no[a:b], ec.party_id[a:b],
            ec.po_number[a:b], ec.description[a:b], ec.reverses[a:b], reason[a:b], author[a:b], [now] * (b - a),
            prevs[a:b], hashes[a:b], strict=True)))
        if fx:
            bulk_insert(conn, s.journal_fx, ["entry_id", "production_id", "currency", "original_cents", "rate"],
                        [(ids_l[i], pid, ec.fx_currency[i], int(ec.fx_original_cents[i]), ec.fx_rate[i])
                         for i in range(a, b) if ec.fx_currency[i] is not None])
        if AFTER_CHUNK is not None:
            AFTER_CHUNK(hook_source, b)
    if n == 0:
        return start_id - 1, prev_hash
    return start_id + n - 1, hashes[-1]

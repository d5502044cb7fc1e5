"""The query log: every statement a bond representative's or an auditor's session runs (issue 11, item 5).

A logged session is a read-only engine with two SQLAlchemy engine events: ``before_cursor_execute``
notes the statement, ``after_cursor_execute`` counts the rows it returned and appends one record
(who, when, scope, the statement's fingerprint, row count) to ``query_log`` through a separate
writing engine, before the caller sees a single row. A record that cannot be written fails the
query: nothing is read unlogged.

- The fingerprint is SHA-256 of the normalised statement: comments dropped, every literal and
  parameter replaced by ``?`` (an ``IN (?, ?, ?)`` list by ``IN (?)``), whitespace collapsed, lower
  case. The normalised text is stored beside it: it carries no value a query was run with.
- The row count: the driver's ``rowcount`` where it knows it (psycopg buffers a SELECT), else the
  same statement counted with the same parameters on the same connection, in the same transaction
  (SQLite reports -1 before the rows are fetched), so the count is what the statement returned.
- The chain: each record's hash is SHA-256 over its canonical JSON, which holds the previous
  record's hash; the head is ``chain_heads('queries')``. ``query_log`` is append-only (triggers,
  migration 11), and :func:`check_query_log` (called by ``prodlib audit verify``) names the first
  record that was edited, removed or reordered.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from prodlib.errors import DatabaseLocationError
from prodlib.ledger import chain as ch
from prodlib.ledger import schema as s
from prodlib.ledger.connection import make_engine, open_readonly_engine, render_url, to_url, write_transaction
from prodlib.ledger.journal import lock_head, set_head

#: Statements that are not queries (transaction control, session settings): not logged.
_NOT_A_QUERY = re.compile(r"^\s*(begin|commit|rollback|savepoint|release|set|show|pragma|end)\b", re.I)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")
_PARAM = re.compile(r"%\(\w+\)s|%s|\?|(?<!:):(?!:)\w+|\$\d+")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])", re.I)
_IN_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_SPACE = re.compile(r"\s+")
#: The columns of the query log as :func:`query_log_frame` and ``prodlib audit queries`` show them.
LOG_COLUMNS = ("log_id", "logged_at", "production_id", "person_id", "role", "scope", "row_count", "fingerprint",
               "statement")


def normalise_sql(statement: str) -> str:
    """The statement with comments, literals and parameters gone: the same query, the same text."""
    text = _COMMENT.sub(" ", statement)
    text = _STRING.sub("?", text)
    text = _PARAM.sub("?", text)
    text = _NUMBER.sub("?", text)
    text = _SPACE.sub(" ", text).strip().lower()
    return _IN_LIST.sub("(?)", text)


def fingerprint(statement: str) -> str:
    """SHA-256 (hex) of :func:`normalise_sql`."""
    return hashlib.sha256(normalise_sql(statement).encode("utf-8")).hexdigest()


def record_text(log_id: int, production_id: str, person_id: str, role: str, scope: str, logged_at: str,
                fp: str, statement: str, row_count: int, prev: str) -> str:
    """The canonical text a query log record's hash covers (writers and verify build it here)."""
    return ch.canonical_json({"at": logged_at, "fingerprint": fp, "id": int(log_id), "person": person_id,
                              "prev": prev, "production": production_id, "role": role, "rows": int(row_count),
                              "scope": scope, "statement": statement})


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class QuerySession:
    """Whose reads a logged engine records, and where.

    Attributes:
      person: the person reading (the id roles.yaml knows them by).
      role: the role they read as (``bond_rep``, ``auditor``).
      production_id: the production read.
      scope: what the session was opened for, e.g. ``report cost_report``.
      clock: the wall clock (ISO-8601 UTC text); tests pass a fixed one.
    """

    person: str
    role: str
    production_id: str = "default"
    scope: str = ""
    clock: Callable[[], str] = field(default=_utc_now, compare=False)

    @property
    def scope_text(self) -> str:
        return f"production={self.production_id}" + (f"; {self.scope}" if self.scope else "")


def append_record(conn: sa.Connection, session: QuerySession, statement: str, row_count: int) -> int:
    """Append one record to the query log inside ``conn``'s write transaction; returns its id."""
    seq, prev = lock_head(conn, s.QUERY_CHAIN)
    log_id, now = seq + 1, session.clock()
    norm = normalise_sql(statement)
    fp = hashlib.sha256(norm.encode("utf-8")).hexdigest()
    scope = session.scope_text
    h = ch.sha256_hex(record_text(log_id, session.production_id, session.person, session.role, scope, now, fp,
                                  norm, row_count, prev))
    conn.execute(s.query_log.insert().values(
        log_id=log_id, production_id=session.production_id, person_id=session.person, role=session.role,
        scope=scope, logged_at=now, fingerprint=fp, statement=norm, row_count=int(row_count), prev_hash=prev,
        log_hash=h))
    set_head(conn, s.QUERY_CHAIN, log_id, h)
    return log_id


def _rows_returned(cursor, statement: str, parameters) -> int:
    if cursor.description is None:  # not a row-returning statement
        return max(int(cursor.rowcount or 0), 0)
    if cursor.rowcount is not None and cursor.rowcount >= 0:
        return int(cursor.rowcount)
    counter = cursor.connection.cursor()  # the raw DBAPI connection: no engine event, same transaction
    try:
        counter.execute(f"SELECT COUNT(*) FROM ({statement}) AS prodlib_logged", parameters)
        return int(counter.fetchone()[0])
    finally:
        counter.close()


def attach_query_log(engine: sa.Engine, writer: sa.Engine, session: QuerySession) -> sa.Engine:
    """Log every query ``engine`` runs as ``session`` through ``writer`` (another engine on the same ledger)."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001 - the event's signature
        conn.info["prodlib_query_started"] = statement

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        conn.info.pop("prodlib_query_started", None)
        if _NOT_A_QUERY.match(statement):
            return
        rows = 0 if executemany else _rows_returned(cursor, statement, parameters)
        with write_transaction(writer) as wconn:
            append_record(wconn, session, statement, rows)

    return engine


def open_logged_engine(url: str | Path, session: QuerySession) -> tuple[sa.Engine, sa.Engine]:
    """(reader, writer): a read-only engine on an existing ledger whose every query is logged, and the
    engine that writes the log. A ledger opened read-only (``mode=ro``) cannot take the log: refused."""
    reader = open_readonly_engine(url)
    u = sa.engine.make_url(to_url(url))
    if u.get_backend_name() == "sqlite" and u.query.get("mode") == "ro":
        reader.dispose()
        raise DatabaseLocationError(render_url(url), f"is opened read-only (mode=ro); the {session.role} role's "
                                                     "queries are logged in the ledger, which needs write access")
    writer = make_engine(url)
    return attach_query_log(reader, writer, session), writer


def query_log_frame(conn: sa.Connection, person: str | None = None) -> pd.DataFrame:
    """The query log, oldest first (:data:`LOG_COLUMNS`); ``person`` keeps that person's records."""
    t = s.query_log
    q = sa.select(*[t.c[c] for c in LOG_COLUMNS]).order_by(t.c.log_id)
    if person:
        q = q.where(t.c.person_id == person)
    return pd.DataFrame(conn.execute(q).all(), columns=list(LOG_COLUMNS))


def check_query_log(conn: sa.Connection) -> tuple[int, list[tuple[int, str]]]:
    """(records checked, [(log_id, problem)]): ids without gaps, each link, each hash, the chain head."""
    rows = conn.exec_driver_sql(
        "SELECT log_id, production_id, person_id, role, scope, logged_at, fingerprint, statement, row_count, "
        "prev_hash, log_hash FROM query_log ORDER BY log_id").all()
    problems: list[tuple[int, str]] = []
    prev = ch.GENESIS
    for pos, (i, prod, person, role, scope, at, fp, stmt, n, pv, h) in enumerate(rows, start=1):
        i = int(i)
        if i != pos:
            problems.append((pos, f"missing: the query log jumps from record {pos - 1} to {i} (deleted?)"))
            break
        if pv != prev:
            problems.append((i, "link broken: prev_hash does not match the previous record's hash"))
            break
        if ch.sha256_hex(record_text(i, prod, person, role, scope, at, fp, stmt, n, pv)) != h:
            problems.append((i, "content does not match its hash (edited person, time, scope, statement or count)"))
            break
        if hashlib.sha256(stmt.encode("utf-8")).hexdigest() != fp:
            problems.append((i, "fingerprint does not match the statement"))
            break
        prev = h
    head = conn.execute(sa.select(s.chain_heads.c.seq, s.chain_heads.c.hash)
                        .where(s.chain_heads.c.chain == s.QUERY_CHAIN)).first()
    if not problems and head is not None:
        last = int(rows[-1][0]) if rows else 0
        if int(head[0]) != last or head[1] != prev:
            problems.append((min(int(head[0]), last) + 1,
                             f"query log chain head records record {head[0]} but the log ends at {last}"))
    return len(rows), problems

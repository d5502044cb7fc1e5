"""Budget versions: locked, immutable, each revision or approved overage a new version.

A version's content hash covers its header and its lines (each line as
:func:`prodlib.ledger.seals.budget_record` seals it); the ``budget_recorded`` event seals both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from prodlib.errors import BudgetLockedError, LedgerArgumentError
from prodlib.ledger import chain as ch
from prodlib.ledger import journal
from prodlib.ledger import schema as s
from prodlib.ledger.frames import cents_to_money, money_to_cents
from prodlib.ledger.journal import Scope
from prodlib.ledger.normalize import iso, stamp, str_list, temporal_filter
from prodlib.ledger.seals import budget_record

BUDGET_KINDS = ("original", "revision", "overage")
LINE_COLUMNS = ("version_id", "line_no", "production_id", "cost_code", "description", "amount_cents")


@dataclass(frozen=True)
class PreparedBudget:
    """A budget version checked and sealed, ready to write.

    Attributes:
      meta: the header as sealed (version, kind, parent, dates, author, reason, production).
      digest: the rows digest of its lines.
      content_hash: SHA-256 over the header and the digest; equal content, equal hash.
      rows: the ``budget_lines`` rows (LINE_COLUMNS order).
    """

    meta: dict
    digest: str
    content_hash: str
    rows: list[tuple]


def prepare_budget(production_id: str, version_id: str, lines: pd.DataFrame, locked_on: date | str, author: str,
                   reason: str = "original locked budget", effective_date: date | str | None = None,
                   kind: str = "original", parent_version_id: str | None = None) -> PreparedBudget:
    """Check a version's arguments and seal its content (no I/O)."""
    if kind not in BUDGET_KINDS:
        raise LedgerArgumentError(f"budget version kind {kind!r}: original, revision or overage")
    if not version_id or not author or not reason:
        raise LedgerArgumentError("a budget version needs an id, an author and a reason")
    n = len(lines)
    cents = money_to_cents(lines["amount"]).tolist() if n else []
    codes = str_list(lines["cost_code"], n)
    if any(not c for c in codes):
        raise LedgerArgumentError("budget line without cost_code")
    descs = str_list(lines.get("description"), n)
    locked = iso(locked_on)
    meta = {"version_id": version_id, "kind": kind, "parent_version_id": parent_version_id,
            "locked_on": locked, "effective_date": iso(effective_date) or locked, "author": author,
            "reason": reason, "production_id": production_id}
    rows = [(version_id, i + 1, production_id, c, d, v)
            for i, (c, d, v) in enumerate(zip(codes, descs, cents, strict=True))]
    digest = ch.rows_digest([budget_record(dict(zip(LINE_COLUMNS, r, strict=True))) for r in rows])
    content_hash = ch.sha256_hex(ch.canonical_json({"meta": meta, "lines_digest": digest}))
    return PreparedBudget(meta, digest, content_hash, rows)


def write_budget(conn: sa.Connection, scope: Scope, prepared: PreparedBudget, now: str) -> bool:
    """Write a prepared version (caller holds the journal head). False if the identical one exists."""
    meta, content_hash = prepared.meta, prepared.content_hash
    version_id, parent = meta["version_id"], meta["parent_version_id"]
    bv = s.budget_versions
    mine = bv.c.production_id == scope.production_id
    existing = conn.execute(sa.select(bv.c.content_hash).where(bv.c.version_id == version_id, mine)).first()
    if existing is not None:
        if existing.content_hash == content_hash:
            return False
        raise BudgetLockedError(f"budget version {version_id} is locked; record a new version")
    if parent is not None and conn.execute(
            sa.select(bv.c.version_id).where(bv.c.version_id == parent, mine)).first() is None:
        raise LedgerArgumentError(f"parent budget version {parent} does not exist")
    header = {k: v for k, v in meta.items() if k not in ("locked_on", "effective_date")}
    conn.execute(bv.insert().values(
        **header, locked_on=date.fromisoformat(meta["locked_on"]),
        effective_date=date.fromisoformat(meta["effective_date"]), content_hash=content_hash, recorded_at=now))
    journal.bulk_insert(conn, s.budget_lines, LINE_COLUMNS, prepared.rows)
    journal.append_event(conn, scope, "budget_recorded",
                         {**meta, "content_hash": content_hash, "lines_digest": prepared.digest}, now)
    return True


def record_budget(conn: sa.Connection, scope: Scope, version_id: str, lines: pd.DataFrame, locked_on: date | str,
                  author: str, reason: str = "original locked budget", *, effective_date: date | str | None = None,
                  kind: str = "original", parent_version_id: str | None = None) -> bool:
    """Record a locked budget version. Returns True if written, False if the identical version exists.

    A version is immutable: recording the same id with different content raises BudgetLockedError.
    """
    prepared = prepare_budget(scope.production_id, version_id, lines, locked_on, author, reason, effective_date,
                              kind, parent_version_id)
    journal.lock_head(conn, "journal")
    return write_budget(conn, scope, prepared, stamp(scope.clock()))


def budget_versions_frame(conn: sa.Connection, production_id: str) -> pd.DataFrame:
    bv = s.budget_versions
    cols = ["version_id", "kind", "parent_version_id", "locked_on", "effective_date", "author", "reason",
            "content_hash", "recorded_at"]
    q = (sa.select(*[bv.c[c] for c in cols]).where(bv.c.production_id == production_id)
         .order_by(bv.c.effective_date, bv.c.recorded_at))
    return pd.DataFrame(conn.execute(q).all(), columns=cols)


def budget_version_at(conn: sa.Connection, production_id: str, as_of: date | str | None = None,
                      known_at: datetime | str | None = None) -> str | None:
    """The budget version in force on ``as_of`` (latest effective date, then latest recorded)."""
    bv = s.budget_versions
    q = (sa.select(bv.c.version_id).where(*temporal_filter(bv, "effective_date", production_id, as_of, known_at))
         .order_by(bv.c.effective_date.desc(), bv.c.recorded_at.desc()))
    return conn.execute(q.limit(1)).scalar()


def budget(conn: sa.Connection, production_id: str, version_id: str | None = None, as_of: date | str | None = None,
           known_at: datetime | str | None = None) -> pd.DataFrame:
    """A budget version's lines [cost_code, description, amount]; by default the one in force.

    The frame's ``attrs["version_id"]`` names the version, so a report can state it.
    """
    if version_id is None:
        version_id = budget_version_at(conn, production_id, as_of, known_at)
        if version_id is None:
            raise LookupError("no budget version recorded" + (f" in force on {as_of}" if as_of else ""))
    bl = s.budget_lines
    q = (sa.select(bl.c.cost_code, bl.c.description, bl.c.amount_cents)
         .where(bl.c.version_id == version_id, bl.c.production_id == production_id).order_by(bl.c.line_no))
    rows = conn.execute(q).all()
    if not rows and conn.execute(sa.select(s.budget_versions.c.version_id).where(
            s.budget_versions.c.version_id == version_id,
            s.budget_versions.c.production_id == production_id)).first() is None:
        raise LookupError(f"no budget version {version_id}")
    df = pd.DataFrame({"cost_code": pd.Series([r[0] for r in rows], dtype=object),
                       "description": pd.Series([r[1] for r in rows], dtype=object),
                       "amount": cents_to_money([int(r[2]) for r in rows])})
    df.attrs["version_id"] = version_id
    return df

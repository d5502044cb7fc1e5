"""A small versioned migration runner: ``schema_version`` records what has been applied.

Each migration is a numbered function applied once, in order, inside one transaction with the
version row it writes (PostgreSQL and SQLite both have transactional DDL). On PostgreSQL an
advisory lock keyed on the schema stops two processes migrating at once. A committed migration is
never edited: a change to the schema is a new, higher-numbered migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from prodlib.errors import LedgerError
from prodlib.ledger import schema as s


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def _v1(conn: sa.Connection) -> None:
    for t in s.V1_TABLES:
        t.create(conn)
    conn.execute(s.chain_heads.insert(), [{"chain": "journal", "seq": 0, "hash": "0" * 64},
                                          {"chain": "audit", "seq": 0, "hash": "0" * 64}])


_SQLITE_TRIGGERS = """
CREATE TRIGGER trg_entry_balanced BEFORE INSERT ON journal_entries
WHEN (SELECT COUNT(*) FROM journal_lines WHERE entry_id = NEW.entry_id) < 2
  OR (SELECT COALESCE(SUM(amount_cents), 0) FROM journal_lines WHERE entry_id = NEW.entry_id) <> 0
BEGIN SELECT RAISE(ABORT, 'unbalanced journal entry: debits must equal credits'); END;

CREATE TRIGGER trg_entry_period_open BEFORE INSERT ON journal_entries
WHEN NEW.kind <> 'adjustment' AND EXISTS (
  SELECT 1 FROM period_closes p WHERE p.period = NEW.period AND p.production_id = NEW.production_id)
BEGIN SELECT RAISE(ABORT, 'period closed: only a dated adjustment may post into it'); END;

CREATE TRIGGER trg_line_sealed BEFORE INSERT ON journal_lines
WHEN EXISTS (SELECT 1 FROM journal_entries WHERE entry_id = NEW.entry_id)
BEGIN SELECT RAISE(ABORT, 'journal entry already sealed: lines cannot be added'); END;

CREATE TRIGGER trg_chain_heads_forward BEFORE UPDATE ON chain_heads
WHEN NEW.seq < OLD.seq OR NEW.chain <> OLD.chain
BEGIN SELECT RAISE(ABORT, 'chain head may only move forward'); END;

CREATE TRIGGER trg_chain_heads_no_delete BEFORE DELETE ON chain_heads
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on chain_heads refused'); END;
"""

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION prodlib_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;

CREATE OR REPLACE FUNCTION prodlib_entries_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
  SELECT n.entry_id INTO bad FROM new_entries n
    LEFT JOIN (SELECT l.entry_id, SUM(l.amount_cents) AS s, COUNT(*) AS c
                 FROM journal_lines l WHERE l.entry_id IN (SELECT entry_id FROM new_entries)
                GROUP BY l.entry_id) t ON t.entry_id = n.entry_id
   WHERE t.entry_id IS NULL OR t.s <> 0 OR t.c < 2 LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unbalanced journal entry %: debits must equal credits', bad;
  END IF;
  SELECT n.entry_id INTO bad FROM new_entries n
    JOIN period_closes p ON p.period = n.period AND p.production_id = n.production_id
   WHERE n.kind <> 'adjustment' LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'period closed: entry % (only a dated adjustment may post into it)', bad;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION prodlib_lines_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
  SELECT l.entry_id INTO bad FROM new_lines l JOIN journal_entries e ON e.entry_id = l.entry_id LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'journal entry % already sealed: lines cannot be added', bad;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION prodlib_chain_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq OR NEW.chain <> OLD.chain THEN
    RAISE EXCEPTION 'chain head may only move forward';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER trg_entries_check AFTER INSERT ON journal_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION prodlib_entries_check();
CREATE TRIGGER trg_lines_check AFTER INSERT ON journal_lines
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION prodlib_lines_check();
CREATE TRIGGER trg_chain_heads_forward BEFORE UPDATE OR DELETE ON chain_heads
  FOR EACH ROW EXECUTE FUNCTION prodlib_chain_forward();
"""


def _split(sql: str) -> list[str]:
    """Split on blank lines (statements above are separated by one)."""
    return [p.strip() for p in sql.strip().split("\n\n") if p.strip()]


def _append_only_sql(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER trg_{table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on {table} refused'); END",
            f"CREATE TRIGGER trg_{table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on {table} refused'); END",
        ]
    return [
        f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION prodlib_append_only()",
        f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION prodlib_append_only()",
    ]


def _v2(conn: sa.Connection) -> None:
    """Periods, purchase orders, ETC; the integrity triggers (balance, sealing, closed periods,
    append-only) on every ledger and audit table."""
    for t in s.V2_TABLES:
        t.create(conn)
    dialect = conn.dialect.name
    stmts = _split(_SQLITE_TRIGGERS) if dialect == "sqlite" else _split(_PG_FUNCTIONS)
    for table in [*s.APPEND_ONLY_V2, "schema_version"]:
        stmts += _append_only_sql(dialect, table)
    raw = conn.connection.driver_connection
    for stmt in stmts:
        if dialect == "postgresql":
            raw.execute(stmt)  # straight to psycopg: no placeholder parsing of plpgsql's '%'
        else:
            conn.exec_driver_sql(stmt)


def _v3(conn: sa.Connection) -> None:
    """Estimates (EFC per account, effective-dated) replace etc_entries; one reversal per entry."""
    n = conn.exec_driver_sql("SELECT COUNT(*) FROM etc_entries").scalar()
    if n:
        raise RuntimeError(f"etc_entries holds {n} rows: migrate them to estimates by hand before upgrading")
    conn.exec_driver_sql("DROP TABLE etc_entries")
    for t in s.V3_TABLES:
        t.create(conn)
    for stmt in _append_only_sql(conn.dialect.name, "estimates"):
        conn.exec_driver_sql(stmt)
    conn.exec_driver_sql(
        "CREATE UNIQUE INDEX uq_one_reversal ON journal_entries (reverses_entry_id) "
        "WHERE kind IN ('void', 'reversal')")


_V4_SQLITE = [
    "DROP TRIGGER trg_entry_balanced",
    """CREATE TRIGGER trg_entry_balanced BEFORE INSERT ON journal_entries
WHEN (SELECT COUNT(*) < 2 OR COALESCE(SUM(amount_cents), 0) <> 0 FROM journal_lines WHERE entry_id = NEW.entry_id)
BEGIN SELECT RAISE(ABORT, 'unbalanced journal entry: debits must equal credits'); END""",
]

_V4_PG = [
    "ALTER TABLE journal_lines DROP CONSTRAINT fk_lines_entry",
    """CREATE OR REPLACE FUNCTION prodlib_no_orphan_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
  IF NEW.chain <> 'journal' THEN RETURN NULL; END IF;
  SELECT l.entry_id INTO bad FROM journal_lines l
   WHERE l.entry_id > OLD.seq
     AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.entry_id = l.entry_id) LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'journal lines of entry % have no entry header', bad;
  END IF;
  RETURN NULL;
END $$""",
    """CREATE CONSTRAINT TRIGGER trg_no_orphan_lines AFTER UPDATE ON chain_heads
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION prodlib_no_orphan_lines()""",
]


def _v4(conn: sa.Connection) -> None:
    """Faster bulk posting, same guarantees: one balance subquery instead of two (SQLite); no
    per-line foreign-key check at commit on PostgreSQL, replaced by one deferred check per
    transaction on the chain head that every writer moves (no lines without a header); two indexes
    no query needs (entry date: reads scan; reverses: the unique partial index serves)."""
    raw = conn.connection.driver_connection
    for stmt in ["DROP INDEX IF EXISTS ix_journal_entries_date", "DROP INDEX IF EXISTS ix_journal_entries_reverses"]:
        conn.exec_driver_sql(stmt)
    if conn.dialect.name == "sqlite":
        for stmt in _V4_SQLITE:
            conn.exec_driver_sql(stmt)
    else:
        for stmt in _V4_PG:
            raw.execute(stmt)


#: SQLite trigger -> the guarantee its message names (prodlib.ledger.integrity maps the name).
_V5_SQLITE_TAGS = {
    "trg_entry_balanced": "entry_balanced",
    "trg_entry_period_open": "period_open",
    "trg_line_sealed": "entry_sealed",
    "trg_chain_heads_forward": "chain_forward",
}
_RAISE = re.compile(r"RAISE\(ABORT, '([^']*)'\)")

_V5_PG = [
    """CREATE OR REPLACE FUNCTION prodlib_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'P0001', CONSTRAINT = 'append_only';
END $$""",
    """CREATE OR REPLACE FUNCTION prodlib_entries_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
  SELECT n.entry_id INTO bad FROM new_entries n
    LEFT JOIN (SELECT l.entry_id, SUM(l.amount_cents) AS s, COUNT(*) AS c
                 FROM journal_lines l WHERE l.entry_id IN (SELECT entry_id FROM new_entries)
                GROUP BY l.entry_id) t ON t.entry_id = n.entry_id
   WHERE t.entry_id IS NULL OR t.s <> 0 OR t.c < 2 LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unbalanced journal entry %: debits must equal credits', bad
      USING ERRCODE = 'P0001', CONSTRAINT = 'entry_balanced';
  END IF;
  SELECT n.entry_id INTO bad FROM new_entries n
    JOIN period_closes p ON p.period = n.period AND p.production_id = n.production_id
   WHERE n.kind <> 'adjustment' LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'period closed: entry % (only a dated adjustment may post into it)', bad
      USING ERRCODE = 'P0001', CONSTRAINT = 'period_open';
  END IF;
  RETURN NULL;
END $$""",
    """CREATE OR REPLACE FUNCTION prodlib_lines_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
  SELECT l.entry_id INTO bad FROM new_lines l JOIN journal_entries e ON e.entry_id = l.entry_id LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'journal entry % already sealed: lines cannot be added', bad
      USING ERRCODE = 'P0001', CONSTRAINT = 'entry_sealed';
  END IF;
  RETURN NULL;
END $$""",
    """CREATE OR REPLACE FUNCTION prodlib_chain_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq OR NEW.chain <> OLD.chain THEN
    RAISE EXCEPTION 'chain head may only move forward' USING ERRCODE = 'P0001', CONSTRAINT = 'chain_forward';
  END IF;
  RETURN NEW;
END $$""",
    """CREATE OR REPLACE FUNCTION prodlib_no_orphan_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
  IF NEW.chain <> 'journal' THEN RETURN NULL; END IF;
  SELECT l.entry_id INTO bad FROM journal_lines l
   WHERE l.entry_id > OLD.seq
     AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.entry_id = l.entry_id) LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'journal lines of entry % have no entry header', bad
      USING ERRCODE = 'P0001', CONSTRAINT = 'no_orphan_lines';
  END IF;
  RETURN NULL;
END $$""",
]


def _v5(conn: sa.Connection) -> None:
    """Every integrity trigger names its guarantee, so a refusal maps to its ledger error by name:
    PostgreSQL ``USING CONSTRAINT = '<name>'``; SQLite (a message only) ends the message with
    ``[prodlib:<name>]``. Same checks, same words before the tag."""
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        for stmt in _V5_PG:
            raw.execute(stmt)
        return
    triggers = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all()
    for name, sql in triggers:
        tag = _V5_SQLITE_TAGS.get(name, "append_only" if name.endswith(("_no_update", "_no_delete")) else None)
        if tag is None:
            continue
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
        conn.exec_driver_sql(_RAISE.sub(lambda m, t=tag: f"RAISE(ABORT, '{m[1]} [prodlib:{t}]')", sql))


def _v6(conn: sa.Connection) -> None:
    """Row-level idempotency: ``posted_rows`` (the row key of every posted row, unique per production
    and kind, append-only), ``batches.rows_already_posted`` (rows of a file found already posted), and
    an index on journal entries' document numbers so a file's invoices are looked up, not loaded whole."""
    for t in s.V6_TABLES:
        t.create(conn)
    for stmt in _append_only_sql(conn.dialect.name, "posted_rows"):  # SQLite: tagged as migration 5 tags
        conn.exec_driver_sql(_RAISE.sub(lambda m: f"RAISE(ABORT, '{m[1]} [prodlib:append_only]')", stmt))
    # Migration 1 creates ``batches`` from today's definition, which has the column already.
    if "rows_already_posted" not in {c["name"] for c in sa.inspect(conn).get_columns("batches")}:
        conn.exec_driver_sql("ALTER TABLE batches ADD COLUMN rows_already_posted BIGINT NOT NULL DEFAULT 0")
    conn.exec_driver_sql("CREATE INDEX ix_journal_entries_document ON journal_entries (document_no, party_id)")


def _v7(conn: sa.Connection) -> None:
    """Foreign-currency entries: ``journal_fx`` (currency, original amount, rate per entry), append-only.

    Numbered 7 to apply after migration 6 (batch row keys, written beside it); entries without a
    ``journal_fx`` row keep their canonical form, so every older entry still verifies."""
    for t in s.V7_TABLES:
        t.create(conn)
    for stmt in _append_only_sql(conn.dialect.name, s.APPEND_ONLY_V7[0]):  # SQLite: tagged as migration 5 tags
        conn.exec_driver_sql(_RAISE.sub(lambda m: f"RAISE(ABORT, '{m[1]} [prodlib:append_only]')", stmt))


def _v8(conn: sa.Connection) -> None:
    """The exception queue (prodlib.exceptions): ``exceptions`` (each as opened) and ``exception_events``
    (its every state change), both append-only; current state is the latest event. The quarantine rows
    of an older ledger become open exceptions (sealed by one audit event per production)."""
    for t in s.V8_TABLES:
        t.create(conn)
    for table in s.APPEND_ONLY_V8:  # SQLite: tagged as migration 5 tags
        for stmt in _append_only_sql(conn.dialect.name, table):
            conn.exec_driver_sql(_RAISE.sub(lambda m: f"RAISE(ABORT, '{m[1]} [prodlib:append_only]')", stmt))
    if conn.exec_driver_sql("SELECT COUNT(*) FROM quarantine").scalar():  # a ledger from before the queue
        from prodlib.ledger.exceptions import open_existing_quarantine
        from prodlib.ledger.normalize import stamp, utc_now

        open_existing_quarantine(conn, stamp(utc_now()))
#: Tables whose key migration 10 widens to hold many productions: (table, its new primary key).
_TENANT_KEYS = {
    "budget_versions": ("production_id", "version_id"),
    "budget_lines": ("production_id", "version_id", "line_no"),
    "period_closes": ("production_id", "period"),
}


def _rekey_sqlite(conn: sa.Connection, table: sa.Table, key: tuple[str, ...]) -> None:
    """SQLite cannot change a primary key in place: a copy under the new key replaces the table, and
    its append-only triggers (dropped with it) are made again, tagged as migration 5 tags them."""
    md = sa.MetaData()
    new = sa.Table(f"{table.name}_v10", md, *[
        sa.Column(c.name, c.type, nullable=c.nullable and c.name not in key, primary_key=c.name in key,
                  autoincrement=False) for c in table.columns])
    new.create(conn)
    cols = ", ".join(c.name for c in table.columns)
    conn.exec_driver_sql(f"INSERT INTO {new.name} ({cols}) SELECT {cols} FROM {table.name}")
    conn.exec_driver_sql(f"DROP TABLE {table.name}")  # drops its triggers; fires none
    conn.exec_driver_sql(f"ALTER TABLE {new.name} RENAME TO {table.name}")
    for stmt in _append_only_sql("sqlite", table.name):
        conn.exec_driver_sql(_RAISE.sub(lambda m: f"RAISE(ABORT, '{m[1]} [prodlib:append_only]')", stmt))


def _v10(conn: sa.Connection) -> None:
    """Productions as tenants, and access by role (reserved to the access work, prodlib.access.rls).

    Budget versions and period closes are keyed per production (two productions may both have a
    version ``BV-1`` and both close 2026-03); the access tables; on PostgreSQL the prodlib roles, the
    grants and row-level security on every ledger table."""
    from prodlib.access import rls

    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        for name, key in _TENANT_KEYS.items():
            pkey = conn.exec_driver_sql(f"SELECT conname FROM pg_constraint WHERE conrelid = '{name}'::regclass "
                                        "AND contype = 'p'").scalar_one()
            raw.execute(f"ALTER TABLE {name} DROP CONSTRAINT {pkey}, ADD PRIMARY KEY ({', '.join(key)})")
    else:
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")  # the rename rewrites no other trigger
        try:
            for name, key in _TENANT_KEYS.items():
                _rekey_sqlite(conn, s.metadata.tables[name], key)
        finally:
            conn.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
    rls.apply(conn)
def _v9(conn: sa.Connection) -> None:
    """Emergency overrides (prodlib.overrides): requests, their rows, their hash-chained transitions
    (chain head ``overrides``), routing records and what an execution posted; all append-only."""
    for t in s.V9_TABLES:
        t.create(conn)
    conn.execute(s.chain_heads.insert(), [{"chain": "overrides", "seq": 0, "hash": "0" * 64}])
    for name in s.APPEND_ONLY_V9:  # SQLite: tagged as migration 5 tags
        for stmt in _append_only_sql(conn.dialect.name, name):
            conn.exec_driver_sql(_RAISE.sub(lambda m: f"RAISE(ABORT, '{m[1]} [prodlib:append_only]')", stmt))


def _v11(conn: sa.Connection) -> None:
    """The query log (bondrep): ``query_log``, append-only, its own hash chain ``queries`` in chain_heads."""
    for t in s.V11_TABLES:
        t.create(conn)
    for stmt in _append_only_sql(conn.dialect.name, s.APPEND_ONLY_V11[0]):  # SQLite: tagged as migration 5 tags
        conn.exec_driver_sql(_RAISE.sub(lambda m: f"RAISE(ABORT, '{m[1]} [prodlib:append_only]')", stmt))
    conn.execute(s.chain_heads.insert().values(chain=s.QUERY_CHAIN, seq=0, hash="0" * 64))


def _v12(conn: sa.Connection) -> None:
    """Row-level security on the tables made outside migration 10's lists (rlsgap, issue 11): the
    override tables (9) and the query log (11); the bond representative's exception counts read the
    exception queue. PostgreSQL only (prodlib.access.rls.apply_later)."""
    from prodlib.access import rls

    rls.apply_later(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "journal, lines, batches, quarantine, audit events, budget versions, chain heads", _v1),
    Migration(2, "periods, purchase orders, ETC; append-only, balance and closed-period triggers", _v2),
    Migration(3, "estimates (EFC per account) replace etc_entries; at most one void/reversal per entry", _v3),
    Migration(4, "faster bulk posting: one balance subquery, chain-head orphan check on PostgreSQL, two indexes", _v4),
    Migration(5, "integrity triggers name their guarantee (PostgreSQL constraint name, SQLite message tag)", _v5),
    Migration(6, "row keys of posted rows (unique per production and kind), rows already posted per batch", _v6),
    Migration(7, "journal_fx: a foreign-currency entry's currency, original amount and rate, sealed by its hash", _v7),
    # 8 is exq's (issue 10): the exception queue
    Migration(8, "exception queue: exceptions and their append-only, sealed state-change events", _v8),
    Migration(9, "emergency overrides: requests, rows, hash-chained transitions, routing, postings", _v9),
    Migration(10, "productions as tenants (budget versions, period closes keyed per production); access tables; "
                  "PostgreSQL roles and row-level security", _v10),
    Migration(11, "query_log: every query of a bond representative or an auditor, append-only, hash-chained", _v11),
    Migration(12, "row-level security on the override tables and the query log; the bond representative's "
                  "exception counts read the exception queue", _v12),
]
LATEST = MIGRATIONS[-1].version


def current_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    v = conn.execute(sa.select(sa.func.max(s.schema_version.c.version))).scalar()
    return int(v or 0)


def migrate(engine: sa.Engine, target: int | None = None) -> list[int]:
    """Apply every pending migration up to ``target`` (default: all). Returns the versions applied."""
    target = LATEST if target is None else target
    applied: list[int] = []
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('prodlib-migrate:' || current_schema()))")
        if not sa.inspect(conn).has_table("schema_version"):
            s.schema_version.create(conn)
        have = current_version(conn)
        if have > LATEST:
            raise LedgerError(f"database schema version {have} is newer than this prodlib ({LATEST}): upgrade prodlib")
        for m in MIGRATIONS:
            if have < m.version <= target:
                m.apply(conn)
                conn.execute(s.schema_version.insert().values(
                    version=m.version, description=m.description,
                    applied_at=datetime.now(UTC).isoformat(timespec="microseconds")))
                applied.append(m.version)
    return applied

"""Engines, SQLite settings, write transactions and read-only opening.

A writer's transaction begins ``BEGIN IMMEDIATE`` on SQLite (the write lock up front, no
lock-upgrade deadlock); a reader's is a deferred WAL snapshot that never waits for a writer.
Opening for reading never creates a file and never migrates: a place without a current ledger is a
:class:`~prodlib.errors.DatabaseLocationError` naming the URL (never its password).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from prodlib.errors import DatabaseLocationError, LedgerArgumentError
from prodlib.ledger.integrity import refusals_as_ledger_errors
from prodlib.ledger.migrations import LATEST, current_version


def to_url(url: str | Path) -> str:
    """A URL as given, or a SQLite URL for a plain path."""
    text = str(url)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser().resolve()}"


def render_url(url: str | Path) -> str:
    """The URL for a message: the password hidden."""
    try:
        return sa.engine.make_url(to_url(url)).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable database URL>"


def sqlite_path(url: str | Path) -> Path | None:
    """The file a SQLite URL names (also ``file:`` URIs), or None for another backend."""
    u = sa.engine.make_url(to_url(url))
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    db = u.database
    if db.startswith("file:"):
        db = db.removeprefix("file:").split("?", 1)[0]
    return Path(db)


def _sqlite_readonly_uri(u: sa.engine.URL) -> bool:
    return u.query.get("mode") == "ro"


#: WAL pages between automatic checkpoints (SQLite's default is 1,000, 4 MB): a studio run commits one
#: transaction per file, each dirtying thousands of index pages at random (row keys, document numbers),
#: and at 1,000 pages nearly every commit copied its pages into the database file and synced it. At
#: 32,768 (128 MB of WAL) a page changed by many files is copied once per checkpoint: the write path of
#: the 1M studio run (replayed) took 35.3 s CPU instead of 40.6. Durability is unchanged: a checkpoint
#: only moves committed pages from the WAL into the file; after a crash the WAL is replayed.
WAL_AUTOCHECKPOINT_PAGES = 32_768


def make_engine(url: str | Path, *, readonly: bool = False) -> sa.Engine:
    """Engine with the per-backend settings the ledger relies on.

    ``readonly``: no setting that writes (SQLite's journal mode is the file's own; a ledger's is WAL).
    """
    u = to_url(url)
    parsed = sa.engine.make_url(u)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(u, pool_pre_ping=True)
    if not parsed.database or parsed.database == ":memory:":
        raise LedgerArgumentError("the ledger needs a file (an in-memory SQLite database lives per connection)")
    engine = sa.create_engine(u, connect_args={"timeout": 60})
    readonly = readonly or _sqlite_readonly_uri(parsed)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _rec):  # pragma: no cover - exercised by every SQLite test
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        if not readonly:  # setting WAL is a write; a reader reads the file as it is
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA wal_autocheckpoint = 32768")  # WAL_AUTOCHECKPOINT_PAGES (a literal: no SQL built)
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.execute("PRAGMA cache_size = -131072")  # 128 MB: big batches stay fast
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover
        write = conn.get_execution_options().get("prodlib_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def no_ledger(url: str | Path, why: str = "") -> DatabaseLocationError:
    """The one message for a place without a (current) ledger, its password hidden."""
    return DatabaseLocationError(render_url(url), f"no ledger here{why}; run `prodlib run` first")


def open_readonly_engine(url: str | Path) -> sa.Engine:
    """An engine on an existing, current ledger; creates nothing, migrates nothing.

    Raises DatabaseLocationError for a SQLite file that does not exist, a database without the
    ledger's schema, or a schema older than this prodlib.
    """
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise no_ledger(url)
    engine = make_engine(url, readonly=True)
    try:
        with engine.connect() as conn:
            have = current_version(conn)
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise DatabaseLocationError(render_url(url), f"cannot be opened ({type(exc.orig).__name__})") from None
    if have < LATEST:
        engine.dispose()
        raise no_ledger(url, "" if have == 0 else f" (schema version {have}, this prodlib reads {LATEST})")
    return engine


#: How each database says that it has no room left: SQLite's SQLITE_FULL text, PostgreSQL's SQLSTATE 53100.
DISK_FULL_TEXT, DISK_FULL_SQLSTATE = "database or disk is full", "53100"


def is_disk_full(exc: sa.exc.DBAPIError) -> bool:
    """Whether a driver error says the database's disk (or its quota) is full."""
    return DISK_FULL_TEXT in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == DISK_FULL_SQLSTATE


@contextmanager
def disk_full_as_location_error(engine: sa.Engine) -> Iterator[None]:
    """A full disk, met by a write that has been rolled back, as the one-line exit-2 error it is: the
    place named by the URL cannot take the write (the user frees room and runs again)."""
    try:
        yield
    except sa.exc.OperationalError as exc:
        if not is_disk_full(exc):
            raise
        raise DatabaseLocationError(render_url(engine.url.render_as_string(hide_password=False)),
                                    "the disk is full; nothing of this write was kept") from None


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write transaction, committed when the block ends, rolled back if it raises.

    A refusal by a named database guarantee (at a statement or at commit) is its ledger error; a full
    disk is a :class:`DatabaseLocationError` after the rollback.
    """
    with disk_full_as_location_error(engine), refusals_as_ledger_errors(), \
            engine.connect().execution_options(prodlib_write=True) as conn, conn.begin():
        yield conn

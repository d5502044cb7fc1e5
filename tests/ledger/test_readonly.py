"""Read commands never write: no file created, no migration run; a missing ledger is exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from prodlib.cli import database_url, main
from prodlib.errors import DatabaseLocationError, LedgerError
from prodlib.ledger import Ledger, LedgerView, export_beancount, verify_chain
from prodlib.ledger.connection import make_engine
from prodlib.ledger.migrations import current_version, migrate

from .helpers import postings

READ_COMMANDS = {
    "audit verify": lambda db, out: ["audit", "verify", "--db", db],
    "export beancount": lambda db, out: ["export", "beancount", "--db", db, "--out", str(out / "books.beancount")],
    "report": lambda db, out: ["report", "--db", db, "--out", str(out / "reports")],
}


@pytest.mark.parametrize("command", list(READ_COMMANDS))
def test_each_read_command_on_a_missing_database_exits_2_and_creates_nothing(command, tmp_path, capsys):
    db = tmp_path / "nowhere" / "books.db"  # neither the folder nor the file exists
    out = tmp_path / "out"
    assert main(READ_COMMANDS[command](f"sqlite:///{db}", out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: sqlite:///{db}: no ledger here; run `prodlib run` first"]
    assert not db.parent.exists() and not out.exists()  # no database, no folder, no export, no report


def test_read_commands_default_database_creates_no_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRODLIB_DATABASE_URL", raising=False)
    assert main(["audit", "verify"]) == 2
    assert list(tmp_path.iterdir()) == []  # var/ is not made for a read


def test_readonly_open_of_a_missing_sqlite_file(tmp_path):
    db = tmp_path / "missing.db"
    for open_ in (lambda: Ledger.open(db, readonly=True), lambda: LedgerView.open(db), lambda: verify_chain(db),
                  lambda: export_beancount(db, tmp_path / "x.beancount")):
        with pytest.raises(DatabaseLocationError, match="no ledger here; run `prodlib run` first"):
            open_()
    assert list(tmp_path.iterdir()) == []


def test_readonly_open_of_a_database_without_the_schema(url):
    engine = make_engine(url)
    with engine.begin() as c:  # a database, but not a ledger (SQLite: creates the file first)
        c.exec_driver_sql("CREATE TABLE unrelated (x INTEGER)")
    with pytest.raises(DatabaseLocationError, match="no ledger here"):
        Ledger.open(url, readonly=True)
    with engine.connect() as c:
        assert not sa.inspect(c).has_table("schema_version")  # nothing was created
    engine.dispose()
    if not url.startswith("postgresql"):
        import sqlite3

        con = sqlite3.connect(url)
        # make_engine set WAL when it created the file; a plain file stays "delete" if a reader opens it
        con.execute("PRAGMA journal_mode = DELETE")
        con.close()
        with pytest.raises(DatabaseLocationError):
            LedgerView.open(url)
        con = sqlite3.connect(url)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # the read changed nothing
        con.close()


def test_a_read_open_runs_no_migration(url):
    engine = make_engine(url)
    assert migrate(engine, target=1) == [1]  # a ledger of an older prodlib
    with pytest.raises(DatabaseLocationError, match="schema version 1"):
        Ledger.open(url, readonly=True)
    with pytest.raises(DatabaseLocationError, match="schema version 1"):
        verify_chain(url)
    with engine.connect() as c:
        assert current_version(c) == 1  # still version 1: the reads migrated nothing
    engine.dispose()


def test_a_password_never_appears_in_the_message(pg_url):
    # trust auth ignores the password; the schema of pg_url is empty, so there is no ledger
    with_password = pg_url.replace("postgres@", "postgres:s3cret-pw@")
    with pytest.raises(DatabaseLocationError) as err:
        LedgerView.open(with_password)
    assert "s3cret-pw" not in str(err.value) and "***" in str(err.value) and "no ledger here" in str(err.value)


def test_a_read_only_uri_for_a_writing_command_is_refused():
    with pytest.raises(DatabaseLocationError, match=r"read-only \(mode=ro\); this command writes"):
        database_url("sqlite:///file:/nowhere/x.db?mode=ro&uri=true", write=True)


def test_a_sqlite_uri_is_honoured_not_rewritten(tmp_path):
    path = tmp_path / "books.db"
    led = Ledger.open(path, production_id="TEST-001")
    led.post_batch("acme", "a.csv", "H1", "invoice", postings([("2026-03-02", "2500-02", "AP", "12.00")]), None, 1)
    led.close()
    uri = f"sqlite:///file:{path}?mode=ro&uri=true"
    assert database_url(uri, write=False) == uri
    before = path.read_bytes()
    assert verify_chain(uri).ok
    with LedgerView.open(uri, production_id="TEST-001") as view:
        assert view.batches_frame()["rows_posted"].tolist() == [1]
    with Ledger.open(path, production_id="TEST-001", readonly=True) as led:
        with pytest.raises(LedgerError, match="opened read-only"):
            led.post_entry("2026-03-03", [("2500-02", "1.00"), ("AP", "-1.00")], "a write through a reader")
    assert path.read_bytes() == before


def test_writing_commands_refuse_a_missing_folder_and_a_read_only_file(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "no-such-folder" / "books.db"
    with pytest.raises(DatabaseLocationError, match="does not exist"):
        database_url(f"sqlite:///{missing}")
    assert main(["run", "--input", str(tmp_path), "--db", f"sqlite:///{missing}"]) == 2
    assert capsys.readouterr().err.strip() == f"error: sqlite:///{missing}: the folder {missing.parent} does not exist"
    assert not missing.parent.exists()
    readonly = tmp_path / "ro.db"
    Ledger.open(readonly).close()
    real_access = os.access
    # chmod alone does not stop root; the check is os.access's answer, so ask it as a non-root user would
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == readonly else real_access(p, mode))
    with pytest.raises(DatabaseLocationError, match="the database file is read-only; this command writes"):
        database_url(f"sqlite:///{readonly}")


def test_a_relative_database_path_for_a_read_is_absolute_and_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert database_url("sqlite:///var/x.db", write=False) == f"sqlite:///{Path(tmp_path).resolve()}/var/x.db"
    assert not (tmp_path / "var").exists()

"""The SQLite settings a writer's connection runs with: WAL, synchronous NORMAL, the checkpoint interval."""

from __future__ import annotations

from prodlib.ledger.connection import WAL_AUTOCHECKPOINT_PAGES, make_engine


def test_a_writer_keeps_wal_and_normal_sync_and_checkpoints_every_32768_pages(tmp_path):
    engine = make_engine(tmp_path / "l.db")
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: WAL's durable-at-checkpoint mode
        assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WAL_AUTOCHECKPOINT_PAGES == 32_768
    engine.dispose()

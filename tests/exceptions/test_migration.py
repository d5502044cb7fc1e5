"""A ledger from before the queue (schema 7) keeps nothing outside it: migration 8 opens an exception
for every quarantine row it holds, sealed, and conservation holds over the old history."""

from __future__ import annotations

import pandas as pd

from prodlib.exceptions.conservation import conservation
from prodlib.ledger import Ledger, verify_chain
from prodlib.ledger import batches as batches_module
from prodlib.ledger import exceptions as queue
from prodlib.ledger.connection import make_engine
from prodlib.ledger.migrations import migrate
from prodlib.money import to_money_series


def test_migration_8_opens_the_old_quarantine(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate(engine, target=7)
    old = Ledger(engine)
    monkeypatch.setattr(batches_module.exception_queue, "open_quarantined", lambda *a, **k: {})  # schema 7: no queue
    postings = pd.DataFrame({"entry_date": ["2026-03-02"], "debit_account": ["2500-02"], "credit_account": ["AP"],
                             "amount": to_money_series(["100.00"]), "source_line": [2]})
    bad = pd.DataFrame({"source_line": [3, 4], "row_hash": ["h3", "h4"],
                        "reason": ["MALFORMED_AMOUNT", "UNKNOWN_COST_CODE"], "field": ["amount", "cost_code"],
                        "detail": ["'1x' is not money", "'9999' unknown"],
                        "payload": ['{"Amount":"1x"}', '{"Acct":"9999"}']})
    old.post_batch("acme", "inv/acme.csv", "a" * 64, "invoice", postings, bad, rows_read=3)
    engine.dispose()
    monkeypatch.undo()
    with Ledger.open(url) as led:  # migrates to 8
        with led.engine.connect() as conn:
            x = queue.current_frame(conn, led.production_id)
            c = conservation(conn, led.production_id)
        assert list(x["reason"]) == ["MALFORMED_AMOUNT", "UNKNOWN_COST_CODE"] and set(x["state"]) == {"open"}
        assert list(x["source_line"]) == [3, 4] and list(x["kind"]) == ["ingest", "classification"]
        # read 3 = posted 1 + open 2, none outside the queue
        assert (c.rows_read, c.posted, c.by_state["open"], c.unlinked, c.holds) == (3, 1, 2, 0, True)
        assert verify_chain(led).ok

"""Tampering in every way, around the triggers, is caught by verify_chain naming the first break."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from prodlib.ledger import Ledger, verify_chain
from prodlib.ledger.verify import verify_connection

from .helpers import full_ledger, raw_exec


@pytest.fixture
def full(led):
    full_ledger(led)  # entries 1-5 (batch 1), 6 (batch 2); audit events 1-6
    assert verify_chain(led).ok
    return led


@pytest.fixture(scope="module", params=["sqlite", "pg"])
def shared(request, tmp_path_factory):
    """One full ledger per backend; each tampering runs in a transaction that is rolled back."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("tamper") / "ledger.db")
    else:
        url = request.getfixturevalue("pg_url_module")
    led = Ledger.open(url, production_id="TEST-001")
    full_ledger(led)
    assert verify_chain(led).ok
    yield led
    led.close()


def tamper_and_verify(led, statements):
    """Triggers off (dropped on SQLite, replica role on PostgreSQL) inside one transaction, verify, roll back."""
    with led.engine.connect() as conn:
        tx = conn.begin()
        try:
            if led.dialect == "sqlite":
                for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").all():
                    conn.exec_driver_sql(f"DROP TRIGGER {name}")
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            else:
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for st in statements:
                conn.exec_driver_sql(st)
            return verify_connection(conn)
        finally:
            tx.rollback()


def _swap_ids(a: int, b: int) -> list[str]:
    out = []
    for t in ("journal_lines", "journal_entries"):
        out += [f"UPDATE {t} SET entry_id = -1 WHERE entry_id = {a}",
                f"UPDATE {t} SET entry_id = {a} WHERE entry_id = {b}",
                f"UPDATE {t} SET entry_id = {b} WHERE entry_id = -1"]
    return out


CASES = {
    "edit an amount (both sides, still balanced)": (
        ["UPDATE journal_lines SET amount_cents = CASE WHEN amount_cents > 0 THEN amount_cents + 100 "
         "ELSE amount_cents - 100 END WHERE entry_id = 3"], "journal entry 3"),
    "edit one side of an amount": (["UPDATE journal_lines SET amount_cents = 1 WHERE entry_id = 2 AND line_no = 1"],
                                   "journal entry 2"),
    "edit an account": (["UPDATE journal_lines SET account = '9999-99' WHERE entry_id = 4 AND line_no = 1"],
                        "journal entry 4"),
    "edit a date": (["UPDATE journal_entries SET entry_date = '2026-02-12' WHERE entry_id = 2"], "journal entry 2"),
    "edit a description": (["UPDATE journal_entries SET description = 'innocent' WHERE entry_id = 5"],
                           "journal entry 5"),
    "edit a hash": ([f"UPDATE journal_entries SET entry_hash = '{'a' * 64}' WHERE entry_id = 3"], "journal entry 3"),
    "cut a link": ([f"UPDATE journal_entries SET prev_hash = '{'b' * 64}' WHERE entry_id = 4"], "journal entry 4"),
    "delete a row": (["DELETE FROM journal_lines WHERE entry_id = 3", "DELETE FROM journal_entries WHERE entry_id = 3"],
                     "journal entry 3"),
    "delete only the header": (["DELETE FROM journal_entries WHERE entry_id = 2"], "journal entry 2"),
    "delete the last entry": (["DELETE FROM journal_lines WHERE entry_id = 6",
                               "DELETE FROM journal_entries WHERE entry_id = 6"], "journal entry 6"),
    "reorder two entries": (_swap_ids(2, 3), "journal entry 2"),
    "insert a forged entry": (
        ["INSERT INTO journal_lines (entry_id, line_no, production_id, account, amount_cents) VALUES "
         "(7, 1, 'TEST-001', 'CASH', 100000)",
         "INSERT INTO journal_lines (entry_id, line_no, production_id, account, amount_cents) VALUES "
         "(7, 2, 'TEST-001', '2500-02', -100000)",
         "INSERT INTO journal_entries (entry_id, production_id, entry_date, period, kind, recorded_at, prev_hash, "
         f"entry_hash) VALUES (7, 'TEST-001', '2026-03-11', '2026-03', 'general', 'x', '{'0' * 64}', '{'1' * 64}')"],
        "journal entry 7"),
    "edit a quarantined row": (["UPDATE quarantine SET detail = 'nothing to see' WHERE source_line = 7"],
                               "audit event 1"),
    "edit a batch count": (["UPDATE batches SET rows_quarantined = 0, rows_read = 5 WHERE batch_id = 1"],
                           "audit event 1"),
    "edit a locked budget line": (["UPDATE budget_lines SET amount_cents = 1 WHERE line_no = 2"], "audit event 3"),
    "edit a purchase order": (["UPDATE purchase_orders SET status = 'approved' WHERE po_number = 'PO-3'"],
                              "audit event 4"),
    "edit an estimate": (["UPDATE estimates SET efc_cents = 1"], "audit event 5"),
    "delete a period close": (["DELETE FROM period_closes"], "audit event 6"),
    "edit an audit event": (["UPDATE audit_events SET payload = replace(payload, 'Accountant', 'Someone') "
                             "WHERE event_id = 5"], "audit event 5"),
    "delete an audit event": (["DELETE FROM audit_events WHERE event_id = 2"], "audit event 2"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_caught(shared, case):
    statements, first = CASES[case]
    res = tamper_and_verify(shared, statements)
    assert not res.ok
    assert res.first_broken == first, res.message
    assert first in res.message
    assert verify_chain(shared).ok  # rolled back: the shared ledger is intact for the next case


def test_committed_tampering_is_caught(full):
    """The same, committed for real (triggers dropped / bypassed), seen by a fresh connection."""
    raw_exec(full, ["UPDATE journal_lines SET amount_cents = amount_cents + 1 WHERE entry_id = 2 AND line_no = 1",
                    "UPDATE journal_lines SET amount_cents = amount_cents - 1 WHERE entry_id = 2 AND line_no = 2"])
    res = verify_chain(full)
    assert not res.ok and res.first_broken == "journal entry 2"


def test_a_correctly_hashed_forgery_is_caught_by_the_chain_head(full):
    """An attacker who knows the algorithm appends entry 7 with a valid hash; the head still says 6."""
    e = full.entries_frame()
    prev = e["entry_hash"].iloc[-1]
    content = {"author": None, "batch": None, "date": "2026-03-11", "desc": "forged", "doc": None, "id": 7,
               "kind": "general", "line": None, "lines": [["2500-02", "1000.00"], ["CASH", "-1000.00"]],
               "party": None, "po": None, "prev": prev, "production": "TEST-001", "reason": None, "reverses": None,
               "row_hash": None, "source": None}
    h = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    raw_exec(full, [
        "INSERT INTO journal_lines (entry_id, line_no, production_id, account, amount_cents) VALUES "
        "(7, 1, 'TEST-001', '2500-02', 100000)",
        "INSERT INTO journal_lines (entry_id, line_no, production_id, account, amount_cents) VALUES "
        "(7, 2, 'TEST-001', 'CASH', -100000)",
        "INSERT INTO journal_entries (entry_id, production_id, entry_date, period, kind, description, recorded_at, "
        f"prev_hash, entry_hash) VALUES (7, 'TEST-001', '2026-03-11', '2026-03', 'general', 'forged', 'x', "
        f"'{prev}', '{h}')"])
    res = verify_chain(full)
    assert not res.ok and res.first_broken == "journal entry 7" and "chain head" in res.message


def test_verify_by_url_and_result_text(full, url):
    res = verify_chain(url)
    assert res.ok and str(res).startswith("ok: 6 journal entries and 6 audit events")
    raw_exec(full, ["UPDATE journal_lines SET amount_cents = amount_cents * 2 WHERE entry_id = 1"])
    res = verify_chain(url)
    assert not res.ok and "journal entry 1" in str(res)
    assert isinstance(pd.Series(res.problems).tolist(), list) and len(res.problems) >= 1

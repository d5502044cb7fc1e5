"""Every override transition is hash-chained and sealed in the audit chain: `audit verify` covers
it and names a transition edited in SQL."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from prodlib.ledger import verify_chain
from tests.ledger.helpers import raw_exec

from .scenario import CRANE


def _approved_and_executed(night) -> int:
    oid = night.request([CRANE], "1250.00").override_id
    night.approve(oid, "pat")
    night.approve(oid, "lee")
    night.execute(oid)
    return oid


def _rows(night, sql: str) -> list[sqlite3.Row]:
    con = sqlite3.connect(night.led.engine.url.database)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_each_transition_hashes_its_payload_and_the_previous_hash(night) -> None:
    _approved_and_executed(night)
    rows = _rows(night, "SELECT * FROM override_transitions ORDER BY transition_id")
    assert [r["event"] for r in rows] == ["request", "approve", "approve", "execute"]
    prev = "0" * 64  # the first transition links to the genesis hash
    for r in rows:
        # SHA-256 over the sorted-key, no-space JSON of the transition's fields, the payload as its
        # stored canonical text, and the previous transition's hash
        record = {"transition_id": r["transition_id"], "production_id": r["production_id"],
                  "override_id": r["override_id"], "event": r["event"], "from_state": r["from_state"],
                  "to_state": r["to_state"], "actor": r["actor"], "at": r["at"], "payload": r["payload"],
                  "prev_hash": prev}
        text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert r["prev_hash"] == prev
        assert r["transition_hash"] == hashlib.sha256(text.encode()).hexdigest()
        prev = r["transition_hash"]
    head = _rows(night, "SELECT seq, hash FROM chain_heads WHERE chain = 'overrides'")[0]
    assert (head["seq"], head["hash"]) == (4, prev)


def test_each_transition_is_an_audit_event_and_verify_covers_it(night) -> None:
    _approved_and_executed(night)
    events = _rows(night, "SELECT event_type, payload FROM audit_events ORDER BY event_id")
    sealed = [json.loads(e["payload"])["transition_id"] for e in events if e["event_type"] == "override_transition"]
    assert sealed == [1, 2, 3, 4]
    result = verify_chain(night.db)
    # journal: INV-1 (the run) + INV-2 (the override); audit: the run's batch, 4 transitions, the
    # override's batch, and the queue's record of the crane's exception released
    assert result.ok and (result.entries_checked, result.events_checked) == (2, 7)


@pytest.mark.parametrize(("sql", "named"), [
    ("UPDATE override_transitions SET actor = 'kim' WHERE transition_id = 3",
     "override 1 transition 3 (approve): content does not match its hash"),
    ("UPDATE override_transitions SET at = '2026-04-21T09:30:00+00:00' WHERE transition_id = 4",
     "override 1 transition 4 (execute): content does not match its hash"),
    ("UPDATE override_requests SET amount_cents = 12500000 WHERE override_id = 1",
     "override 1 transition 1 (request): the override's request differs from the one sealed"),
    ("DELETE FROM override_rows WHERE q_id = 1",
     "override 1 transition 1 (request): the override's quarantined rows differ"),
    ("DELETE FROM override_routing WHERE routing_id = 3",
     "override 1 transition 2 (approve): its routing records differ"),
    ("DELETE FROM override_transitions WHERE transition_id = 2",
     "override transition 2 sealed by this event is missing"),
    ("UPDATE override_postings SET entry_id = 1",
     "override 1 transition 4 (execute): the rows the execution posted differ"),
])
def test_a_transition_edited_in_sql_is_named(night, sql, named) -> None:
    _approved_and_executed(night)
    raw_exec(night.led, [sql])
    result = verify_chain(night.db)
    assert not result.ok
    assert named in result.message


def test_a_transition_rehashed_after_an_edit_breaks_the_next_link(night) -> None:
    # An attacker edits transition 2's actor AND recomputes its hash: transition 3 no longer links to
    # it, and the audit event still seals the old hash.
    _approved_and_executed(night)
    r = _rows(night, "SELECT * FROM override_transitions WHERE transition_id = 2")[0]
    record = {k: r[k] for k in ("transition_id", "production_id", "override_id", "event", "from_state", "to_state",
                                "at", "payload", "prev_hash")} | {"actor": "uma"}
    forged = hashlib.sha256(json.dumps(record, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    raw_exec(night.led, [f"UPDATE override_transitions SET actor = 'uma', transition_hash = '{forged}' "
                         "WHERE transition_id = 2"])
    assert "override 1 transition 2 (approve): content does not match its hash" in verify_chain(night.db).message


def test_the_tables_are_append_only(night) -> None:
    from prodlib.errors import AppendOnlyError

    _approved_and_executed(night)
    from prodlib.ledger.schema import APPEND_ONLY_V9

    assert APPEND_ONLY_V9 == ["override_requests", "override_rows", "override_transitions", "override_routing",
                              "override_postings"]
    for table in APPEND_ONLY_V9:
        with pytest.raises(AppendOnlyError), night.led.transaction() as c:
            c.exec_driver_sql(f"DELETE FROM {table}")

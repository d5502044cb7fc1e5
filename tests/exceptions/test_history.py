"""Every state change is an event of the ledger's audit chain: who, when, why; tampering is named."""

from __future__ import annotations

import json

import pytest

from prodlib.ledger import Ledger, seals, verify_chain
from prodlib.ledger import exceptions as queue

from ..ledger.test_tamper import tamper_and_verify


def _worked(url: str) -> Ledger:
    """Exception 2 assigned to Ana by Bo (event 3, audit event 4), then written off by Ana (event 4,
    audit event 5)."""
    led = Ledger.open(url)
    with led.transaction() as conn:
        queue.change(conn, led.scope, [2], "assign", actor="Bo", why="yours, Ana", assignee="Ana")
    with led.transaction() as conn:
        queue.change(conn, led.scope, [2], "write_off", actor="Ana", why="the vendor withdrew the invoice")
    return led


def test_history_is_events_in_the_audit_chain(any_books) -> None:
    _, url = any_books
    led = _worked(url)
    with led.engine.connect() as conn:
        ev = queue.events_frame(conn, led.production_id, 2)
        audit = conn.exec_driver_sql("SELECT event_type, payload FROM audit_events ORDER BY event_id").all()
    assert list(ev["action"]) == ["open", "assign", "write_off"]
    assert list(ev["state"]) == ["open", "in_review", "written_off"]
    assert list(ev["actor"]) == ["prodlib run", "Bo", "Ana"]
    assert ev["why"].iloc[2] == "the vendor withdrew the invoice"
    assert ev["recorded_at"].notna().all()  # when: beside the seal, as every ledger time
    assert list(ev["assignee"]) == [None, "Ana", "Ana"]  # the assignee in force after each event
    # The PO batch (its PO versions, then the batch: audit events 1-2), the invoice batch (3) sealing its
    # two exceptions and their open events 1-2, then one exceptions_recorded per command (4 and 5).
    types = [t for t, _ in audit]
    assert types == ["purchase_orders_recorded", "batch_posted", "batch_posted", "exceptions_recorded",
                     "exceptions_recorded"]
    opened = json.loads(audit[2][1])["exceptions"]
    assert (opened["first_exception"], opened["last_exception"], opened["first_event"], opened["last_event"]) == \
        (1, 2, 1, 2)
    last = json.loads(audit[4][1])
    assert (last["first_exception"], last["first_event"], last["last_event"], last["actor"]) == (None, 4, 4, "Ana")
    assert verify_chain(led).ok
    led.close()


@pytest.fixture(scope="module", params=["sqlite", "pg"])
def worked(request, tmp_path_factory):
    from prodlib.pipeline import run

    from .files import write_inputs

    tmp = tmp_path_factory.mktemp("hist")
    root = write_inputs(tmp / "in")
    url = f"sqlite:///{tmp / 'books.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url_module")
    run(root, url)
    led = _worked(url)
    assert verify_chain(led).ok
    yield led
    led.close()


CASES = {
    # an event's state rewritten: the event is named, by id and exception
    "a written-off exception put back to open": (
        ["UPDATE exception_events SET state = 'open' WHERE event_id = 4"],
        "audit event 5", "exception event 4 (of exception 2): its content differs from its seal"),
    # who acted, rewritten
    "the actor of an assignment changed": (
        ["UPDATE exception_events SET actor = 'Mallory' WHERE event_id = 3"],
        "audit event 4", "exception event 3 (of exception 2): its content differs"),
    # an amount at stake lowered: the exception row is named (sealed by the invoice batch, audit event 3)
    "the amount at stake of exception 2 lowered": (
        ["UPDATE exceptions SET amount_cents = 100 WHERE exception_id = 2"],
        "audit event 3", "exception 2: its content differs from its seal"),
    # a row and its seal rewritten together (a forger who knows the builder): the audit event's digest
    # of the seals still names the range (statement filled in by the test)
    "a row and its seal rewritten": (None, "audit event 5", "seals differ from those sealed"),
    # the write-off deleted: the event is missing
    "the write-off deleted": (
        ["DELETE FROM exception_events WHERE event_id = 4"],
        "audit event 5", "exception events 4-4: 1 missing"),
    # an event appended around the API (no audit event seals it)
    "an event appended around the API": (
        ["INSERT INTO exception_events (event_id, production_id, exception_id, action, state, reason, actor, why, "
         "recorded_at, seal) VALUES (5, 'REEXPORT-1', 1, 'write_off', 'written_off', 'MALFORMED_AMOUNT', 'Mallory', "
         "'gone', '2026-01-01', 'x')"],
        "audit event 6", "exception event 5: written without an audit event"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_with_the_queue_is_named(worked, case: str) -> None:
    statements, first, text = CASES[case]
    if statements is None:
        with worked.engine.connect() as conn:
            row = dict(conn.exec_driver_sql("SELECT * FROM exception_events WHERE event_id = 4").mappings().one())
        row["why"] = "written off on the producer's word"
        forged = seals.exception_seal(row, seals.EXCEPTION_EVENT_FIELDS)
        statements = [f"UPDATE exception_events SET why = '{row['why'].replace(chr(39), chr(39) * 2)}', "
                      f"seal = '{forged}' WHERE event_id = 4"]
    res = tamper_and_verify(worked, statements)
    assert not res.ok
    assert res.first_broken == first, res.message
    assert text in res.message, res.message

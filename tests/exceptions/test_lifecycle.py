"""The lifecycle: every state x every action, legal or refused, on the table and on a real ledger."""

from __future__ import annotations

import pytest

from prodlib.errors import QueueError
from prodlib.exceptions.lifecycle import ACTIONS, STATES, TRANSITIONS, next_state, quarantine_kind, roles_for
from prodlib.ledger import Ledger
from prodlib.ledger import exceptions as queue
from prodlib.reasons import Reason

# Written out by hand from issue 10 (not read from TRANSITIONS): a waiting exception (open or in review)
# may be assigned (-> in_review), corrected, written off, released or superseded; a failed correction
# leaves it where it was; the four closed states are final.
LEGAL = {
    ("open", "assign"): "in_review", ("in_review", "assign"): "in_review",
    ("open", "correct"): "corrected", ("in_review", "correct"): "corrected",
    ("open", "correction_failed"): "open", ("in_review", "correction_failed"): "in_review",
    ("open", "write_off"): "written_off", ("in_review", "write_off"): "written_off",
    ("open", "release"): "released", ("in_review", "release"): "released",
    ("open", "supersede"): "superseded", ("in_review", "supersede"): "superseded",
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", [a for a in ACTIONS if a != "open"])
def test_every_state_and_action(state: str, action: str) -> None:
    if (state, action) in LEGAL:
        assert next_state(7, state, action) == LEGAL[(state, action)]
    else:
        with pytest.raises(QueueError, match=f"exception 7 is {state}: it cannot be"):
            next_state(7, state, action)


def test_the_table_is_exactly_the_issue_s_lifecycle() -> None:
    assert {k: v for k, v in TRANSITIONS.items() if k[0] is not None} == LEGAL
    assert TRANSITIONS[(None, "open")] == "open"
    with pytest.raises(QueueError):
        next_state(1, "open", "open")  # opened once


def test_kinds_and_roles_are_data() -> None:
    assert quarantine_kind(Reason.MALFORMED_AMOUNT) == "ingest"
    assert quarantine_kind(Reason.UNKNOWN_COST_CODE) == "classification"
    assert quarantine_kind(Reason.BELOW_SCALE) == "guild"
    assert quarantine_kind(Reason.SCHEMA_VIOLATION) == "validation"  # listed under no kind
    assert roles_for("payroll") == ("payroll_processor", "production_accountant")
    assert roles_for("some_new_kind") == ("production_accountant",)


def _to_state(led: Ledger, xid: int, state: str) -> None:
    """Bring exception ``xid`` (open) into ``state`` through the queue's own writers."""
    steps = {"open": [], "in_review": ["assign"], "written_off": ["write_off"], "released": ["release"],
             "superseded": ["supersede"], "corrected": ["correct"]}[state]
    with led.transaction() as conn:
        for action in steps:
            if action == "release":
                queue.release(conn, led.scope, [xid], "OVR-1", "Lee", "override OVR-1 executed")
            else:
                queue.change(conn, led.scope, [xid], action, actor="Ana", why=f"test: {action}", assignee="Ana")


@pytest.mark.parametrize("state", STATES)
def test_on_the_ledger_only_legal_changes_are_written(any_books, state: str) -> None:
    _, url = any_books
    led = Ledger.open(url)
    try:
        _to_state(led, 2, state)
        for action in ("assign", "write_off", "release", "supersede", "correction_failed"):
            with led.engine.connect() as conn:
                before = len(queue.events_frame(conn, led.production_id, 2))
            legal = (state, action) in LEGAL
            try:
                with led.transaction() as conn:
                    if action == "release":
                        queue.release(conn, led.scope, [2], "OVR-2", "Lee", "why")
                    else:
                        queue.change(conn, led.scope, [2], action, actor="Bo", why="why", assignee="Bo")
                    raise RuntimeError("roll back")  # probe only: keep exception 2 in ``state``
            except QueueError as exc:
                assert not legal and f"exception 2 is {state}" in str(exc)
            except RuntimeError:
                assert legal
            with led.engine.connect() as conn:
                assert len(queue.events_frame(conn, led.production_id, 2)) == before
                assert queue.one(conn, led.production_id, 2)["state"] == state
    finally:
        led.close()


def test_one_illegal_change_refuses_the_whole_call(books) -> None:
    _, url = books
    led = Ledger.open(url)
    with led.transaction() as conn:
        queue.change(conn, led.scope, [1], "write_off", actor="Ana", why="vendor will re-bill")
    with pytest.raises(QueueError, match="exception 1 is written_off"), led.transaction() as conn:
        queue.change(conn, led.scope, [2, 1], "assign", actor="Ana", why="take both", assignee="Ana")
    with led.engine.connect() as conn:
        assert queue.one(conn, led.production_id, 2)["state"] == "open"  # 2 was not assigned either
    with pytest.raises(QueueError, match="no exception 99"), led.transaction() as conn:
        queue.change(conn, led.scope, [99], "assign", actor="Ana", why="x", assignee="Ana")
    with pytest.raises(QueueError, match="who acts"), led.transaction() as conn:
        queue.change(conn, led.scope, [2], "assign", actor=" ", why="x", assignee="Ana")
    with pytest.raises(QueueError, match="reason is required"), led.transaction() as conn:
        queue.change(conn, led.scope, [2], "write_off", actor="Ana", why="")
    with pytest.raises(QueueError, match="names the override"), led.transaction() as conn:
        queue.release(conn, led.scope, [2], "", "Ana", "why")
    led.close()

"""Every state x every event, against the table of issue 11 as written there (not our table):

    requested -> approved -> executed -> audited; plus rejected, withdrawn, expired (an approved
    override not executed within its window).

Worked out by hand from that sentence: a request can be approved, rejected or withdrawn; an approved
override can be executed, can expire, and can still be withdrawn before it runs; an executed one can
only be audited; audited, rejected, withdrawn and expired are final. Nothing else is allowed.
"""

from __future__ import annotations

import pytest

from prodlib.errors import IllegalTransitionError
from prodlib.overrides.machine import EVENTS, STATES, next_state

from .conftest import make_night
from .scenario import hours, out_of_window

ALLOWED = {
    (None, "request"): "requested",
    ("requested", "approve"): "approved",
    ("requested", "reject"): "rejected",
    ("requested", "withdraw"): "withdrawn",
    ("approved", "execute"): "executed",
    ("approved", "expire"): "expired",
    ("approved", "withdraw"): "withdrawn",
    ("executed", "audit"): "audited",
}
ALL_STATES = ["requested", "approved", "executed", "audited", "rejected", "withdrawn", "expired"]
ALL_EVENTS = ["request", "approve", "reject", "withdraw", "execute", "audit", "expire"]


def test_the_vocabulary_is_the_issue_s() -> None:
    assert sorted(STATES) == sorted(ALL_STATES)
    assert sorted(EVENTS) == sorted(ALL_EVENTS)


@pytest.mark.parametrize("state", [None, *ALL_STATES])
@pytest.mark.parametrize("event", ALL_EVENTS)
def test_every_state_and_event_of_the_table(state, event) -> None:
    expected = ALLOWED.get((state, event))
    if expected is None:
        with pytest.raises(IllegalTransitionError, match=f"{event} is not allowed"):
            next_state(state, event)
    else:
        assert next_state(state, event) == expected


def test_an_unknown_event_or_state_is_refused() -> None:
    with pytest.raises(IllegalTransitionError):
        next_state("requested", "approve_quickly")
    with pytest.raises(IllegalTransitionError):
        next_state("pending", "approve")


# --- the same table through the ledger: an override brought into each state, then every event ----


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """Night Shift with 49 more out-of-window invoices (10.00 each): one fresh override per case."""
    from .scenario import ROWS

    n = make_night(tmp_path_factory.mktemp("many"), ROWS + out_of_window(49))
    yield n
    n.led.close()


_next_row = iter(range(4, 4 + 49))  # q_ids 4.. are the 10.00 rows (1-3 are the scenario's)


def _into(n, state: str) -> int:
    """A new override over one 10.00 row, brought into ``state`` by the legal path."""
    oid = n.request([next(_next_row)], "10.00").override_id
    if state == "requested":
        return oid
    if state in ("rejected", "withdrawn"):
        (n.reject if state == "rejected" else n.withdraw)(oid)
        return oid
    n.approve(oid, "pat")
    n.approve(oid, "lee")  # hours(1): the window closes at hours(49)
    if state == "expired":
        n.expire(oid, hours(50))
    elif state in ("executed", "audited"):
        n.execute(oid)
        if state == "audited":
            n.audit(oid)
    return oid


def _fire(n, oid: int, event: str, state: str):
    if event == "approve":
        # the approver the override still needs (its first approval for a request), so that a
        # refusal can only come from the table
        return n.approve(oid, "lee" if state != "requested" else "pat")
    if event == "reject":
        return n.reject(oid)
    if event == "withdraw":
        return n.withdraw(oid)
    if event == "execute":
        return n.execute(oid)
    if event == "audit":
        return n.audit(oid)
    return n.expire(oid, hours(60))


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("event", [e for e in ALL_EVENTS if e != "request"])
def test_every_state_and_event_in_the_ledger(many, state, event) -> None:
    oid = _into(many, state)
    assert many.load(oid).state == state
    before = many.scalar("SELECT COUNT(*) FROM override_transitions")
    expected = ALLOWED.get((state, event))
    if expected is None:
        with pytest.raises(IllegalTransitionError):
            _fire(many, oid, event, state)
        assert many.scalar("SELECT COUNT(*) FROM override_transitions") == before  # a refusal writes nothing
        assert many.load(oid).state == state
    else:
        got = _fire(many, oid, event, state)
        # one approval of two keeps a request requested: the table's move needs the quorum
        assert got.state == ("requested" if event == "approve" else expected)
        if event == "approve":
            assert many.approve(oid, "lee").state == "approved"

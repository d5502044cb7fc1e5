"""The override lifecycle as a table: ``(state, event) -> state``, nothing else decides a move.

    requested --approve--> approved --execute--> executed --audit--> audited
        |   \\--reject--> rejected       |  \\--expire--> expired   (approved, not executed in its window)
        \\--withdraw--> withdrawn  <------/ (withdraw)

``approve`` records one approval; the override moves to ``approved`` only when the approvals make
the quorum (:mod:`prodlib.overrides.policy`): until then the event keeps it ``requested``. Every pair
not in :data:`TRANSITIONS` is an :class:`~prodlib.errors.IllegalTransitionError`.
"""

from __future__ import annotations

from prodlib.errors import IllegalTransitionError

#: Every state an override can be in; the last four are final.
STATES = ("requested", "approved", "executed", "audited", "rejected", "withdrawn", "expired")
#: Every event; ``request`` creates the override (from no state).
EVENTS = ("request", "approve", "reject", "withdraw", "execute", "audit", "expire")
#: Before the first event an override has no state.
NEW = None

#: THE transition table. Read as: in state (left), event (middle) moves to state (right).
TRANSITIONS: dict[tuple[str | None, str], str] = {
    (NEW, "request"): "requested",
    ("requested", "approve"): "approved",  # once the quorum is complete; until then it stays requested
    ("requested", "reject"): "rejected",
    ("requested", "withdraw"): "withdrawn",
    ("approved", "execute"): "executed",
    ("approved", "expire"): "expired",
    ("approved", "withdraw"): "withdrawn",
    ("executed", "audit"): "audited",
}

FINAL = tuple(s for s in STATES if not any(st == s for st, _ in TRANSITIONS))


def next_state(state: str | None, event: str) -> str:
    """The state ``event`` moves an override in ``state`` to; IllegalTransitionError if the table has no such move."""
    if event not in EVENTS:
        raise IllegalTransitionError(f"{event!r} is not an override event (one of {', '.join(EVENTS)})")
    if state is not NEW and state not in STATES:
        raise IllegalTransitionError(f"{state!r} is not an override state")
    to = TRANSITIONS.get((state, event))
    if to is None:
        where = "a new override" if state is NEW else f"an override {state}"
        allowed = sorted(e for s, e in TRANSITIONS if s == state)
        raise IllegalTransitionError(f"{event} is not allowed on {where} (allowed: {', '.join(allowed) or 'nothing'})")
    return to

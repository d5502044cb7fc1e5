"""Emergency overrides (issue 11): a controlled, audited way around one rule for quarantined rows.

``machine`` (the transition table), ``policy`` (approvers, roles, justifications), ``store`` (the
hash-chained transitions in the ledger, routing), ``execute`` (posting the released rows).
"""

from prodlib.overrides.machine import EVENTS, STATES, TRANSITIONS, next_state

__all__ = ["EVENTS", "STATES", "TRANSITIONS", "next_state"]

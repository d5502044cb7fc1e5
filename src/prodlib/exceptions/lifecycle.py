"""The exception lifecycle as data: states, the actions a person (or the night) takes, and the one
table of legal transitions; the kind of a quarantined row and the roles that may act, from
``data/exceptions.yaml``.

```
            assign (in_review), correction_failed (stays, with the new reason)
open ──────────────┬──────────────> in_review
  │                │                   │
  └─ correct ──────┴─> corrected       │   (the same four exits from in_review)
  └─ write_off ────┴─> written_off <───┤
  └─ release ──────┴─> released <──────┤   (an executed override: prodlib.overrides)
  └─ supersede ────┴─> superseded <────┘   (a finding no longer found; a row posted otherwise)
```

The four closed states are final: nothing leaves them (a finding found again after it was superseded
opens a new exception; a written-off or released finding found again stays decided).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from prodlib.config import Strict, load_model
from prodlib.errors import QueueError
from prodlib.reasons import Reason
from prodlib.resources import package_folder

#: Every state (the BRIEF's shared vocabulary), in lifecycle order.
STATES = ("open", "in_review", "corrected", "released", "written_off", "superseded")
#: States an exception is still waiting for a person in.
WAITING = ("open", "in_review")
#: States that close an exception: a recorded decision (or the night's finding no longer found).
CLOSED = ("corrected", "released", "written_off", "superseded")
#: Every action an event records.
ACTIONS = ("open", "assign", "correct", "correction_failed", "write_off", "release", "supersede")

#: (state before, action) -> state after; a pair not here is an illegal change. ``None``: not yet opened.
TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, "open"): "open",
    **{(s, "assign"): "in_review" for s in WAITING},
    **{(s, "correct"): "corrected" for s in WAITING},
    **{(s, "correction_failed"): s for s in WAITING},  # stays where it was, with the new reason
    **{(s, "write_off"): "written_off" for s in WAITING},
    **{(s, "release"): "released" for s in WAITING},
    **{(s, "supersede"): "superseded" for s in WAITING},
}

#: Input kinds whose quarantined row a correction can post on its own (payroll is priced with its
#: fringes and timecards, a budget is one locked version: both are corrected at the source and re-run).
CORRECTABLE_KINDS = ("invoice", "petty_cash", "purchase_order", "timecard", "bank", "check_register")


def next_state(exception_id: int, state: str | None, action: str) -> str:
    """The state after ``action``; :class:`QueueError` (exit 2, one line) if the change is illegal."""
    after = TRANSITIONS.get((state, action))
    if after is None:
        legal = sorted(a for (s, a) in TRANSITIONS if s == state)
        raise QueueError(f"exception {exception_id} is {state}: it cannot be {_past(action)}"
                         + (f" (it can be: {', '.join(legal)})" if legal else " (a closed exception is final)"))
    return after


def _past(action: str) -> str:
    return {"assign": "assigned", "correct": "corrected", "correction_failed": "corrected",
            "write_off": "written off", "release": "released", "supersede": "superseded",
            "open": "opened"}.get(action, action)


class ExceptionRules(Strict):
    """``data/exceptions.yaml``.

    Attributes:
      source: where the convention comes from.
      verified: False: a sample convention, not a production's rule.
      quarantine_kinds: exception kind -> the reason codes it holds (any other reason: "validation").
      roles: input kind or finding kind -> the role ids that may act ("default" for the rest).
    """

    source: str
    verified: bool
    quarantine_kinds: dict[str, tuple[Reason, ...]]
    roles: dict[str, tuple[Literal["production_accountant", "payroll_processor", "department_head",
                                   "line_producer", "upm", "studio_executive", "bond_rep", "auditor"], ...]]


@lru_cache(maxsize=1)
def exception_rules() -> ExceptionRules:
    return load_model(package_folder("data") / "exceptions.yaml", ExceptionRules)[0]


def quarantine_kind(reason: str) -> str:
    """The exception kind of a row quarantined with ``reason``."""
    for kind, reasons in exception_rules().quarantine_kinds.items():
        if reason in reasons:
            return kind
    return "validation"


def roles_for(kind: str) -> tuple[str, ...]:
    """The roles that may act on an exception of an input kind or finding kind."""
    roles = exception_rules().roles
    return tuple(roles.get(kind, roles["default"]))

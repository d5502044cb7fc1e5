"""The exception queue's storage: exceptions as opened, their state-change events, the sealed writes.

Append-only, like every ledger table: an exception row is written once, when it is opened (a
quarantined row when its batch posts, in that transaction; a finding when ``prodlib reconcile``
writes the night). Every later change is a new ``exception_events`` row carrying the state, the
reason code and the assignee in force after it, with who, why, and what it linked (a correction's
batch and entry, an override). The CURRENT state is the latest event of each exception, read by
:func:`current_frame`; it is derived, never stored, so no row is ever updated and the history cannot
disagree with the state (a projection table would need UPDATEs the append-only triggers refuse, and a
second truth to verify).

Every write is sealed: each row's ``seal`` is SHA-256 of its canonical record
(:func:`prodlib.ledger.seals.exception_record`) and one ``exceptions_recorded`` audit event per write
seals the range of rows with a digest of their seals, so ``prodlib audit verify`` names an exception
or event edited, deleted or appended around this module. Writers lock the journal chain head first,
as every ledger writer does, so ids are gap-free.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from prodlib.errors import QueueError
from prodlib.exceptions.lifecycle import next_state
from prodlib.ledger import journal, seals
from prodlib.ledger import schema as s
from prodlib.ledger.chain import canonical_json, sha256_hex
from prodlib.ledger.journal import Scope
from prodlib.ledger.normalize import stamp
from prodlib.money import from_cents

#: The columns of :func:`current_frame`: the exception as opened, then its state now.
CURRENT_COLUMNS = (*seals.EXCEPTION_FIELDS[:-1], "detail", "opened_at", "state", "current_reason", "assignee",
                   "last_event_id", "last_action", "last_at")


def _now(scope: Scope) -> str:
    return stamp(scope.clock())


def write(conn: sa.Connection, scope: Scope, exceptions: Sequence[dict], events: Sequence[dict], now: str,
          actor: str, *, append: bool = True) -> tuple[list[int], list[int], dict]:
    """Insert new exceptions and events (events may name a new exception by ``new_index``: its
    position in ``exceptions``), seal each row, append one ``exceptions_recorded`` audit event (or,
    ``append=False``, leave the seal for the caller's own event to carry: a batch's ``batch_posted``
    seals the exceptions its quarantine opened under its key ``exceptions``).
    Returns (exception ids, event ids, the seal)."""
    if not exceptions and not events:
        return [], [], {}
    journal.lock_head(conn, "journal")
    pid = scope.production_id
    x0 = journal.next_id(conn, s.exceptions.c.exception_id)
    e0 = journal.next_id(conn, s.exception_events.c.event_id)
    x_rows, e_rows = [], []
    for i, x in enumerate(exceptions):
        r = {k: x.get(k) for k in seals.EXCEPTION_FIELDS}
        r.update(exception_id=x0 + i, production_id=pid)
        r["seal"] = seals.exception_seal(r)
        x_rows.append({**r, "recorded_at": now})
    for i, ev in enumerate(events):
        r = {k: ev.get(k) for k in seals.EXCEPTION_EVENT_FIELDS}
        if ev.get("new_index") is not None:
            r["exception_id"] = x0 + ev["new_index"]
        r.update(event_id=e0 + i, production_id=pid)
        r["seal"] = seals.exception_seal(r, seals.EXCEPTION_EVENT_FIELDS)
        e_rows.append({**r, "recorded_at": now})
    x_cols = [*seals.EXCEPTION_FIELDS, "recorded_at", "seal"]
    e_cols = [*seals.EXCEPTION_EVENT_FIELDS, "recorded_at", "seal"]
    journal.bulk_insert(conn, s.exceptions, x_cols, [tuple(r[c] for c in x_cols) for r in x_rows])
    journal.bulk_insert(conn, s.exception_events, e_cols, [tuple(r[c] for c in e_cols) for r in e_rows])
    actions: dict[str, int] = {}
    for r in e_rows:
        actions[r["action"]] = actions.get(r["action"], 0) + 1
    seal = {
        "first_exception": x0 if x_rows else None, "last_exception": x0 + len(x_rows) - 1 if x_rows else None,
        "first_event": e0 if e_rows else None, "last_event": e0 + len(e_rows) - 1 if e_rows else None,
        "digest": seals.exceptions_digest([r["seal"] for r in x_rows], [r["seal"] for r in e_rows]),
        "actions": actions, "actor": actor}
    if append:
        journal.append_event(conn, scope, "exceptions_recorded", seal, now)
    return [r["exception_id"] for r in x_rows], [r["event_id"] for r in e_rows], seal


def quarantine_fingerprint(source_id: str | None, row_hash: str | None, q_id: int) -> str:
    """A quarantined row's identity: its source and raw cells (the quarantine row's id if it has none)."""
    return sha256_hex(f"quarantine\x1f{source_id or ''}\x1f{row_hash or f'q{q_id}'}")


def quarantine_items(batch_id: int, source_kind: str, q_rows: list[tuple], amounts: Sequence[int | None],
                     actor: str = "prodlib run") -> tuple[list[dict], list[dict]]:
    """The exceptions (and their ``open`` events) of a batch's quarantine rows (QUARANTINE_FIELDS tuples)."""
    from prodlib.exceptions.lifecycle import quarantine_kind, roles_for

    roles = canonical_json(list(roles_for(source_kind)))
    xs, evs = [], []
    for i, (r, cents) in enumerate(zip(q_rows, amounts, strict=True)):
        q = dict(zip(seals.QUARANTINE_FIELDS, r, strict=True))
        figures = [] if cents is None else [["amount", str(from_cents(cents))]]
        xs.append({"origin": "quarantine", "kind": quarantine_kind(q["reason"]), "reason": q["reason"],
                   "fingerprint": quarantine_fingerprint(q["source_id"], q["row_hash"], q["q_id"]),
                   "source_kind": source_kind, "source_id": q["source_id"], "source_file": q["source_file"],
                   "source_line": q["source_line"], "q_id": q["q_id"], "batch_id": batch_id, "payload": q["payload"],
                   "amount_cents": cents, "figures": canonical_json(figures), "roles": roles,
                   "detail": q["detail"]})
        evs.append({"new_index": i, "action": "open", "state": "open", "reason": q["reason"], "actor": actor,
                    "why": f"quarantined when batch {batch_id} posted ({q['field'] or 'row'}: {q['reason']})"})
    return xs, evs


def open_quarantined(conn: sa.Connection, scope: Scope, batch_id: int, source_kind: str, q_rows: list[tuple],
                     amounts: Sequence[int | None], now: str) -> dict:
    """Open one exception per quarantine row a batch wrote (``q_rows``: QUARANTINE_FIELDS tuples), in the
    batch's transaction. ``amounts``: each row's amount in cents where ingest could read it. Returns the
    seal the batch's ``batch_posted`` event carries."""
    xs, evs = quarantine_items(batch_id, source_kind, q_rows, amounts)
    return write(conn, scope, xs, evs, now, "prodlib run", append=False)[2]


def open_existing_quarantine(conn: sa.Connection, now: str) -> int:
    """Migration 8: every quarantine row recorded before the queue existed becomes an open exception
    (amount unknown: the quarantine row kept none), one sealed write per production. Returns how many."""
    q, b = s.quarantine, s.batches
    rows = conn.execute(sa.select(*[q.c[c] for c in seals.QUARANTINE_FIELDS], b.c.kind)
                        .select_from(q.join(b, b.c.batch_id == q.c.batch_id)).order_by(q.c.q_id)).all()
    by_production: dict[str, tuple[list, list]] = {}
    for r in rows:
        xs, evs = by_production.setdefault(r.production_id, ([], []))
        x, ev = quarantine_items(r.batch_id, r.kind, [tuple(r)[:-1]], [None], "migration 8")
        ev[0]["new_index"] = len(xs)
        xs += x
        evs += ev
    for pid, (xs, evs) in by_production.items():
        write(conn, Scope(pid), xs, evs, now, "migration 8")
    return len(rows)


def current_frame(conn: sa.Connection, production_id: str, ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Every exception (or those of ``ids``) with its state now: the latest event's state, reason and
    assignee; ``opened_at`` is when it was opened, ``last_at`` its latest change. In id order."""
    x, ev = s.exceptions, s.exception_events
    last = (sa.select(ev.c.exception_id, sa.func.max(ev.c.event_id).label("last_id"))
            .where(ev.c.production_id == production_id).group_by(ev.c.exception_id).subquery())
    first = (sa.select(ev.c.exception_id, sa.func.min(ev.c.recorded_at).label("opened_at"))
             .where(ev.c.production_id == production_id).group_by(ev.c.exception_id).subquery())
    q = (sa.select(*[x.c[c] for c in seals.EXCEPTION_FIELDS[:-1]], x.c.detail, first.c.opened_at, ev.c.state,
                   ev.c.reason.label("current_reason"), ev.c.assignee, ev.c.event_id.label("last_event_id"),
                   ev.c.action.label("last_action"), ev.c.recorded_at.label("last_at"))
         .select_from(x.join(last, last.c.exception_id == x.c.exception_id)
                      .join(ev, ev.c.event_id == last.c.last_id)
                      .join(first, first.c.exception_id == x.c.exception_id))
         .where(x.c.production_id == production_id).order_by(x.c.exception_id))
    if ids is not None:
        q = q.where(x.c.exception_id.in_([int(i) for i in ids]))
    return _frame(conn.execute(q).all(), list(CURRENT_COLUMNS))


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    """Rows as a frame whose missing values are None (never NaN: an id or a name, not a number)."""
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    return df.where(df.notna(), None)


def events_frame(conn: sa.Connection, production_id: str, exception_id: int | None = None) -> pd.DataFrame:
    """Every state-change event (of one exception, or all), in the order recorded."""
    ev = s.exception_events
    cols = [*seals.EXCEPTION_EVENT_FIELDS[2:], "recorded_at"]
    q = sa.select(ev.c.event_id, *[ev.c[c] for c in cols]).where(ev.c.production_id == production_id)
    if exception_id is not None:
        q = q.where(ev.c.exception_id == int(exception_id))
    return _frame(conn.execute(q.order_by(ev.c.event_id)).all(), ["event_id", *cols])


def one(conn: sa.Connection, production_id: str, exception_id: int) -> dict:
    """One exception with its state now; :class:`QueueError` if there is none."""
    f = current_frame(conn, production_id, [exception_id])
    if not len(f):
        raise QueueError(f"no exception {exception_id} in production {production_id!r}")
    return f.iloc[0].to_dict()


def change(conn: sa.Connection, scope: Scope, exception_ids: Sequence[int], action: str, *, actor: str, why: str,
           assignee: str | None = None, reason: str | None = None, night: str | None = None,
           links: dict | None = None) -> list[int]:
    """Record ``action`` on each exception (every one checked against the lifecycle first: one illegal
    change refuses them all). ``reason``: the new reason code (a failed correction); ``links``:
    batch_id, entry_id, override_id, row_key. Returns the event ids."""
    if not actor or not str(actor).strip():
        raise QueueError("who acts is required (--by PERSON)")
    if not why or not str(why).strip():
        raise QueueError(f"a reason is required to record '{action}' (a recorded decision)")
    ids = [int(i) for i in exception_ids]
    journal.lock_head(conn, "journal")  # the state read below cannot change before the events are written
    now_frame = current_frame(conn, scope.production_id, ids)
    found = {int(r.exception_id): r for r in now_frame.itertuples(index=False)}
    events = []
    for i in ids:
        if i not in found:
            raise QueueError(f"no exception {i} in production {scope.production_id!r}")
        r = found[i]
        state = next_state(i, r.state, action)
        events.append({"exception_id": i, "action": action, "state": state, "reason": reason or r.current_reason,
                       "assignee": assignee if action == "assign" else r.assignee, "actor": str(actor).strip(),
                       "why": str(why).strip(), "night": night, **(links or {})})
    return write(conn, scope, [], events, _now(scope), str(actor).strip())[1]


def release(conn: sa.Connection, scope: Scope, exception_ids: Sequence[int], override_id: str, by: str, why: str,
            *, batch_id: int | None = None, entry_id: int | None = None) -> list[int]:
    """Record that an executed override released these exceptions (state ``released``): the one call
    ``prodlib.overrides`` makes, inside the transaction that executes the override (and, where it posts
    the released rows, with that batch and entry so conservation counts them once). Returns the event ids."""
    if not override_id:
        raise QueueError("a release names the override that released it")
    return change(conn, scope, exception_ids, "release", actor=by, why=why,
                  links={"override_id": str(override_id), "batch_id": batch_id, "entry_id": entry_id})

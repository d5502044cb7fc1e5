"""Overrides in the ledger: every event is one write transaction that checks the transition table,
appends a hash-chained transition, seals it with an audit event and writes its routing records.

The times an event is judged by (an approval's window) are passed in (``now``), never read from the
wall clock here; the CLI passes the clock. Each transition's hash is
:func:`prodlib.ledger.seals.transition_hash` over its fields, its canonical payload and the previous
transition's hash (chain head ``overrides``); ``prodlib audit verify`` recomputes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from prodlib.access.roles import AUDITOR, PRODUCTION_ACCOUNTANT, ROLES
from prodlib.errors import ApprovalRefusedError, BugError, OverrideError, OverrideExpiredError
from prodlib.exceptions.lifecycle import WAITING
from prodlib.ledger import chain as ch
from prodlib.ledger import exceptions as queue
from prodlib.ledger import journal
from prodlib.ledger import schema as s
from prodlib.ledger.journal import Scope
from prodlib.ledger.normalize import stamp
from prodlib.ledger.seals import posting_record, request_record, transition_hash
from prodlib.money import from_cents, to_cents
from prodlib.overrides import policy
from prodlib.overrides.machine import NEW, next_state
from prodlib.production import OverridePolicy

#: Who every transition is routed to (one routing record each): the production accountant and the
#: completion guarantor (the bond company, through its representative).
ROUTE_TO = (PRODUCTION_ACCOUNTANT, "completion_guarantor")
#: The role that executes an approved override (posts to the books) and the role that audits it.
EXECUTOR_ROLES = (PRODUCTION_ACCOUNTANT,)
AUDITOR_ROLES = (AUDITOR,)
#: A requester or an operator holds one of the shared roles in the production.
MEMBER_ROLES = ROLES


@dataclass(frozen=True)
class Transition:
    """One recorded event of an override.

    Attributes:
      transition_id: its place in the overrides chain (1, 2, ...: gap-free across overrides).
      event: the event (``prodlib.overrides.machine.EVENTS``).
      from_state, to_state: the state before (None for ``request``) and after.
      actor: who did it (``--by``).
      at: when, ISO-8601 UTC.
      payload: what the event recorded (approver's roles, note, posted rows ...).
      hash: SHA-256 over the transition and the previous transition's hash.
    """

    transition_id: int
    event: str
    from_state: str | None
    to_state: str
    actor: str
    at: str
    payload: dict
    hash: str


@dataclass(frozen=True)
class Override:
    """An override as the ledger holds it.

    Attributes:
      override_id: its id.
      rule: the reason code it bypasses (the rule that quarantined its rows).
      q_ids: the quarantined rows (``quarantine.q_id``) it names.
      amount: the amount it releases.
      justification_code, justification_text: why (a code of the closed list, and the text).
      requester, operator: who asked for it, and who keyed it in.
      policy: the production's override policy when it was requested (threshold, window).
      state: its current state.
      transitions: every event, in order.
    """

    override_id: int
    rule: str
    q_ids: tuple[int, ...]
    amount: Decimal
    justification_code: str
    justification_text: str
    requester: str
    operator: str
    policy: OverridePolicy
    state: str
    transitions: tuple[Transition, ...]

    @property
    def approvals(self) -> tuple[policy.Approval, ...]:
        return tuple(policy.Approval(t.actor, tuple(t.payload["roles"])) for t in self.transitions
                     if t.event == "approve")

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        return policy.required_groups(self.amount, self.policy.third_approval_above)

    @property
    def approved_at(self) -> datetime | None:
        t = next((t for t in self.transitions if t.to_state == "approved" and t.from_state == "requested"), None)
        return None if t is None else datetime.fromisoformat(t.at)

    @property
    def deadline(self) -> datetime | None:
        """When the approval's execution window closes (None before approval)."""
        at = self.approved_at
        return None if at is None else at + timedelta(hours=self.policy.execute_within_hours)


def _iso(now: datetime) -> str:
    if now.tzinfo is None:
        raise OverrideError("an override event's time must carry its time zone (UTC)")
    return now.astimezone(UTC).isoformat(timespec="seconds")


def load(conn: sa.Connection, production_id: str, override_id: int) -> Override:
    """The override with its transitions; OverrideError if there is none."""
    r = conn.execute(sa.select(s.override_requests).where(s.override_requests.c.override_id == override_id,
                                                          s.override_requests.c.production_id == production_id)).first()
    if r is None:
        raise OverrideError(f"no override {override_id} in production {production_id}")
    q = tuple(int(x) for x in conn.execute(sa.select(s.override_rows.c.q_id).where(
        s.override_rows.c.override_id == override_id).order_by(s.override_rows.c.q_id)).scalars())
    t = s.override_transitions
    ts = tuple(Transition(int(x.transition_id), x.event, x.from_state, x.to_state, x.actor, x.at,
                          json.loads(x.payload), x.transition_hash)
               for x in conn.execute(sa.select(t).where(t.c.override_id == override_id).order_by(t.c.transition_id)))
    return Override(int(r.override_id), r.rule, q, from_cents(int(r.amount_cents)), r.justification_code,
                    r.justification_text, r.requester, r.operator,
                    OverridePolicy(from_cents(int(r.third_approval_above_cents)), int(r.execute_within_hours)),
                    ts[-1].to_state, ts)


def all_ids(conn: sa.Connection, production_id: str) -> list[int]:
    o = s.override_requests
    return [int(x) for x in conn.execute(sa.select(o.c.override_id).where(o.c.production_id == production_id)
                                         .order_by(o.c.override_id)).scalars()]


def _subject(override_id: int, event: str, to_state: str, actor: str, note: str) -> str:
    return f"override {override_id}: {event} by {actor} -> {to_state}" + (f" ({note})" if note else "")


def record(conn: sa.Connection, scope: Scope, override_id: int, event: str, from_state: str | None, to_state: str,
           actor: str, now: datetime, payload: dict, note: str = "") -> Transition:
    """Append one transition (hash-chained), its routing records and its sealing audit event."""
    journal.lock_head(conn, "journal")  # every ledger writer serializes on the journal head
    seq, prev = journal.lock_head(conn, "overrides")
    tid = seq + 1
    rec_at = stamp(scope.clock())
    rid = journal.next_id(conn, s.override_routing.c.routing_id)
    subject = _subject(override_id, event, to_state, actor, note)
    conn.execute(s.override_routing.insert(), [
        {"routing_id": rid + i, "production_id": scope.production_id, "override_id": override_id,
         "transition_id": tid, "addressee": a, "subject": subject, "recorded_at": rec_at}
        for i, a in enumerate(ROUTE_TO)])
    body = {**payload, "note": note, "routed_to": list(ROUTE_TO)}
    row = {"transition_id": tid, "production_id": scope.production_id, "override_id": override_id, "event": event,
           "from_state": from_state, "to_state": to_state, "actor": actor, "at": _iso(now),
           "payload": ch.canonical_json(body), "prev_hash": prev}
    h = transition_hash(row)
    conn.execute(s.override_transitions.insert().values(**row, transition_hash=h, recorded_at=rec_at))
    journal.set_head(conn, "overrides", tid, h)
    journal.append_event(conn, scope, "override_transition",
                         {"transition_id": tid, "override_id": override_id, "event": event, "hash": h}, rec_at)
    return Transition(tid, event, from_state, to_state, actor, row["at"], body, h)


def _quarantined(conn: sa.Connection, production_id: str, q_ids: Sequence[int]) -> list[sa.Row]:
    q = s.quarantine
    rows = conn.execute(sa.select(q).where(q.c.production_id == production_id, q.c.q_id.in_(list(q_ids)))
                        .order_by(q.c.q_id)).all()
    missing = sorted(set(q_ids) - {int(r.q_id) for r in rows})
    if missing:
        raise OverrideError(f"no quarantined row {', '.join(map(str, missing))} in production {production_id}")
    return rows


def request(conn: sa.Connection, scope: Scope, *, q_ids: Sequence[int], amount: Decimal, justification_code: str,
            justification_text: str, requester: str, operator: str, policy_now: OverridePolicy, now: datetime,
            roles: policy.RoleBook, role_production: str, rule: str | None = None) -> Override:
    """Record a request to release the quarantined rows ``q_ids`` past ``rule`` (their reason code;
    default: the one reason they all share). The requester and the operator are members of the
    production (hold a role in ``roles`` for ``role_production``). Returns the override, ``requested``."""
    next_state(NEW, "request")
    if not q_ids:
        raise OverrideError("an override names the quarantined rows it releases (--rows)")
    if len(set(q_ids)) != len(q_ids):
        raise OverrideError("a quarantined row is named twice")
    if not requester.strip() or not operator.strip():
        raise OverrideError("an override needs its requester and its operator")
    for who in dict.fromkeys((requester.strip(), operator.strip())):
        if not any(roles.holds(who, r, role_production) for r in MEMBER_ROLES):
            raise ApprovalRefusedError(f"{who} holds no role in {role_production} (roles.yaml): cannot request "
                                       "an override")
    text = policy.check_justification(justification_code, justification_text)
    if isinstance(amount, float) or not isinstance(amount, Decimal):
        raise OverrideError("the amount is a Decimal, never a float")
    cents = to_cents(amount)
    if from_cents(cents) != amount or cents == 0:
        raise OverrideError(f"the amount {amount} is not a non-zero amount in cents")
    journal.lock_head(conn, "journal")
    rows = _quarantined(conn, scope.production_id, q_ids)
    kinds = dict(conn.execute(sa.select(s.batches.c.batch_id, s.batches.c.kind).where(
        s.batches.c.batch_id.in_(sorted({int(r.batch_id) for r in rows})))).all())
    other = [f"row {r.q_id} ({kinds[r.batch_id]})" for r in rows if kinds[r.batch_id] not in policy.EXECUTABLE_KINDS]
    if other:
        raise OverrideError(f"an override posts {' and '.join(policy.EXECUTABLE_KINDS)} rows only: {', '.join(other)}; "
                            "correct the row and run again")
    reasons = sorted({r.reason for r in rows})
    rule = rule or (reasons[0] if len(reasons) == 1 else None)
    if rule is None:
        raise OverrideError(f"the rows were quarantined for different reasons ({', '.join(reasons)}): one override "
                            "bypasses one rule; name it (--rule) or request one override per reason")
    if rule in policy.NOT_BYPASSABLE:
        raise OverrideError(f"{rule} cannot be bypassed: the row has no value or no account to post; correct it "
                            "instead")
    wrong = [f"row {r.q_id} ({r.reason})" for r in rows if r.reason != rule]
    if wrong:
        raise OverrideError(f"an override bypasses {rule} only: {', '.join(wrong)} was quarantined for another reason")
    xids = exceptions_of(conn, scope.production_id, q_ids)
    states = queue.current_frame(conn, scope.production_id, list(xids.values()))
    closed = [f"row {int(r.q_id)} (exception {int(r.exception_id)}, {r.state})" for r in states.itertuples()
              if r.state not in WAITING]
    if closed:
        raise OverrideError(f"{', '.join(closed)}: no longer waiting in the exception queue; nothing to release")
    busy = _rows_in_open_overrides(conn, scope.production_id, q_ids)
    if busy:
        raise OverrideError("; ".join(f"row {q} is already named by override {o} ({st})" for q, o, st in busy))
    oid = journal.next_id(conn, s.override_requests.c.override_id)
    req = {"override_id": oid, "production_id": scope.production_id, "rule": rule, "amount_cents": cents,
           "justification_code": justification_code, "justification_text": text, "requester": requester.strip(),
           "operator": operator.strip(), "third_approval_above_cents": to_cents(policy_now.third_approval_above),
           "execute_within_hours": int(policy_now.execute_within_hours)}
    conn.execute(s.override_requests.insert().values(**req, recorded_at=stamp(scope.clock())))
    conn.execute(s.override_rows.insert(), [{"override_id": oid, "q_id": int(q), "production_id": scope.production_id}
                                            for q in sorted(q_ids)])
    record(conn, scope, oid, "request", NEW, "requested", operator.strip(), now,
           {"request": request_record(req), "rows": sorted(int(q) for q in q_ids)})
    return load(conn, scope.production_id, oid)


def _rows_in_open_overrides(conn: sa.Connection, production_id: str, q_ids: Sequence[int]) -> list[tuple]:
    """(q_id, override, state) of each of ``q_ids`` named by an override not ended (requested,
    approved) or already executed."""
    out = []
    r = s.override_rows
    for q, oid in conn.execute(sa.select(r.c.q_id, r.c.override_id).where(
            r.c.production_id == production_id, r.c.q_id.in_(list(q_ids)))).all():
        st = load(conn, production_id, int(oid)).state
        if st in ("requested", "approved", "executed", "audited"):
            out.append((int(q), int(oid), st))
    return sorted(out)


def approve(conn: sa.Connection, scope: Scope, override_id: int, person: str, roles: policy.RoleBook,
            role_production: str, now: datetime) -> Override:
    """One approval. The override becomes ``approved`` when the approvals fill every required group."""
    journal.lock_head(conn, "journal")
    o = load(conn, scope.production_id, override_id)
    to = next_state(o.state, "approve")
    a = policy.admit(o.approvals, person, o.requester, roles, role_production, o.groups)
    done = policy.complete([*o.approvals, a], o.groups)
    n, of = len(o.approvals) + 1, len(o.groups)
    record(conn, scope, override_id, "approve", o.state, to if done else o.state, person, now,
           {"roles": list(a.roles), "approval": n, "of": of}, note=f"approval {n} of {of}")
    return load(conn, scope.production_id, override_id)


def _holder(person: str, wanted: Sequence[str], roles: policy.RoleBook, role_production: str, what: str) -> list[str]:
    held = [r for r in wanted if roles.holds(person, r, role_production)]
    if not held:
        raise ApprovalRefusedError(f"{person} does not hold {' or '.join(wanted)} in {role_production}: "
                                   f"cannot {what}")
    return held


def reject(conn: sa.Connection, scope: Scope, override_id: int, person: str, roles: policy.RoleBook,
           role_production: str, now: datetime, note: str = "") -> Override:
    """An approver (a holder of an approval role of the override) rejects it."""
    journal.lock_head(conn, "journal")
    o = load(conn, scope.production_id, override_id)
    to = next_state(o.state, "reject")
    held = _holder(person, sorted({r for g in o.groups for r in g}), roles, role_production, "reject it")
    record(conn, scope, override_id, "reject", o.state, to, person, now, {"roles": held}, note)
    return load(conn, scope.production_id, override_id)


def withdraw(conn: sa.Connection, scope: Scope, override_id: int, person: str, now: datetime,
             note: str = "") -> Override:
    """The requester (or the operator who keyed it in) withdraws the override before it is executed."""
    journal.lock_head(conn, "journal")
    o = load(conn, scope.production_id, override_id)
    to = next_state(o.state, "withdraw")
    if person not in (o.requester, o.operator):
        raise ApprovalRefusedError(f"only the requester {o.requester} or the operator {o.operator} may withdraw "
                                   f"override {override_id}")
    record(conn, scope, override_id, "withdraw", o.state, to, person, now, {}, note)
    return load(conn, scope.production_id, override_id)


def expire(conn: sa.Connection, scope: Scope, override_id: int, person: str, now: datetime) -> Override:
    """Record that an approved override's window passed without execution."""
    journal.lock_head(conn, "journal")
    o = load(conn, scope.production_id, override_id)
    to = next_state(o.state, "expire")
    if now <= o.deadline:
        raise OverrideError(f"override {override_id} may be executed until {o.deadline.isoformat()}: "
                            "it has not expired")
    record(conn, scope, override_id, "expire", o.state, to, person, now, {"deadline": o.deadline.isoformat()})
    return load(conn, scope.production_id, override_id)


def check_executable(o: Override, person: str, roles: policy.RoleBook, role_production: str,
                     now: datetime) -> list[str]:
    """Refuse an execution the table, the window or the executor's role does not allow; the roles held."""
    next_state(o.state, "execute")
    if now > o.deadline:
        raise OverrideExpiredError(f"override {o.override_id}'s approval expired at {o.deadline.isoformat()} "
                                   f"({o.policy.execute_within_hours} h after approval): it can only expire now")
    return _holder(person, EXECUTOR_ROLES, roles, role_production, "execute an override")


def executed(conn: sa.Connection, scope: Scope, o: Override, person: str, held: list[str], now: datetime,
             postings: list[dict], batch_ids: list[int]) -> Override:
    """Record the execution after its batch was posted (same transaction): the posted rows and the transition."""
    pid = scope.production_id
    conn.execute(s.override_postings.insert(), [{**p, "override_id": o.override_id, "production_id": pid}
                                                for p in postings])
    record(conn, scope, o.override_id, "execute", o.state, next_state(o.state, "execute"), person, now,
           {"roles": held, "batches": batch_ids, "postings": [posting_record(p) for p in sorted(
               postings, key=lambda p: p["q_id"])]})
    return load(conn, scope.production_id, o.override_id)


def audit(conn: sa.Connection, scope: Scope, override_id: int, person: str, roles: policy.RoleBook,
          role_production: str, now: datetime, note: str = "") -> Override:
    """The auditor records that an executed override was reviewed (not by whoever requested or ran it)."""
    journal.lock_head(conn, "journal")
    o = load(conn, scope.production_id, override_id)
    to = next_state(o.state, "audit")
    held = _holder(person, AUDITOR_ROLES, roles, role_production, "audit an override")
    if person in {o.requester, o.operator} | {t.actor for t in o.transitions if t.event == "execute"}:
        raise ApprovalRefusedError(f"{person} requested or executed override {override_id} and cannot audit it")
    record(conn, scope, override_id, "audit", o.state, to, person, now, {"roles": held}, note)
    return load(conn, scope.production_id, override_id)


def routing(conn: sa.Connection, production_id: str, override_id: int | None = None) -> list[sa.Row]:
    """The routing records (to the production accountant and the completion guarantor), oldest first."""
    r = s.override_routing
    q = sa.select(r).where(r.c.production_id == production_id)
    if override_id is not None:
        q = q.where(r.c.override_id == override_id)
    return conn.execute(q.order_by(r.c.routing_id)).all()


def released_rows(conn: sa.Connection, production_id: str) -> set[int]:
    """The quarantined rows (q_id) an executed override posted."""
    p = s.override_postings
    return {int(x) for x in conn.execute(sa.select(p.c.q_id).where(p.c.production_id == production_id)).scalars()}


def open_rows(conn: sa.Connection, production_id: str, reason: str | None = None) -> list[sa.Row]:
    """The quarantined rows a request may name, oldest first: no executed override has posted them and
    their exception is still waiting (open or in review; not corrected, written off or superseded)."""
    from prodlib.exceptions.lifecycle import WAITING

    q, p, x, ev = s.quarantine, s.override_postings, s.exceptions, s.exception_events
    last = (sa.select(ev.c.exception_id, sa.func.max(ev.c.event_id).label("last_id"))
            .where(ev.c.production_id == production_id).group_by(ev.c.exception_id).subquery())
    waiting = (sa.select(x.c.q_id)
               .select_from(x.join(last, last.c.exception_id == x.c.exception_id)
                            .join(ev, ev.c.event_id == last.c.last_id))
               .where(x.c.production_id == production_id, x.c.origin == "quarantine", ev.c.state.in_(WAITING)))
    query = (sa.select(q.c.q_id, q.c.source_file, q.c.source_line, q.c.reason, q.c.detail, q.c.payload)
             .where(q.c.production_id == production_id, q.c.q_id.in_(waiting),
                    ~sa.exists().where(p.c.q_id == q.c.q_id, p.c.production_id == production_id)))
    if reason is not None:
        query = query.where(q.c.reason == reason)
    return conn.execute(query.order_by(q.c.q_id)).all()


def exceptions_of(conn: sa.Connection, production_id: str, q_ids: Sequence[int]) -> dict[int, int]:
    """The exception (:mod:`prodlib.ledger.exceptions`) of each quarantined row: q_id -> exception id.
    Every quarantined row has one (opened with its batch); a row without one is a BugError."""
    x = s.exceptions
    got = {int(q): int(e) for q, e in conn.execute(sa.select(x.c.q_id, x.c.exception_id).where(
        x.c.production_id == production_id, x.c.origin == "quarantine", x.c.q_id.in_([int(q) for q in q_ids])))}
    missing = sorted(set(int(q) for q in q_ids) - set(got))
    if missing:
        raise BugError(f"quarantined row(s) {missing} have no exception in the queue")
    return got

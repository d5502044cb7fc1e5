"""Reconciliation findings into the queue, idempotently: a night's findings are compared with the
queue by fingerprint; what is new opens, what is no longer found closes (superseded), the rest is
unchanged. A second run of the same night opens nothing, closes nothing and says so.

A finding's fingerprint is SHA-256 over what it is: its kind, reason code, amount, documents, figures
and source lines (not its wording, ``detail``), and its ordinal among identical findings of the night.
A finding whose amount or documents changed is another finding: the old one is superseded, the new one
opened (each with its event). A finding found again after a person wrote it off or an override
released it stays decided: it is counted unchanged, never reopened.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from prodlib.errors import QueueError
from prodlib.exceptions.lifecycle import WAITING, roles_for
from prodlib.ledger import exceptions as store
from prodlib.ledger.chain import canonical_json, sha256_hex
from prodlib.ledger.journal import Scope
from prodlib.ledger.normalize import stamp
from prodlib.money import from_cents, to_cents
from prodlib.reconcile.findings import Finding

#: Who closes a finding no longer found, when no person is named.
NIGHT_ACTOR = "prodlib reconcile"


def finding_payload(f: Finding) -> dict:
    """A finding as the queue keeps it (its "raw payload"): every field, amounts as exact text."""
    return {"kind": f.kind, "reason": f.reason.value, "amount": str(f.amount), "documents": list(f.documents),
            "detail": f.detail, "figures": [[k, str(v)] for k, v in f.figures], "lines": list(f.lines)}


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """Each finding's fingerprint (see the module docstring), in order."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        body = finding_payload(f)
        body.pop("detail")
        text = canonical_json(body)
        n = seen.get(text, 0)
        seen[text] = n + 1
        out.append(sha256_hex(f"finding\x1f{text}\x1f{n}"))
    return out


@dataclass(frozen=True)
class KindCount:
    """Exceptions of one kind a sync opened, closed or left unchanged.

    Attributes:
      kind: the finding kind (invoice, bank, petty_cash, ...).
      count: how many.
      cents: the amount at stake, in cents.
    """

    kind: str
    count: int
    cents: int

    @property
    def amount(self):
        return from_cents(self.cents)


@dataclass(frozen=True)
class SyncResult:
    """What writing one night's findings into the queue did (or, dry, would do).

    Attributes:
      night: the night (ISO date) or "" when the reconciliation took the latest entry.
      opened, closed, unchanged: per kind, in kind order.
      opened_ids, closed_ids: the exceptions opened and closed (empty on a dry run).
      dry_run: nothing was written.
      kinds: the reconciliations that ran that night (the order the summary lists kinds in).
    """

    night: str
    opened: tuple[KindCount, ...]
    closed: tuple[KindCount, ...]
    unchanged: tuple[KindCount, ...]
    opened_ids: tuple[int, ...] = ()
    closed_ids: tuple[int, ...] = ()
    dry_run: bool = False
    kinds: tuple[str, ...] = field(default=())

    @property
    def no_change(self) -> bool:
        return not self.opened and not self.closed

    def lines(self) -> list[str]:
        """The summary the command prints."""
        def total(group):
            return sum(k.count for k in group), from_cents(sum(k.cents for k in group))

        verb = "would open" if self.dry_run else "opened"
        (o, oa), (c, ca), (u, ua) = total(self.opened), total(self.closed), total(self.unchanged)
        head = "exceptions  (dry run: nothing written) " if self.dry_run else "exceptions  "
        if self.no_change:
            out = [f"{head}no change: nothing opened, nothing closed; {u:,} finding(s) already in the queue "
                   f"unchanged, at stake {ua}"]
        else:
            out = [f"{head}{verb} {o:,} (at stake {oa}), closed {c:,} as superseded (at stake {ca}), "
                   f"unchanged {u:,} (at stake {ua})"]
        by = {}
        for label, group in (("opened", self.opened), ("closed", self.closed), ("unchanged", self.unchanged)):
            for k in group:
                by.setdefault(k.kind, {})[label] = k
        for kind in sorted(by, key=lambda k: (self.kinds.index(k) if k in self.kinds else 99, k)):
            cells = []
            for label in ("opened", "closed", "unchanged"):
                k = by[kind].get(label)
                cells.append(f"{label} {k.count if k else 0:>5,} {str(k.amount if k else from_cents(0)):>14}")
            out.append(f"  {kind:<10} " + "   ".join(cells))
        return out


def _counts(items: Iterable[tuple[str, int]], order: Sequence[str]) -> tuple[KindCount, ...]:
    agg: dict[str, list[int]] = {}
    for kind, cents in items:
        a = agg.setdefault(kind, [0, 0])
        a[0] += 1
        a[1] += cents
    keys = sorted(agg, key=lambda k: (order.index(k) if k in order else len(order), k))
    return tuple(KindCount(k, agg[k][0], agg[k][1]) for k in keys)


def last_night(conn: sa.Connection, production_id: str) -> str | None:
    """The latest night whose findings the queue holds."""
    return conn.execute(sa.text("SELECT MAX(night) FROM exception_events WHERE production_id = :p"),
                        {"p": production_id}).scalar()


def sync_findings(conn: sa.Connection, scope: Scope, findings: Sequence[Finding], kinds: Sequence[str],
                  night: str | None, *, by: str = NIGHT_ACTOR, dry_run: bool = False,
                  judged: Callable[[str, dict], bool] | None = None) -> SyncResult:
    """Write one night's findings into the queue (in the caller's transaction; ``dry_run``: only count).

    ``kinds``: the reconciliations that ran tonight: only their findings can be "no longer found" (bank
    findings are not closed by a night that had no bank feed). A night before the latest one already
    written is refused (it would close what a later night found); run it with ``dry_run``.
    ``judged(kind, payload)``: of those kinds, which queued findings tonight judged again (a night that
    reconciled some vendors' invoices only, ``NightResult.in_scope``); the others stay as they are.
    """
    night_text = night or ""
    if not dry_run:
        latest = last_night(conn, scope.production_id)
        if latest and night_text and night_text < latest:
            raise QueueError(f"the queue holds the findings of {latest}: a reconciliation of the earlier night "
                             f"{night_text} would close them; run it with --dry-run")
    queue = store.current_frame(conn, scope.production_id)
    queue = queue[queue["origin"] == "reconcile"]
    latest_by_fp = {fp: (int(i), st, int(c or 0), k) for fp, i, st, c, k in zip(
        queue["fingerprint"], queue["exception_id"], queue["state"], queue["amount_cents"].fillna(0),
        queue["kind"], strict=True)}  # id order: the latest exception of a fingerprint wins
    fps = fingerprints(findings)
    tonight = set(fps)
    opened, unchanged = [], []
    new_x, new_ev = [], []
    for f, fp in zip(findings, fps, strict=True):
        cents = to_cents(f.amount)
        have = latest_by_fp.get(fp)
        if have is not None and have[1] != "superseded":
            unchanged.append((f.kind, cents))
            continue
        opened.append((f.kind, cents))
        first = f.lines[0].rsplit(":", 1) if f.lines else None
        new_ev.append({"new_index": len(new_x), "action": "open", "state": "open", "reason": f.reason.value,
                       "actor": by, "why": f"found by the reconciliation of {night_text or 'the latest entry'}",
                       "night": night or None})
        new_x.append({"origin": "reconcile", "kind": f.kind, "reason": f.reason.value, "fingerprint": fp,
                      "source_kind": None, "source_id": first[0] if first else None,
                      "source_file": "; ".join(f.documents) or None,
                      "source_line": int(first[1]) if first and first[1].isdigit() else None,
                      "payload": canonical_json(finding_payload(f)), "amount_cents": cents,
                      "figures": canonical_json([[k, str(v)] for k, v in f.figures]),
                      "roles": canonical_json(list(roles_for(f.kind))), "detail": f.detail})
    payloads = dict(zip(queue["fingerprint"], queue["payload"], strict=True)) if judged is not None else {}
    gone = [(i, k, c) for fp, (i, st, c, k) in latest_by_fp.items()
            if st in WAITING and fp not in tonight and k in kinds
            and (judged is None or judged(k, json.loads(payloads[fp] or "{}")))]
    closed = [(k, c) for _, k, c in gone]
    order = list(kinds)
    result = SyncResult(night_text, _counts(opened, order), _counts(closed, order), _counts(unchanged, order),
                        dry_run=dry_run, kinds=tuple(kinds))
    if dry_run or result.no_change:
        return result
    now = stamp(scope.clock())
    why = f"no longer found by the reconciliation of {night_text or 'the latest entry'}"
    close_ev = []
    if gone:
        current = store.current_frame(conn, scope.production_id, [i for i, _, _ in gone]).set_index("exception_id")
        for i, _, _ in sorted(gone):
            r = current.loc[i]
            close_ev.append({"exception_id": i, "action": "supersede", "state": "superseded",
                             "reason": r["current_reason"], "assignee": r["assignee"], "actor": by, "why": why,
                             "night": night or None})
    x_ids, _, _ = store.write(conn, scope, new_x, [*new_ev, *close_ev], now, by)
    return SyncResult(night_text, result.opened, result.closed, result.unchanged, tuple(x_ids),
                      tuple(sorted(i for i, _, _ in gone)), False, tuple(kinds))


def kinds_run(result) -> tuple[str, ...]:
    """The reconciliations a :class:`~prodlib.reconcile.night.NightResult` ran: invoices always; bank and
    petty cash with an input folder (``cash``); and any kind it found something of. A night of some
    kinds only (its ``kinds``: the others' inputs did not change) ran those."""
    from prodlib.reconcile.findings import KINDS

    if getattr(result, "kinds", None) is not None:
        return tuple(result.kinds)
    ran = list(KINDS) if result.cash is not None else ["invoice"]
    return tuple(dict.fromkeys([*ran, *(f.kind for f in result.findings)]))

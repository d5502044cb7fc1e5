"""Reconciliation findings into the queue: opened once, closed (superseded) when no longer found, a
second run of the same night a no-op that says so; decisions stand; a dry run writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prodlib.errors import QueueError
from prodlib.exceptions.correct import correct
from prodlib.exceptions.findings import fingerprints, sync_findings
from prodlib.ledger import Ledger, verify_chain
from prodlib.ledger import exceptions as queue
from prodlib.reasons import Reason
from prodlib.reconcile.findings import Finding

KINDS = ("invoice", "bank", "petty_cash")
# Three findings of a night: PO-1 over-invoiced by 75.00, a 35.00 bank charge, an envelope 20.00 short.
OVER = Finding("invoice", Reason.OVER_INVOICED, Decimal("75.00"), ("po PO-1", "invoice V-ACME/INV-9"),
               "invoiced 5,075.00 against PO-1 of 5,000.00", (("po_amount", Decimal("5000.00")),
                                                               ("invoiced", Decimal("5075.00"))), ("acme:9",))
CHARGE = Finding("bank", Reason.BANK_ONLY_ITEM, Decimal("35.00"), ("bank 20260227000008",), "service charge",
                 (), ("bank:8",))
SHORT = Finding("petty_cash", Reason.ENVELOPE_UNBALANCED, Decimal("20.00"), ("envelope PC-0004",), "20.00 short")


def _sync(led: Ledger, findings, night="2026-03-02", kinds=KINDS, dry_run=False):
    with led.transaction() as conn:
        return sync_findings(conn, led.scope, findings, kinds, night, dry_run=dry_run)


def _count(led: Ledger, table: str) -> int:
    with led.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar())


def _by_kind(group) -> dict[str, tuple[int, int]]:
    return {k.kind: (k.count, k.cents) for k in group}


def test_a_night_opens_its_findings_and_a_second_run_changes_nothing(any_books) -> None:
    _, url = any_books
    with Ledger.open(url) as led:
        first = _sync(led, [OVER, CHARGE, SHORT])
        assert _by_kind(first.opened) == {"invoice": (1, 7_500), "bank": (1, 3_500), "petty_cash": (1, 2_000)}
        assert first.opened_ids == (3, 4, 5)  # after the run's two quarantine exceptions
        assert "opened 3 (at stake 130.00)" in first.lines()[0]  # 75.00 + 35.00 + 20.00
        events, audit = _count(led, "exception_events"), _count(led, "audit_events")
        second = _sync(led, [OVER, CHARGE, SHORT])
        assert second.no_change and not second.opened and not second.closed
        assert _by_kind(second.unchanged) == _by_kind(first.opened)
        assert second.lines()[0].startswith("exceptions  no change: nothing opened, nothing closed; 3 finding(s)")
        assert (_count(led, "exception_events"), _count(led, "audit_events")) == (events, audit)  # nothing written
        with led.engine.connect() as conn:
            x = queue.current_frame(conn, led.production_id).set_index("exception_id")
        assert list(x.loc[3:, "kind"]) == ["invoice", "bank", "petty_cash"]
        assert x.loc[3, "roles"] == '["production_accountant"]' and x.loc[3, "amount_cents"] == 7_500
        assert x.loc[3, "figures"] == '[["po_amount","5000.00"],["invoiced","5075.00"]]'
        assert (x.loc[4, "source_id"], x.loc[4, "source_line"]) == ("bank", 8)
        assert verify_chain(led).ok


def test_a_finding_no_longer_found_is_superseded_and_a_changed_one_is_new(books) -> None:
    _, url = books
    with Ledger.open(url) as led:
        _sync(led, [OVER, CHARGE, SHORT])
        # next night: the charge was booked (gone); PO-1 is now over by 120.00 (another finding)
        over_more = Finding("invoice", Reason.OVER_INVOICED, Decimal("120.00"), OVER.documents, OVER.detail,
                            OVER.figures, OVER.lines)
        res = _sync(led, [over_more, SHORT], night="2026-03-03")
        assert _by_kind(res.opened) == {"invoice": (1, 12_000)}
        assert _by_kind(res.closed) == {"invoice": (1, 7_500), "bank": (1, 3_500)}
        assert _by_kind(res.unchanged) == {"petty_cash": (1, 2_000)}
        assert res.closed_ids == (3, 4) and res.opened_ids == (6,)
        with led.engine.connect() as conn:
            ev = queue.events_frame(conn, led.production_id, 4).iloc[-1]
        assert (ev["action"], ev["state"], ev["night"], ev["actor"]) == \
            ("supersede", "superseded", "2026-03-03", "prodlib reconcile")
        assert ev["why"] == "no longer found by the reconciliation of 2026-03-03"
        # the charge comes back a night later: a new exception (the old one is closed for good)
        back = _sync(led, [over_more, SHORT, CHARGE], night="2026-03-04")
        assert back.opened_ids == (7,) and _by_kind(back.unchanged) == {"invoice": (1, 12_000),
                                                                       "petty_cash": (1, 2_000)}


def test_a_decision_stands_and_kinds_not_run_are_not_closed(books) -> None:
    _, url = books
    with Ledger.open(url) as led:
        _sync(led, [OVER, CHARGE, SHORT])
        with led.transaction() as conn:
            queue.change(conn, led.scope, [3], "write_off", actor="Ana", why="agreed with the vendor: no credit")
        # found again after the write-off: unchanged, not reopened
        res = _sync(led, [OVER, CHARGE, SHORT], night="2026-03-03")
        assert res.no_change and _by_kind(res.unchanged)["invoice"] == (1, 7_500)
        # a night without the bank feed (invoices only) closes no bank or petty cash finding
        res = _sync(led, [], night="2026-03-04", kinds=("invoice",))
        assert res.no_change  # the written-off invoice finding is closed already; 4 and 5 were not judged
        with led.engine.connect() as conn:
            x = queue.current_frame(conn, led.production_id).set_index("exception_id")
        assert list(x.loc[3:, "state"]) == ["written_off", "open", "open"]


def test_a_dry_run_writes_nothing_and_an_earlier_night_is_refused(books) -> None:
    _, url = books
    with Ledger.open(url) as led:
        before = (_count(led, "exceptions"), _count(led, "exception_events"), _count(led, "audit_events"))
        dry = _sync(led, [OVER, CHARGE], dry_run=True)
        assert dry.dry_run and _by_kind(dry.opened) == {"invoice": (1, 7_500), "bank": (1, 3_500)}
        assert "would open 2" in dry.lines()[0] and dry.opened_ids == ()
        assert (_count(led, "exceptions"), _count(led, "exception_events"), _count(led, "audit_events")) == before
        _sync(led, [OVER], night="2026-03-05")
        with pytest.raises(QueueError, match="holds the findings of 2026-03-05: .* earlier night 2026-03-04"):
            _sync(led, [], night="2026-03-04")
        assert _sync(led, [], night="2026-03-04", dry_run=True).closed  # a dry run may look back


def test_a_finding_is_not_corrected_through_the_pipeline(books) -> None:
    root, url = books
    with Ledger.open(url) as led:
        _sync(led, [OVER])
        with pytest.raises(QueueError, match="exception 3 is a reconciliation finding"):
            correct(led, root, 3, by="Ana", changes={"amount": "1.00"})


def test_fingerprints_ignore_wording_and_count_identical_findings() -> None:
    reworded = Finding(OVER.kind, OVER.reason, OVER.amount, OVER.documents, "other words", OVER.figures, OVER.lines)
    a, b, c = fingerprints([OVER, reworded, CHARGE])
    assert a != b  # the same finding twice in one night: two exceptions (ordinal 0 and 1)
    assert fingerprints([reworded])[0] == a and c != a

"""The reports' narrow queries give what the wide reads gave, to the cent.

``ledger.report_queries.chains_netting_to``: with more open PO amounts than a bound-parameter filter
takes, the open commitments read only the chains of unnumbered invoice lines that net to an open
PO's (vendor, cost code, open amount), or (without those keys) to an open amount; here both against
reading every unnumbered line of the vendors (what it replaced), on ledgers with matches, reversals,
voids and reissues (a reissue to an open amount, a split on one account), two vendors and two codes.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlib.ledger import Ledger
from prodlib.ledger import commitments as cm
from prodlib.ledger import report_queries as rq
from prodlib.money import from_cents, money_to_cents, to_money_series

START = date(2026, 2, 1)
CODES = ("2500-02", "3300-01")
VENDORS = ("V-A", "V-B")

_po = st.tuples(st.sampled_from(VENDORS), st.sampled_from(CODES), st.integers(1, 6), st.integers(0, 20))
_fix = st.one_of(st.none(), st.just(("reverse",)), st.just(("void",)),
                 st.tuples(st.just("reissue"), st.integers(1, 6)), st.tuples(st.just("split"), st.integers(1, 6)))
_line = st.tuples(st.sampled_from(VENDORS), st.sampled_from(CODES), st.integers(-1, 6), st.integers(0, 70),
                  st.sampled_from(["", "", "", "PO-1"]), _fix)


def _ledger(path, pos, lines) -> Ledger:
    led = Ledger.open(f"sqlite:///{path}")
    led.record_purchase_orders(pd.DataFrame({
        "po_number": [f"PO-{i + 1}" for i in range(len(pos))], "vendor_id": [p[0] for p in pos],
        "po_date": [(START + timedelta(days=p[3])).isoformat() for p in pos], "cost_code": [p[1] for p in pos],
        "description": [""] * len(pos), "amount": to_money_series([Decimal(p[2] * 100) for p in pos]),
        "status": ["approved"] * len(pos)}))
    led.post_batch("inv", "inv/a.csv", "H1", "invoice", pd.DataFrame({
        "source_line": list(range(2, 2 + len(lines))), "row_hash": [f"h{i}" for i in range(len(lines))],
        "entry_date": [(START + timedelta(days=x[3])).isoformat() for x in lines],
        "debit_account": [x[1] for x in lines], "credit_account": ["AP"] * len(lines),
        "amount": to_money_series([Decimal(x[2] * 100) for x in lines]), "description": [""] * len(lines),
        "document_no": [f"I-{i}" for i in range(len(lines))], "party_id": [x[0] for x in lines],
        "po_number": [x[4] or None for x in lines]}), None, len(lines))
    ids = dict(zip(led.entries_frame()["document_no"], led.entries_frame()["entry_id"], strict=False))
    for i, (_v, code, _c, day, _p, fix) in enumerate(lines):
        when = (START + timedelta(days=day + 1)).isoformat()
        eid = int(ids[f"I-{i}"])
        if fix is None:
            continue
        if fix[0] == "reverse":
            led.reverse_entry(eid, when, "wrong", "A")
        elif fix[0] == "void":
            led.void_entry(eid, "wrong", "A")
        elif fix[0] == "reissue":  # to another amount: the chain nets to the new one
            n = Decimal(fix[1] * 100)
            led.reissue_entry(eid, when, [(code, n), ("AP", -n)], "amount", "A")
        else:  # split in two lines on one account: the chain nets to their sum
            n = Decimal(fix[1] * 100)
            led.reissue_entry(eid, when, [(code, n - 1), (code, Decimal(1)), ("AP", -n)], "split", "A")
    return led


def _open(led: Ledger) -> dict[str, tuple[int, int]]:
    oc = led.open_commitments()
    return dict(zip(oc["po_number"], zip(money_to_cents(oc["relieved"]).tolist(), money_to_cents(oc["amount"]).tolist(),
                                         strict=True), strict=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pos=st.lists(_po, min_size=1, max_size=5), lines=st.lists(_line, max_size=10))
def test_chains_netting_to_reads_what_matters(tmp_path_factory, monkeypatch, pos, lines) -> None:
    lines = [ln for ln in lines if ln[2] != 0]  # ingest posts no zero line
    led = _ledger(tmp_path_factory.mktemp("q") / "books.db", pos, lines)
    try:
        with monkeypatch.context() as m:
            m.setattr(cm, "AMOUNT_FILTER_MAX", -1)  # every production: the chains in SQL
            narrow = _open(led)  # by (vendor, cost code, open amount)
            netting = rq.chains_netting_to
            m.setattr(rq, "chains_netting_to", lambda where, amounts, keys=None: netting(where, amounts))
            by_amount = _open(led)  # by open amount alone
            m.setattr(rq, "chains_netting_to", lambda where, amounts, keys=None: sa.true())  # every unnumbered line
            wide = _open(led)
        assert narrow == wide
        assert by_amount == wide
    finally:
        led.close()


def test_a_reissue_to_the_open_amount_matches_in_the_narrow_read(tmp_path, monkeypatch) -> None:
    """I-0 (50.00, no PO) is reissued at 400.00, PO-1's open amount: the chain nets to 400.00 and
    relieves PO-1, though its first line (50.00) is no open amount."""
    led = _ledger(tmp_path / "books.db", [("V-A", "2500-02", 4, 0)], [("V-A", "2500-02", 50, 5, "", ("reissue", 4))])
    monkeypatch.setattr(cm, "AMOUNT_FILTER_MAX", -1)
    try:
        assert _open(led) == {}  # fully relieved by the match: nothing open
        assert from_cents(money_to_cents(led.actuals()["amount"]).sum()) == Decimal("400.00")
    finally:
        led.close()

"""The invoice reconciliation partitions by vendor, linked through PO numbers: reconciling one group of
linked vendors' lines against their POs finds exactly the whole reconciliation's findings that name
them (what ``prodlib run``'s night relies on to reconcile only the vendors a day's lines touch)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from prodlib.money import from_cents
from prodlib.reconcile.invoices import reconcile_invoices
from prodlib.reconcile.night import linked_vendors, names_vendor
from tests.reconcile.builders import invoice_lines, purchase_orders

# "V-A/X" and V-A's invoice "X/7" name the same document text ("invoice V-A/X/7"): such vendors are one scope.
VENDORS = ("V-A", "V-B", "V-C", "V-A/X")
POS = ("PO-1", "PO-2", "PO-3", "PO-4")
PO_VENDOR = {"PO-1": "V-A", "PO-2": "V-A", "PO-3": "V-B", "PO-4": "V-C"}

_line = st.tuples(st.sampled_from(VENDORS), st.sampled_from(["INV-42", "INV-0042", "#42", "7", "8", "CM-1", "X/7"]),
                  st.integers(min_value=0, max_value=70), st.sampled_from([*POS, "PO-9", "po-3", "", ""]),
                  st.sampled_from(["2500-02", "3300-01"]), st.sampled_from([-5_000, 40_000, 60_000, 100_000,
                                                                           260_000, 300_000]))
_po = st.tuples(st.sampled_from([40_000, 100_000, 300_000]), st.sampled_from(["approved", "approved", "closed",
                                                                              "draft"]),
                st.sampled_from(["2500-02", "3300-01"]))


@settings(max_examples=80, deadline=None)
@given(lines=st.lists(_line, max_size=14), pos=st.lists(_po, min_size=4, max_size=4), seed=st.sampled_from(VENDORS))
def test_one_group_of_linked_vendors_finds_what_the_whole_reconciliation_finds_of_them(lines, pos, seed) -> None:
    start = date(2026, 2, 1)
    rows = [(v, n, (start + timedelta(days=day)).isoformat(), po, code, str(from_cents(c)))
            for v, n, day, po, code, c in lines]
    register = purchase_orders(*[(p, PO_VENDOR[p], "2026-02-01", code, str(from_cents(a)), s)
                                 for p, (a, s, code) in zip(POS, pos, strict=True)])
    frame = invoice_lines(*rows)
    whole = reconcile_invoices(frame, register)
    group = linked_vendors({(v, po or None) for v, _, _, po, _, _ in rows}, PO_VENDOR, {seed})
    assert seed in group
    part = reconcile_invoices(frame[frame["vendor_id"].isin(group)].reset_index(drop=True),
                              register[register["vendor_id"].isin(group)].reset_index(drop=True))
    theirs = [f for f in whole.findings if names_vendor(f.documents, group, PO_VENDOR)]
    assert sorted(map(repr, part.findings)) == sorted(map(repr, theirs))
    # and the findings outside the group name none of it: the queue keeps them as they are
    assert all(not names_vendor(f.documents, group, PO_VENDOR) for f in whole.findings if f not in theirs)

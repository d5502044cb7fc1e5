"""The exceptions report's builder over the demo queue (its figures worked by hand in
``prodlib.reports.demo.demo_exceptions``) and over a real ledger's queue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pandas as pd

from prodlib.reports.demo import demo_exceptions
from prodlib.reports.display import exceptions_rows_html, exceptions_summary_html
from prodlib.reports.exceptions import exceptions_report, trend_nights
from prodlib.reports.export import export_exceptions
from prodlib.reports.load import load_exceptions


def test_the_demo_queue_by_hand(tmp_path) -> None:
    r = exceptions_report(*demo_exceptions())
    assert r.as_of == date(2026, 4, 30)  # the latest change: exception 7 superseded, 8 found
    assert (r.total, r.waiting, r.waiting_amount) == (8, 5, D("1383.75"))  # 0 + 1,250 + 23.75 + 75 + 35
    by_state = {s: (n, str(a)) for s, n, a in r.by_state.itertuples(index=False)}
    # open: 1 (no amount) + 5 23.75 + 6 75.00 + 8 35.00 = 133.75
    assert by_state == {"open": (4, "133.75"), "in_review": (1, "1250.00"), "corrected": (1, "1234.56"),
                        "written_off": (1, "48.10"), "superseded": (1, "35.00")}
    assert list(r.by_kind["kind"]) == ["duplicate", "invoice", "bank", "classification", "ingest"]  # most at stake
    # ages at 04-30: 5 opened 03-10 -> 51 days (31-60); 1 and 2 opened 04-02 -> 28 (8-30); 6 -> 1, 8 -> 0
    assert [(k, b, n) for k, b, n, _ in r.by_age.itertuples(index=False)] == [
        ("bank", "0-7 days", 1), ("classification", "31-60 days", 1), ("duplicate", "8-30 days", 1),
        ("ingest", "8-30 days", 1), ("invoice", "0-7 days", 1)]
    # nights: 03-10 opens 4 and 5; 04-02 opens 1 and 2; 04-20 opens 3; 04-28 opens 7, closes 3 (corrected);
    # 04-29 opens 6, closes 4 (written off); 04-30 opens 8, closes 7 (superseded)
    trend = [(n, o, c, w) for n, o, c, w in r.trend.itertuples(index=False)]
    assert trend == [("2026-03-10", 2, 0, 2), ("2026-04-02", 2, 0, 4), ("2026-04-03", 0, 0, 4),
                     ("2026-04-20", 1, 0, 5), ("2026-04-28", 1, 1, 5), ("2026-04-29", 1, 1, 5),
                     ("2026-04-30", 1, 1, 5)]
    assert list(r.oldest["exception_id"]) == [5, 2, 1, 6, 8]  # 03-10; 04-02 (1,250.00 before no amount); ...
    assert list(r.largest["exception_id"]) == [2, 6, 8, 5, 1]
    assert r.oldest.loc[1, "assignee"] == "Ana" and r.oldest.loc[1, "where"] == "invoices/acme_grip.csv:42"
    html = exceptions_summary_html(r) + exceptions_rows_html(r.oldest)
    assert "<b>5</b> exception(s) waiting" in html and "<b>1,383.75</b> at stake" in html
    _, _, stamp = load_exceptions("")
    csv = export_exceptions(r, stamp, tmp_path)
    lines = csv.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and lines[1].startswith("5,2026-03-10,51,classification,MISSING_COST_CODE,open,,23.75,")


def test_a_ledger_s_queue(books) -> None:
    _, url = books
    current, events, stamp = load_exceptions(url, "Exception queue (test)")
    r = exceptions_report(current, events)
    # files.py: INV-2 unreadable amount, INV-3 300.00 on an unknown code: both open, 300.00 at stake
    assert (r.total, r.waiting, r.waiting_amount) == (2, 2, D("300.00"))
    assert list(r.oldest["where"]) == ["inv/acme.csv:4", "inv/acme.csv:3"]  # the larger first, same night
    assert "Acct=9999-99" in r.oldest.loc[0, "row"]
    assert stamp.source == "ledger" and stamp.audit_events == 3


# --- the report for a role (prodlib.reports.audience: data/access/report_audiences.yaml) -------------


def test_waiting_by_reason_and_by_source_by_hand() -> None:
    """The demo's waiting five: 2 DUPLICATE_INVOICE 1,250.00 and 1 MALFORMED_AMOUNT (no amount) of
    acme_grip; 5 MISSING_COST_CODE 23.75 of petty_cash; findings 6 OVER_INVOICED 75.00 (invoice) and
    8 BANK_ONLY_ITEM 35.00 (bank). Most at stake first."""
    r = exceptions_report(*demo_exceptions())
    assert [(k, why, n, str(a)) for k, why, _, n, a in r.by_reason.itertuples(index=False)] == [
        ("duplicate", "DUPLICATE_INVOICE", 1, "1250.00"), ("invoice", "OVER_INVOICED", 1, "75.00"),
        ("bank", "BANK_ONLY_ITEM", 1, "35.00"), ("classification", "MISSING_COST_CODE", 1, "23.75"),
        ("ingest", "MALFORMED_AMOUNT", 1, "0.00")]
    assert [(s, n, str(a)) for s, n, a in r.by_source.itertuples(index=False)] == [
        ("acme_grip", 2, "1250.00"), ("reconcile invoice", 1, "75.00"), ("reconcile bank", 1, "35.00"),
        ("petty_cash", 1, "23.75")]
    assert (r.role, r.rows_withheld, r.kinds_withheld) == ("production_accountant", 0, 0)


def test_a_bond_rep_gets_counts_and_amounts_and_no_row(tmp_path) -> None:
    current, events, stamp = load_exceptions("demo", role="bond_rep", person="P-0601")
    # nothing of a row reaches the notebook: payload, detail, place, assignee; nor an event's words
    assert set(current["payload"]) == {None} and set(current["detail"]) == {None}
    assert set(current["source_file"]) == {None} and set(current["assignee"]) == {None}
    assert set(events["why"]) == {None} and set(events["actor"]) == {None}
    assert (stamp.role, stamp.person) == ("bond_rep", "P-0601")
    r = exceptions_report(current, events, role="bond_rep")
    assert (r.total, r.waiting, r.waiting_amount) == (8, 5, D("1383.75"))  # the same figures as the accountant's
    assert len(r.oldest) == len(r.largest) == 0 and r.rows_withheld == 5
    assert sum(r.by_reason["exceptions"]) == 5 and list(r.by_age["exceptions"]) == [1, 1, 1, 1, 1]
    page = exceptions_summary_html(r) + exceptions_rows_html(r.oldest, withheld=r.rows_withheld)
    assert "Counts and amounts only for the bond_rep role" in page and "not listed for this role" in page
    assert "Ana" not in page and "acme_grip.csv" not in page
    csv = export_exceptions(r, stamp, tmp_path).read_text(encoding="utf-8").splitlines()
    assert csv[0] == "kind,reason,description,exceptions,amount,rendered_for_role" and len(csv) == 6
    assert all(line.endswith(",bond_rep") for line in csv[1:])


def test_a_payroll_processor_sees_payroll_and_timecard_exceptions_only() -> None:
    """The demo queue with input kinds: 1 (open, no amount) a payroll row, 5 (open, 23.75) a timecard,
    3 (corrected) a payroll row; the rest invoices, petty cash or findings (no input kind).
    The payroll processor's report: 3 exceptions, 2 waiting, 23.75 at stake; 5 others not counted."""
    current, events = demo_exceptions()
    kinds = {1: "payroll", 3: "payroll", 5: "timecard", 2: "invoice", 4: "petty_cash"}
    current = current.assign(source_kind=[kinds.get(i) for i in current["exception_id"]])
    r = exceptions_report(current, events, role="payroll_processor")
    assert (r.total, r.waiting, r.waiting_amount, r.kinds_withheld) == (3, 2, D("23.75"), 5)
    assert list(r.oldest["exception_id"]) == [5, 1] and r.rows_withheld == 0
    # its nights: 03-10 opens 5; 04-02 opens 1; 04-20 opens 3; 04-28 corrects 3 -> waiting 1, 2, 3, 2
    assert [(n, w) for n, _, _, w in r.trend.itertuples(index=False)] == [
        ("2026-03-10", 1), ("2026-04-02", 2), ("2026-04-20", 3), ("2026-04-28", 2)]
    assert "5 exception(s) of other input kinds are not in this payroll_processor report" in \
        exceptions_summary_html(r)


def test_the_trend_counts_each_change_on_its_night() -> None:
    """A small history, by hand: 1 a quarantined row of batch 7 (posted 03-02), its exception opened
    03-05 when the queue was built, corrected 03-10 by batch 9 (posted 03-10); 2 a reconciliation
    finding of the night of 03-08 (the run went past midnight: recorded 03-09), written off 03-11 (no
    night, no batch); 3 a quarantined row whose batch the loader could not date, opened 03-12."""
    current = pd.DataFrame({"exception_id": [1, 2, 3], "origin": ["quarantine", "reconcile", "quarantine"],
                            "posted_at": ["2026-03-02", None, None]})
    events = pd.DataFrame({
        "exception_id": [1, 2, 1, 2, 3], "action": ["open", "open", "correct", "write_off", "open"],
        "night": [None, "2026-03-08", None, None, None],
        "posted_at": [None, None, "2026-03-10", None, None],
        "recorded_at": ["2026-03-05T09:00:00Z", "2026-03-09T00:40:00Z", "2026-03-10T15:00:00Z",
                        "2026-03-11T10:00:00Z", "2026-03-12T08:00:00Z"]})
    # 1 opens on its batch's day 03-02 (not 03-05); 2 on its night 03-08 (not 03-09); 1's correction on
    # batch 9's day 03-10; the write-off and 3's opening on the days recorded
    assert trend_nights(current, events) == ["2026-03-02", "2026-03-08", "2026-03-10", "2026-03-11", "2026-03-12"]


def test_the_demo_trend_puts_a_finding_on_its_reconciliation_night() -> None:
    current, events = demo_exceptions()
    six = (events["exception_id"] == 6) & (events["action"] == "open")
    assert current.loc[current["exception_id"] == 6, "origin"].tolist() == ["reconcile"]
    events.loc[six, "night"] = "2026-04-27"  # recorded 04-29 for the night of 04-27 (reconcile --as-of)
    r = exceptions_report(current, events)
    # as in test_the_demo_queue_by_hand, with 6's opening moved from 04-29 to 04-27:
    # 04-27 opens 6 (waiting 5 + 1 = 6); 04-28 opens 7, closes 3 (6); 04-29 closes 4 (5); 04-30 opens 8, closes 7 (5)
    assert [tuple(t) for t in r.trend.itertuples(index=False)][3:] == [
        ("2026-04-20", 1, 0, 5), ("2026-04-27", 1, 0, 6), ("2026-04-28", 1, 1, 6), ("2026-04-29", 0, 1, 5),
        ("2026-04-30", 1, 1, 5)]

"""The exceptions report's builder over the demo queue (its figures worked by hand in
``prodlib.reports.demo.demo_exceptions``) and over a real ledger's queue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from prodlib.reports.demo import demo_exceptions
from prodlib.reports.display import exceptions_rows_html, exceptions_summary_html
from prodlib.reports.exceptions import exceptions_report
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

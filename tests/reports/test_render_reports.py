"""Rendering: the notebooks executed by papermill against a small SQLite ledger, checked as a user sees them.

Notebook executions (about 3 s each): render_all (cost report, exception queue, ...) and one failure.

The ledger fixture (budget = the hand production of test_cost_report, no commitments, no EFC):
postings  1100-01 100,000.00 (02-01)   1100-02 5,000.00 (02-02)   1100-02 -1,000.00 (02-03, credit note)
          1300-01  45,000.00 (02-10)   2000-04 9,100.25 (04-10, after the as-of date: left out)
          2100-01   1,500.00 (03-01)   3300-02 10,000.00 (03-05, invoiced against PO-2)  3300-02 -250.50 (03-06)
          6800-03    -300.00 (03-31, on the as-of date: included)
purchase orders: PO-1 approved 1300-02 5,000.00; PO-2 approved 3300-02 12,000.00 (10,000.00 invoiced: 2,000.00
          open); PO-3 draft 2100-01 4,000.00 (never a commitment)  -> open commitments 7,000.00
estimates: 1300 at 58,000.00 from 2026-03-01; 1300 at 70,000.00 from 2026-04-15 (after the as-of date)
As of 2026-03-31, by hand (EFC = max(budget, actual + commitments) where no estimate is in force):
  actual = 100,000 + 5,000 - 1,000 + 45,000 + 1,500 + 10,000 - 250.50 - 300 = 159,949.50
  budget = 242,500.50 (test_cost_report); total cost = 159,949.50 + 7,000.00 = 166,949.50
  EFC per account: 1100 120,000; 1300 58,000 (estimate); 2000 8,000; 2100 1,500 (cost, no budget); 3300 25,000.50;
  5100 12,000; 6700 4,500; 6800 max(0, -300) = 0; 8000 10,000; 8100 3,000  -> 242,000.50
  variance = 242,500.50 - 242,000.50 = 500.00;  ETC = 242,000.50 - 166,949.50 = 75,051.00
quarantine: 2 rows (MALFORMED_AMOUNT at inv/acme.csv:7, UNKNOWN_COST_CODE at inv/acme.csv:12): two open
          exceptions of the queue, no amount read (the frame posted carries none)
"""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from prodlib.money import to_money_series
from prodlib.reports.render import ReportError, notebooks_dir, render_all, render_report

pytestmark = pytest.mark.slow  # executes notebooks (about 3 s each); `-m "not slow"` skips them

BUDGET = [("1100-01", "100000.00"), ("1100-02", "20000.00"), ("1300", "60000.00"), ("2000-04", "8000.00"),
          ("3300-02", "25000.50"), ("5100-02", "12000.00"), ("6700-01", "4500.00"), ("8000-01", "10000.00"),
          ("8100-01", "3000.00")]
POSTINGS = [("1100-01", "100000.00", "2026-02-01"), ("1100-02", "5000.00", "2026-02-02"),
            ("1100-02", "-1000.00", "2026-02-03"), ("1300-01", "45000.00", "2026-02-10"),
            ("2000-04", "9100.25", "2026-04-10"), ("2100-01", "1500.00", "2026-03-01"),
            ("3300-02", "10000.00", "2026-03-05"), ("3300-02", "-250.50", "2026-03-06"),
            ("6800-03", "-300.00", "2026-03-31")]


@pytest.fixture(scope="module")
def ledger_url(tmp_path_factory) -> str:
    from prodlib.ledger import Ledger

    path = tmp_path_factory.mktemp("ledger") / "books.db"
    url = f"sqlite:///{path}"
    led = Ledger.open(url)
    led.record_budget("BV-TEST-1", pd.DataFrame({"cost_code": [c for c, _ in BUDGET],
                                                 "description": ["" for _ in BUDGET],
                                                 "amount": to_money_series([a for _, a in BUDGET])}),
                      locked_on="2026-01-02", author="test", reason="test budget")
    led.record_purchase_orders(pd.DataFrame({
        "po_number": ["PO-1", "PO-2", "PO-3"], "vendor_id": ["V-ACME"] * 3,
        "po_date": ["2026-02-15", "2026-03-01", "2026-03-02"], "cost_code": ["1300-02", "3300-02", "2100-01"],
        "amount": to_money_series(["5000.00", "12000.00", "4000.00"]), "status": ["approved", "approved", "draft"]}))
    led.record_estimate("1300", "58000.00", "2026-03-01", reason="editor extension", author="test")
    led.record_estimate("1300", "70000.00", "2026-04-15", reason="reshoots", author="test")
    n = len(POSTINGS)
    postings = pd.DataFrame({
        "source_line": list(range(2, n + 2)), "row_hash": [f"h{i}" for i in range(n)],
        "entry_date": [d for _, _, d in POSTINGS], "debit_account": [c for c, _, _ in POSTINGS],
        "credit_account": ["AP"] * n, "amount": to_money_series([a for _, a, _ in POSTINGS]),
        "description": ["test"] * n, "document_no": [f"INV-{i}" for i in range(n)], "party_id": ["V-ACME"] * n,
        "po_number": [("PO-2" if (c, a) == ("3300-02", "10000.00") else None) for c, a, _ in POSTINGS],
    })
    quarantine = pd.DataFrame({
        "source_id": ["acme", "acme"], "source_file": ["inv/acme.csv", "inv/acme.csv"], "source_line": [12, 7],
        "row_hash": ["q1", "q2"], "reason": ["UNKNOWN_COST_CODE", "MALFORMED_AMOUNT"], "field": ["cost_code", "amount"],
        "detail": ["'9999' is not in the chart", "'12,3x' is not an amount"], "payload": ["{}", "{}"],
    })
    led.post_batch("acme", "inv/acme.csv", "f" * 64, "invoice", postings, quarantine, rows_read=n + 2)
    led.close()
    return url


@pytest.fixture(scope="module")
def rendered(ledger_url, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    t0 = time.perf_counter()
    paths = render_all(ledger_url, out, {"as_of": "2026-03-31", "production_title": "Test Feature"})
    return out, paths, time.perf_counter() - t0


class _Visible(HTMLParser):
    """Text a reader sees: everything outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    p = _Visible()
    p.feed(page)
    return " ".join(" ".join(p.parts).split())


def external_refs(page: str) -> list[str]:
    """<script src=http(s)...>, <link href=http(s)...>, and module imports of http(s) URLs."""
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//[^\"'\s>]+",
                      page, flags=re.I)
    imports = re.findall(r"import\s*\(?\s*[\"']https?://[^\"']+", page)
    return tags + imports


def test_render_all_writes_reports_csv_and_index(rendered):
    out, paths, _ = rendered  # speed is measured in benchmarks, not asserted in a test
    assert [p.name for p in paths] == ["cost_report.html", "exceptions.html", "pnh_remittance.html", "contingency.html",
                                      "cash_flow.html", "index.html"]
    for name in ("cost_report.csv", "cost_report.stamp.json", "exceptions.csv", "exceptions.stamp.json",
                 "cash_flow.csv", "cash_flow_weekly.csv", "cash_flow.stamp.json"):
        assert (out / name).exists(), name


@pytest.mark.parametrize(("name", "figures"), [("cost_report", 1), ("exceptions", 2), ("cash_flow", 1)])
def test_html_is_offline_without_code_and_plotly_once(rendered, name, figures):
    page = (rendered[0] / f"{name}.html").read_text(encoding="utf-8")
    assert external_refs(page) == []
    assert not re.search(r"<link\b[^>]*rel=[\"']?stylesheet[^>]*href=[\"']?https?:", page, flags=re.I)
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", page)) == 1  # the library's banner: inlined once
    assert page.count('class="plotly-graph-div"') == figures  # the exceptions: by age, and night by night
    # no code shown: no editor or highlighted source element, and every code cell is marked input-less
    assert 'class="jp-InputArea-editor' not in page and 'class="highlight' not in page
    code_cells = re.findall(r'<div class="jp-Cell jp-CodeCell[^"]*"', page)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    for code in ("load_cost_report_inputs(", "use_offline_plotly(", "load_exceptions(", "export_dir ="):
        assert code not in visible_text(page)


def test_cost_report_html_shows_hand_worked_totals(rendered):
    text = visible_text((rendered[0] / "cost_report.html").read_text(encoding="utf-8"))
    assert "Test Feature" in text and "BV-TEST-1" in text and "2026-03-31" in text
    assert "inv/acme.csv sha256 ffffffffffffffff (9 rows posted)" in text
    m = re.search(r"Grand total ([\d,().]+) ([\d,().]+) ([\d,().]+) ([\d,().]+) ([\d,().]+) ([\d,().]+) "
                  r"([\d,().]+) ([\d.]+)%", text)
    assert m, text[-600:]
    # budget, actual, commitments, total cost, ETC, EFC, variance, % spent (159,949.50 / 242,500.50 = 65.958..)
    assert m.groups() == ("242,500.50", "159,949.50", "7,000.00", "166,949.50", "75,051.00", "242,000.50", "500.00",
                          "66.0")
    assert "DEMO DATA" not in text


def test_cost_report_csv_matches_by_machine(rendered):
    csv = pd.read_csv(rendered[0] / "cost_report.csv", dtype=str, keep_default_na=False)
    grand = csv[csv["kind"] == "grand_total"].iloc[0]
    assert (grand["budget"], grand["actual"], grand["commitments"], grand["efc"], grand["variance"]) == (
        "242500.50", "159949.50", "7000.00", "242000.50", "500.00")
    row1300 = csv[csv["key"] == "1300"].iloc[0]
    assert (row1300["commitments"], row1300["efc"], row1300["etc"]) == ("5000.00", "58000.00", "8000.00")
    assert csv[csv["key"] == "2000"].iloc[0]["actual"] == "0.00"  # posted after the as-of date


def test_exceptions_html_and_csv(rendered):
    out = rendered[0]
    text = visible_text((out / "exceptions.html").read_text(encoding="utf-8"))
    assert "2 exception(s) waiting (open or in review), 0.00 at stake" in text
    assert text.index("inv/acme.csv:7") < text.index("inv/acme.csv:12")  # opened together: in id order
    q = pd.read_csv(out / "exceptions.csv", dtype=str, keep_default_na=False)
    assert list(q["where"]) == ["inv/acme.csv:7", "inv/acme.csv:12"]
    assert list(q["reason"]) == ["MALFORMED_AMOUNT", "UNKNOWN_COST_CODE"]
    assert list(q["kind"]) == ["ingest", "classification"] and list(q["state"]) == ["open", "open"]


def test_index_links_each_report_with_stamp(rendered):
    out = rendered[0]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert external_refs(page) == [] and "http" not in page
    assert 'href="cost_report.html"' in page and 'href="exceptions.html"' in page and 'href="cost_report.csv"' in page
    stamp = json.loads((out / "cost_report.stamp.json").read_text())
    assert stamp["budget_version"] == "BV-TEST-1" and stamp["as_of"] == "2026-03-31"
    assert stamp["inputs_sha256"][:16] in page and "2026-03-31" in page and "Test Feature" in page


def test_failure_names_notebook_cell_and_exception(tmp_path):
    nb = notebooks_dir() / "cost_report.ipynb"
    missing = f"sqlite:///{tmp_path}/no-such.db"
    with pytest.raises(ReportError) as err:
        render_report(nb, tmp_path / "cost_report.html", {"database_url": missing})
    msg = str(err.value)
    assert "cost_report.ipynb" in msg and "failed in cell" in msg and "FileNotFoundError" in msg
    assert "no ledger database" in msg and "Traceback" not in msg and "\x1b[" not in msg
    assert (tmp_path / "cost_report.failed.ipynb").exists() and not (tmp_path / "cost_report.html").exists()
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_missing_notebook_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="does not exist"):
        render_report(Path(tmp_path / "nope.ipynb"), tmp_path / "x.html", {})


def test_render_all_reports_every_failure_and_marks_the_index(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "cost_report.csv").write_text("stale figures from last night\n")
    with pytest.raises(ReportError) as err:
        render_all("", out, {}, notebooks=tmp_path / "no-notebooks")
    msg = str(err.value)
    assert "5 of 5 report(s) failed" in msg and "cost_report.ipynb does not exist" in msg
    assert "exceptions.ipynb does not exist" in msg
    assert not (out / "cost_report.csv").exists()  # no stale figures beside a failed report
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("FAILED: ") == 5


def test_loader_reads_ledger_as_known_at(ledger_url):
    from prodlib.reports.load import load_cost_report_inputs

    now = load_cost_report_inputs(ledger_url, as_of="2026-03-31")
    later = load_cost_report_inputs(ledger_url, as_of="2026-03-31", known_at="9999-12-31T23:59:59")
    assert later.stamp.inputs_sha256 == now.stamp.inputs_sha256  # everything was known by then
    assert later.stamp.as_of == "2026-03-31 (as known at 9999-12-31T23:59:59)"
    assert now.stamp.budget_version == "BV-TEST-1"  # the version in force, named by the ledger
    assert now.stamp.batches == (("inv/acme.csv", "f" * 64, 9),)
    with pytest.raises(LookupError):  # nothing was recorded yet in 1999
        load_cost_report_inputs(ledger_url, as_of="2026-03-31", known_at="1999-01-01T00:00:00")


def test_stamps_identify_the_books_by_chain_head_never_by_location(rendered, ledger_url):
    """Issue 8: no report, stamp or CSV names the database; the chain heads say which books they are."""
    import sqlite3

    out = rendered[0]
    db = ledger_url.removeprefix("sqlite:///")
    con = sqlite3.connect(db)
    # the journal's last entry, read without prodlib: 9 postings, one entry each (the fixture)
    last_id, last_hash = con.execute(
        "SELECT entry_id, entry_hash FROM journal_entries ORDER BY entry_id DESC LIMIT 1").fetchone()
    con.close()
    assert last_id == 9
    for stem in ("cost_report", "exceptions", "pnh_remittance", "contingency"):
        stamp = json.loads((out / f"{stem}.stamp.json").read_text(encoding="utf-8"))
        assert (stamp["journal_entries"], stamp["journal_head"]) == (9, last_hash), stem
        assert stamp["source"].startswith("ledger")
        assert f"chain head {last_hash}" in visible_text((out / f"{stem}.html").read_text(encoding="utf-8"))
    for f in out.iterdir():
        if f.suffix in (".html", ".json", ".csv"):
            text = f.read_text(encoding="utf-8")
            assert db not in text and "books.db" not in text and "sqlite:" not in text, f.name


def test_rendering_in_parallel_gives_the_same_reports(rendered, ledger_url, tmp_path):
    # --jobs 2: the notebooks render two at a time in worker processes; same pages, same figures.
    out, paths, _ = rendered
    par = render_all(ledger_url, tmp_path, {"as_of": "2026-03-31", "production_title": "Test Feature"}, jobs=2)
    assert [p.name for p in par] == [p.name for p in paths]
    for csv in sorted(out.glob("*.csv")) + sorted(out.glob("*.stamp.json")):
        # the P&H exceptions name the (missing) remittance folder, which is inside each output folder
        theirs = csv.read_text(encoding="utf-8").replace(str(out.resolve()), "<out>")
        ours = (tmp_path / csv.name).read_text(encoding="utf-8").replace(str(tmp_path.resolve()), "<out>")
        assert ours == theirs, csv.name

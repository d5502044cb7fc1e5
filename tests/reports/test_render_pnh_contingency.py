"""The P&H remittance and contingency notebooks rendered against a small SQLite ledger, checked as a user
sees them. Two notebook executions (about 4 s each); render_all's parameter passing is checked without one.

Fixture, by hand:
budget   BV-1 original (2026-01-02): 1100-01 100,000.00; 1900-03 5,000.00; 8000-01 10,000.00
         BV-2 revision of BV-1 (2026-03-01): 1100-01 101,500.00 (+1,500); 8000-01 9,000.00 (-1,000)
postings 1100-01 102,000.00 (02-10, invoice)
         fringes: MPI Pension 2026-03-07 276.00 (doc MPI:Pension:2026-03-07);
                  SAG-AFTRA P&H 2026-03-07 2,099.99 (doc SAG-AFTRA:P&H:2026-03-07: one cent short)
         payment 03-20: FRINGE_PAYABLE:MPI 276.00 against CASH
remittance files: MPI Pension 03-07 gross 4,000.00 contribution 276.00 due 03-22;
                  SAG-AFTRA P&H 03-07 gross 10,000.00 contribution 2,100.00 due 04-06
P&H as of 2026-05-10: total 2,376.00 vs ledger 2,375.99 -> one exception, difference 0.01;
  MPI paid; SAG-AFTRA 34 days late (> 30): 10 % x 2,100.00 = 210.00; outstanding 2,100.00
Contingency as of 2026-05-10 (BV-2 in force): original 10,000.00; budgeted 9,000.00; used 1,500.00
  (net increase of 1100); moved out 1,000.00; remaining 9,000 - 500 = 8,500.00;
  1100 over budget: 102,000.00 - 101,500.00 = 500.00; after overruns 8,000.00
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from test_render_reports import external_refs, visible_text

from prodlib.money import to_money_series
from prodlib.remittance import DETAIL_COLUMNS, TOTAL_COLUMNS
from prodlib.reports import render
from prodlib.reports.render import notebooks_dir, render_report

pytestmark = pytest.mark.slow  # executes notebooks


def _budget(d: dict) -> pd.DataFrame:
    return pd.DataFrame({"cost_code": list(d), "description": ["" for _ in d],
                         "amount": to_money_series(list(d.values()))})


def _postings(rows, credit: list[str], docs: list[str]) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({
        "source_line": list(range(2, n + 2)), "row_hash": [f"{docs[i]}-{i}" for i in range(n)],
        "entry_date": [d for _, _, d in rows], "debit_account": [c for c, _, _ in rows], "credit_account": credit,
        "amount": to_money_series([a for _, a, _ in rows]), "description": ["test"] * n, "document_no": docs,
        "party_id": ["X"] * n})


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    from prodlib.ledger import Ledger

    root = tmp_path_factory.mktemp("pnh")
    url = f"sqlite:///{root / 'books.db'}"
    led = Ledger.open(url)
    led.record_budget("BV-1", _budget({"1100-01": "100000.00", "1900-03": "5000.00", "8000-01": "10000.00"}),
                      locked_on="2026-01-02", author="LP", reason="original")
    led.record_budget("BV-2", _budget({"1100-01": "101500.00", "1900-03": "5000.00", "8000-01": "9000.00"}),
                      locked_on="2026-03-01", author="LP", reason="writer's polish from contingency",
                      kind="revision", parent_version_id="BV-1")
    inv = _postings([("1100-01", "102000.00", "2026-02-10")], ["AP"], ["INV-1"])
    led.post_batch("inv", "inv/a.csv", "a" * 64, "invoice", inv, None, rows_read=1)
    fr = _postings([("1900-03", "276.00", "2026-03-07"), ("1900-03", "2099.99", "2026-03-07")],
                   ["FRINGE_PAYABLE:MPI", "FRINGE_PAYABLE:SAG-AFTRA"],
                   ["MPI:Pension:2026-03-07", "SAG-AFTRA:P&H:2026-03-07"])
    led.post_batch("payroll:fringes", "payroll.csv (fringes)", "b" * 64, "fringe", fr, None, rows_read=2)
    led.post_entry("2026-03-20", [("FRINGE_PAYABLE:MPI", "276.00"), ("CASH", "-276.00")], "MPI check 1001",
                   document_no="CHK-1001")
    led.close()
    rem = root / "out" / "remittance"
    rem.mkdir(parents=True)
    for plan, slug, fund, fslug, due, gross, c in (("MPI", "MPI", "Pension", "Pension", "2026-03-22", "4000.00",
                                                    "276.00"),
                                                   ("SAG-AFTRA", "SAG_AFTRA", "P&H", "P_H", "2026-04-06", "10000.00",
                                                    "2100.00")):
        pd.DataFrame([["EMP", "Test Feature", plan, fund, "2026-03-07", due, "1", gross, "0", c]],
                     columns=TOTAL_COLUMNS).to_csv(rem / f"{slug}__{fslug}__totals.csv", index=False)
        detail = {col: "" for col in DETAIL_COLUMNS}
        detail.update(plan=plan, fund=fund, period_end="2026-03-07", gross_subject=gross, contribution=c)
        pd.DataFrame([detail], columns=DETAIL_COLUMNS).to_csv(rem / f"{slug}__{fslug}.csv", index=False)
    return url, root / "out"


@pytest.fixture(scope="module")
def rendered(fixture):
    url, out = fixture
    params = {"database_url": url, "export_dir": str(out), "remittance_dir": str(out / "remittance"),
              "as_of": "2026-05-10", "production_title": "Test Feature"}
    seconds = {}
    for stem in ("pnh_remittance", "contingency"):
        nb = notebooks_dir() / f"{stem}.ipynb"
        t0 = time.perf_counter()
        render_report(nb, out / f"{stem}.html", {k: v for k, v in params.items()
                                                 if k in render.notebook_parameters(nb)})
        seconds[stem] = time.perf_counter() - t0
    return out, seconds


@pytest.mark.parametrize("stem", ["pnh_remittance", "contingency"])
def test_offline_without_code(rendered, stem):
    page = (rendered[0] / f"{stem}.html").read_text(encoding="utf-8")
    assert external_refs(page) == []
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", page)) == 1 and page.count('class="plotly-graph-div"') == 1
    assert 'class="jp-InputArea-editor' not in page and 'class="highlight' not in page
    code_cells = re.findall(r'<div class="jp-Cell jp-CodeCell[^"]*"', page)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    text = visible_text(page)
    for code in ("load_pnh_inputs(", "load_contingency_inputs(", "use_offline_plotly(", "export_dir ="):
        assert code not in text
    assert "Test Feature" in text and "2026-05-10" in text and "DEMO DATA" not in text
    assert rendered[1][stem] < 30


def test_pnh_html_shows_tie_out_exception_and_exposure(rendered):
    text = visible_text((rendered[0] / "pnh_remittance.html").read_text(encoding="utf-8"))
    assert "Tie-out: 1 exception(s)" in text
    assert ("Total contribution (remittance files) 2,376.00 ; ledger (FRINGE_PAYABLE) 2,375.99 ; difference 0.01"
            in text)
    assert "outstanding 2,100.00 ; late-payment exposure 210.00" in text
    assert "SAG-AFTRA P&H 2026-03-07: remittance 2,100.00, ledger 2,099.99; difference 0.01" in text
    assert "inv/a.csv sha256 aaaaaaaaaaaaaaaa (1 rows posted)" in text


def test_pnh_csv_by_machine(rendered):
    out = rendered[0]
    f = pd.read_csv(out / "pnh_remittance.csv", dtype=str, keep_default_na=False).set_index("plan")
    assert (f.loc["MPI", "status"], f.loc["MPI", "paid"], f.loc["MPI", "tie"]) == ("paid", "276.00", "True")
    assert (f.loc["SAG-AFTRA", "ledger"], f.loc["SAG-AFTRA", "difference"], f.loc["SAG-AFTRA", "days_late"],
            f.loc["SAG-AFTRA", "late_charge"]) == ("2099.99", "0.01", "34", "210.00")
    e = pd.read_csv(out / "pnh_remittance_exceptions.csv", dtype=str, keep_default_na=False)
    assert list(e["kind"]) == ["remittance_vs_ledger"] and list(e["difference"]) == ["0.01"]
    stamp = json.loads((out / "pnh_remittance.stamp.json").read_text())
    assert (stamp["total_late_charge"], stamp["ties"], stamp["exceptions"]) == ("210.00", False, 1)


def test_contingency_html_and_csv(rendered):
    out = rendered[0]
    text = visible_text((out / "contingency.html").read_text(encoding="utf-8"))
    assert "Contingency remaining after projected overruns: 8,000.00." in text
    assert "Contingency budgeted (version in force, BV-2) 9,000.00" in text
    assert "Contingency used by later versions 1,500.00" in text and "Contingency remaining 8,500.00" in text
    assert "writer's polish from contingency" in text
    roll = pd.read_csv(out / "contingency.csv", dtype=str)
    assert list(roll["amount"]) == ["10000.00", "-1000.00", "9000.00", "1500.00", "1000.00", "500.00", "8500.00",
                                    "500.00", "8000.00"]
    over = pd.read_csv(out / "contingency_over_budget.csv", dtype=str)
    assert list(over["account"]) == ["1100"] and list(over["overrun"]) == ["500.00"]
    assert json.loads((out / "contingency.stamp.json").read_text())["budget_version"] == "BV-2"


def test_render_all_passes_remittance_dir(tmp_path, monkeypatch):
    """Without executing anything: the parameters render_all gives each of the five notebooks."""
    seen: dict[str, dict] = {}

    def fake_render(nb, out_html, parameters):
        seen[Path(nb).stem] = parameters
        Path(out_html).write_text("<html></html>")
        return Path(out_html)

    monkeypatch.setattr(render, "render_report", fake_render)
    paths = render.render_all("sqlite:///x.db", tmp_path, {"as_of": "2026-05-10"})
    assert [p.name for p in paths] == ["cost_report.html", "exceptions.html", "pnh_remittance.html",
                                       "contingency.html", "cash_flow.html", "index.html"]
    assert seen["pnh_remittance"]["remittance_dir"] == str((tmp_path / "remittance").resolve())
    assert "remittance_dir" not in seen["cost_report"]  # only notebooks that declare it get it
    assert seen["contingency"]["as_of"] == "2026-05-10"
    render.render_all("sqlite:///x.db", tmp_path, {"remittance_dir": "/data/rem"})
    assert seen["pnh_remittance"]["remittance_dir"] == str(Path("/data/rem").resolve())
    render.render_all("sqlite:///x.db", tmp_path, {}, remittance_dir=tmp_path / "r2")
    assert seen["pnh_remittance"]["remittance_dir"] == str((tmp_path / "r2").resolve())
    page = (tmp_path / "index.html").read_text()
    assert 'href="pnh_remittance.html"' in page and 'href="contingency.html"' in page

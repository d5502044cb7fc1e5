"""The sample production end to end: raw exports -> ledger -> reports, checked against the raw files.

The expected figures here are recomputed from the raw CSVs with a deliberately separate, plain
reading (csv module, str.replace, Decimal): no prodlib parser, no prodlib classifier. The manifest of
injected faults says which rows must be quarantined and why.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from prodlib.ledger import Ledger
from prodlib.pipeline import run
from prodlib.sample import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    sample = root / "sample"
    generate(sample, scale="indie", seed=3)  # seed 3 once hid an overtime fault behind a blank meal
    url = f"sqlite:///{root / 'books.db'}"
    result = run(sample, url)
    return {"root": root, "sample": sample, "url": url, "result": result,
            "manifest": json.loads((sample / "manifest.json").read_text()),
            "sources": yaml.safe_load((sample / "sources.yaml").read_text())}


def data_rows(path: Path, delimiter: str, encoding: str) -> dict[int, dict[str, str]]:
    """Physical line number -> row, read with the csv module (header = line 1, blank lines skipped)."""
    out: dict[int, dict[str, str]] = {}
    with path.open(newline="", encoding=encoding) as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for rec in reader:
            if rec:
                out[start] = dict(zip(header, rec, strict=False))
            start = reader.line_num + 1
    return out


def plain_amount(text: str, locale: str) -> Decimal:
    t = text.strip()
    neg = t.startswith("(") and t.endswith(")") or t.endswith("-")
    t = t.strip("()").rstrip("-").replace("$", "").replace("€", "").replace("USD", "").replace("EUR", "").strip()
    if t.startswith("-"):
        neg, t = not neg, t[1:]
    t = t.replace(",", "") if locale == "us" else t.replace(".", "").replace(" ", "").replace(",", ".")
    d = Decimal(t)
    return -d if neg else d


def plain_code(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"{digits[:4]}-{int(digits[4:] or 0):02d}" if len(digits) > 4 else digits


def test_conservation_per_file_and_in_total(production: dict) -> None:
    result = production["result"]
    assert not result.errors
    for s in result.sources:
        assert s.rows_read == s.accepted + s.quarantined, s.file
    # rows read counted independently from the files themselves
    by_file = {s.file: s.rows_read for s in result.sources}
    for src in production["sources"]["sources"]:
        rows = data_rows(production["sample"] / src["path"], src.get("delimiter", ","), src.get("encoding", "utf-8"))
        assert by_file[src["path"]] == len(rows), src["path"]
    led = Ledger.open(production["url"])
    b = led.batches_frame()
    assert (b["rows_read"] == b["rows_posted"] + b["rows_quarantined"]).all()


def test_exactly_the_injected_faults_are_quarantined_with_their_reasons(production: dict) -> None:
    led = Ledger.open(production["url"])
    q = led.quarantine_frame()
    got = Counter(zip(q["source_file"], q["source_line"].astype(int), q["reason"], strict=True))
    # Every file is a batch, so every injected fault of every kind must be in the ledger's quarantine.
    expected = Counter((f["file"], int(f["line"]), f["reason"]) for f in production["manifest"]["faults"])
    kinds = {f["file"].split("/")[0] for f in production["manifest"]["faults"]}
    assert {"invoices", "purchase_orders", "timecards", "payroll", "petty_cash"} <= kinds
    missing = expected - got
    unexpected = got - expected
    assert not missing, f"injected faults not quarantined as expected: {sorted(missing)[:10]}"
    assert not unexpected, f"rows quarantined that were not injected faults: {sorted(unexpected)[:10]}"


def test_actuals_equal_an_independent_sum_of_the_raw_files(production: dict) -> None:
    """Every cost code's actual = the clean invoice, petty cash and payroll lines of the raw files."""
    faults = {(f["file"], int(f["line"])) for f in production["manifest"]["faults"]}
    chart = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "src/prodlib/data/charts/feature_us_sample.yaml").read_text()
    )
    keyword = [(re.compile(r["pattern"]), r["code"]) for r in chart["keyword_rules"]]
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for src in production["sources"]["sources"]:
        if src["kind"] not in ("invoice", "petty_cash", "payroll"):
            continue
        cols = src["columns"]
        path = production["sample"] / src["path"]
        for line, row in data_rows(path, src.get("delimiter", ","), src.get("encoding", "utf-8")).items():
            if (src["path"], line) in faults:
                continue
            raw_code = row.get(cols.get("cost_code", ""), "").strip()
            if raw_code:
                code = plain_code(raw_code)
            elif src.get("default_cost_code"):
                code = plain_code(src["default_cost_code"])
            else:
                (code,) = {c for p, c in keyword if p.search(row.get(cols.get("description", ""), ""))}
            if len(code) == 4:  # a bare account with a single detail
                code = f"{code}-01"
            expected[code] += plain_amount(row[cols["amount"]], src.get("money_locale", "us"))
    led = Ledger.open(production["url"])
    actual = led.actuals()
    fringe_accounts = {a["code"] for a in chart["accounts"] if a.get("fringe")}  # the x900s carry fringes
    got = {c: a for c, a in zip(actual["cost_code"], actual["amount"], strict=True) if c[:4] not in fringe_accounts}
    assert len(expected) > 20
    assert got == dict(expected)


def test_the_rendered_cost_report_shows_figures_recomputed_from_the_raw_files(production: dict) -> None:
    """The cost report a bond rep opens: budget per account from the raw budget export, actuals per
    account from the clean raw lines, the grand total as text in an HTML page that loads nothing."""
    from prodlib.reports.render import notebooks_dir, render_report

    out = production["root"] / "reports"
    html_path = render_report(notebooks_dir() / "cost_report.ipynb", out / "cost_report.html",
                              {"database_url": production["url"], "export_dir": str(out),
                               "production_title": "e2e", "budget_version": "BV-1-LOCKED"})
    with (out / "cost_report.csv").open(newline="") as fh:
        rows = {(r["kind"], r["key"]): r for r in csv.DictReader(fh)}
    # Budget per account, straight from the budget export.
    src = next(s for s in production["sources"]["sources"] if s["kind"] == "budget")
    budget: dict[str, Decimal] = defaultdict(Decimal)
    for row in data_rows(production["sample"] / src["path"], ",", "utf-8").values():
        budget[plain_code(row[src["columns"]["cost_code"]])[:4]] += plain_amount(row[src["columns"]["amount"]], "us")
    for account, amount in budget.items():
        kind = "below_grand_total" if account in ("8000", "8100") else "account"
        assert Decimal(rows[(kind, account)]["budget"]) == amount, account
    grand_budget = sum(budget.values(), Decimal(0))
    assert Decimal(rows[("grand_total", "GRAND_TOTAL")]["budget"]) == grand_budget
    # Actuals per non-fringe account equal the ledger's, which the test above recomputed from raw lines.
    led = Ledger.open(production["url"])
    by_account: dict[str, Decimal] = defaultdict(Decimal)
    actuals = led.actuals()
    for code, amount in zip(actuals["cost_code"], actuals["amount"], strict=True):
        by_account[code[:4]] += amount
    for account, amount in by_account.items():
        assert Decimal(rows[("account", account)]["actual"]) == amount, account
    html = html_path.read_text(encoding="utf-8")
    assert f"{grand_budget:,.2f}" in html
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']https?:", html)


def test_the_same_exports_give_the_same_books_and_hashes(production: dict) -> None:
    """Deterministic: a second ledger built from the same files has the same entries, hashes and
    quarantine, whatever the wall clock said (time is recorded beside the hashes, not inside)."""
    url2 = f"sqlite:///{production['root'] / 'books-again.db'}"
    run(production["sample"], url2)
    first, again = Ledger.open(production["url"]), Ledger.open(url2)
    e1, e2 = first.entries_frame(), again.entries_frame()
    assert len(e1) > 1000
    assert e1["entry_hash"].tolist() == e2["entry_hash"].tolist()
    assert e1.drop(columns=["recorded_at"]).equals(e2.drop(columns=["recorded_at"]))
    q1, q2 = first.quarantine_frame(), again.quarantine_frame()
    cols = ["source_file", "source_line", "reason", "detail", "payload"]
    assert q1[cols].equals(q2[cols])

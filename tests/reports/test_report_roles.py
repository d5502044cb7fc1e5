"""Reports respect roles: the completion bond representative's reports of the sample production.

The sample (indie, seed 7) is generated, run into a fresh ledger, and its reports rendered twice:
for ``bond_rep`` (person P-0601, the bond representative of the sample's roles.yaml) through the CLI,
and for the production accountant. The employee
names and ids are read here from the sample's own payroll register and timecards (not from prodlib):
none may appear in any HTML, CSV or JSON file of the bond representative's folder, and the same
search of the production accountant's folder finds them (the exceptions report lists quarantined
payroll rows with their raw row), so the search can fail.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from prodlib import cli
from prodlib.reports.audience import DEFAULT_ROLE, ROLE_COLUMN, ROLE_IDS, RoleError, audience
from prodlib.reports.cashflow import cash_flow

pytestmark = pytest.mark.slow  # renders the notebooks twice (about 30 s each)

BOND_REPORTS = {"cost_report", "contingency", "cash_flow", "exceptions"}


def people(sample: Path) -> set[str]:
    """Every employee name ("Brooks, Sofia") and id ("E10001") of the sample payroll and timecards."""
    found: set[str] = set()
    files = [sample / "payroll" / "payroll_register.csv", *sorted((sample / "timecards").glob("*.csv"))]
    for f in files:
        with f.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                found |= {row["Emp ID"], row.get("Employee Name") or row["Employee"]}
    return {p for p in found if p}


@pytest.fixture(scope="module")
def sample_books(tmp_path_factory):
    from prodlib.pipeline import run
    from prodlib.sample import generate

    root = tmp_path_factory.mktemp("bond")
    generate(root / "sample", scale="indie", seed=7)
    url = f"sqlite:///{root / 'books.db'}"
    run(root / "sample", url)
    return root, url


@pytest.fixture(scope="module")
def bond_folder(sample_books):
    root, url = sample_books
    out = root / "bond"
    code = cli.main(["report", "--db", url, "--input", str(root / "sample"), "--out", str(out),
                     "--role", "bond_rep", "--person", "P-0601"])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def accountant_folder(sample_books):
    from prodlib.reports.render import render_all

    root, url = sample_books
    out = root / "accountant"
    render_all(url, out, {"production_title": "The Long Take"}, remittance_dir=root / "no-remittance")
    return out


def leaks(folder: Path, names: set[str]) -> dict[str, list[str]]:
    hits = {}
    for f in sorted(folder.iterdir()):
        if f.suffix in (".html", ".csv", ".json"):
            text = f.read_text(encoding="utf-8")
            found = sorted(n for n in names if n in text)
            if found:
                hits[f.name] = found
    return hits


def test_the_sample_payroll_has_people_to_hide(sample_books):
    names = people(sample_books[0] / "sample")
    assert "E10001" in names and "Brooks, Sofia" in names  # first line of the register
    assert len(names) > 20


def test_bond_rep_reports_carry_no_person_level_pay(sample_books, bond_folder):
    names = people(sample_books[0] / "sample")
    assert {p.stem for p in bond_folder.glob("*.html")} == BOND_REPORTS | {"index"}
    assert leaks(bond_folder, names) == {}


def test_the_same_search_finds_the_people_in_the_accountants_reports(sample_books, accountant_folder):
    names = people(sample_books[0] / "sample")
    hits = leaks(accountant_folder, names)
    assert "exceptions.html" in hits and "exceptions.csv" in hits  # payroll rows listed by employee


def test_every_bond_rep_page_and_csv_names_its_role(bond_folder):
    for page in bond_folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        if page.name == "index.html":
            assert "for role bond_rep (completion bond representative, for P-0601)" in text
        else:
            assert "role bond_rep (completion bond representative), person P-0601" in text, page.name
    csvs = sorted(bond_folder.glob("*.csv"))
    assert len(csvs) >= 6
    for f in csvs:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        assert frame.columns[-1] == ROLE_COLUMN, f.name
        assert set(frame[ROLE_COLUMN]) <= {"bond_rep"}, f.name
    for stamp in bond_folder.glob("*.stamp.json"):
        doc = json.loads(stamp.read_text(encoding="utf-8"))
        assert (doc["role"], doc["person"]) == ("bond_rep", "P-0601")


def test_bond_rep_exceptions_are_counts_only(bond_folder, accountant_folder):
    counts = pd.read_csv(bond_folder / "exceptions.csv", dtype=str)
    rows = pd.read_csv(accountant_folder / "exceptions.csv", dtype=str)
    assert list(counts.columns) == ["kind", "reason", "description", "exceptions", "amount", ROLE_COLUMN]
    assert sum(int(n) for n in counts["exceptions"]) == len(rows) > 0  # every waiting exception counted, none listed
    # the same amounts at stake: the sizes of the listed rows' amounts (a credit is at stake as much as a charge)
    assert sum(Decimal(a) for a in counts["amount"]) == sum(abs(Decimal(a)) for a in rows["amount"] if a == a)
    page = (bond_folder / "exceptions.html").read_text(encoding="utf-8")
    assert "Counts and amounts only for the bond_rep role" in page


def test_bond_rep_reads_are_in_the_query_log(sample_books, bond_folder, capsys):
    _, url = sample_books
    assert cli.main(["audit", "queries", "--db", url, "--person", "P-0601"]) == 0
    out = capsys.readouterr()
    assert "logged queries by P-0601" in out.err
    for stem in BOND_REPORTS:
        assert f"report {stem}" in out.out
    assert cli.main(["audit", "verify", "--db", url]) == 0
    assert "logged queries verified" in capsys.readouterr().out


def test_cash_flow_ties_to_the_cost_report(bond_folder):
    flow = pd.read_csv(bond_folder / "cash_flow.csv", dtype=str)
    cost = pd.read_csv(bond_folder / "cost_report.csv", dtype=str)
    actual = next(Decimal(a) for k, a in zip(cost["kind"], cost["actual"], strict=True) if k == "grand_total")
    assert sum(Decimal(v) for v in flow["incurred"]) == actual == Decimal(flow["cumulative"].iloc[-1])


def test_an_unknown_role_is_exit_2(sample_books, tmp_path):
    _, url = sample_books
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", "--db", url, "--out", str(tmp_path), "--role", "producer"])
    assert stop.value.code == 2
    with pytest.raises(RoleError):
        audience("producer")


def test_a_logged_role_must_name_its_person(sample_books, tmp_path, capsys):
    _, url = sample_books
    assert cli.main(["report", "--db", url, "--out", str(tmp_path), "--role", "auditor"]) == 2
    assert "queries are logged by person" in capsys.readouterr().err


def test_bond_rep_refuses_a_folder_holding_remittance_files(sample_books, tmp_path, capsys):
    _, url = sample_books
    (tmp_path / "remittance").mkdir()
    assert cli.main(["report", "--db", url, "--out", str(tmp_path), "--role", "bond_rep", "--person", "B"]) == 2
    assert "person-level pay" in capsys.readouterr().err


def test_a_person_without_the_role_is_exit_2(sample_books, tmp_path, capsys):
    root, url = sample_books
    code = cli.main(["report", "--db", url, "--input", str(root / "sample"), "--out", str(tmp_path),
                     "--role", "bond_rep", "--person", "P-0101"])  # P-0101 is a production accountant
    assert code == 2
    assert "'P-0101' does not hold the bond_rep role" in capsys.readouterr().err


def test_a_department_head_sees_their_departments_accounts_only(sample_books, tmp_path):
    """P-0301 (Sam Okafor) heads camera: account 3300 in the sample's roles.yaml. The cost report's
    account lines with any budget or cost are 3300's; the production's other accounts show nothing."""
    root, url = sample_books
    out = tmp_path / "camera"
    assert cli.main(["report", "--db", url, "--input", str(root / "sample"), "--out", str(out),
                     "--role", "department_head", "--person", "P-0301"]) == 0
    assert {p.name for p in out.glob("*.html")} == {"cost_report.html", "index.html"}
    cost = pd.read_csv(out / "cost_report.csv", dtype=str)
    lines = cost[cost["kind"] == "account"]
    busy = lines[[Decimal(b) != 0 or Decimal(a) != 0 for b, a in zip(lines["budget"], lines["actual"], strict=True)]]
    assert list(busy["account"]) == ["3300"]
    assert cli.main(["report", "--db", url, "--out", str(out), "--role", "department_head"]) == 2  # no scope


def test_role_lists_agree():
    assert cli.ROLE_CHOICES == ROLE_IDS and DEFAULT_ROLE == "production_accountant"
    assert [audience(r).role for r in ROLE_IDS] == list(ROLE_IDS)  # the policy file covers every role


# --- the builders, without a ledger (the exceptions report by role: tests/exceptions/test_report.py) ---


def test_cash_flow_by_month_and_week_worked_by_hand():
    """Costs: Mon 2026-03-02 AP 100.00; Wed 03-04 payroll 200.00 and MPI fringes 20.00; Wed 04-01 an AP
    credit note -10.00; a reclass between cost accounts (no balance-sheet line) nets 0.00 on 03-05.
    Cash out 50.00 on 03-05. Budget 1,000.00.
    March: vendors 100 + payroll 200 + fringes 20 = 320.00, cumulative 320.00 = 32.0 % of budget, cash 50.00.
    April: vendors -10.00, cumulative 310.00 = 31.0 %. Remaining 1,000.00 - 310.00 = 690.00.
    Weeks: Monday 2026-03-02 holds all of March's 320.00; 04-01 falls in the week of Monday 03-30: -10.00."""
    cost = pd.DataFrame({"entry_date": ["2026-03-02", "2026-03-04", "2026-03-04", "2026-04-01", "2026-03-05"],
                         "stream": ["AP", "PAYROLL_LIABILITY", "FRINGE_PAYABLE:MPI", "AP", None],
                         "amount_cents": [10000, 20000, 2000, -1000, 0]})
    cash = pd.DataFrame({"entry_date": ["2026-03-05"], "amount_cents": [5000]})
    month = cash_flow(cost, cash, Decimal("1000.00"), "month")
    p = month.periods
    assert list(p["period"]) == ["2026-03", "2026-04"]
    assert [str(v) for v in p["vendors"]] == ["100.00", "-10.00"]
    assert [str(v) for v in p["payroll"]] == ["200.00", "0.00"] and str(p["fringes"].iloc[0]) == "20.00"
    assert [str(v) for v in p["incurred"]] == ["320.00", "-10.00"]
    assert [str(v) for v in p["cumulative"]] == ["320.00", "310.00"]
    assert list(p["percent_of_budget"]) == ["32.0", "31.0"]
    assert [str(v) for v in p["cash_paid"]] == ["50.00", "0.00"]
    assert (str(month.total_incurred), str(month.remaining_budget), str(month.total_cash_paid)) == \
        ("310.00", "690.00", "50.00")
    week = cash_flow(cost, cash, Decimal("1000.00"), "week")
    assert list(week.periods["period"]) == ["2026-03-02", "2026-03-30"]
    assert [str(v) for v in week.periods["incurred"]] == ["320.00", "-10.00"]

"""The P&H report applies the production's own remittance terms (its ``rules:`` folder), as the run did.

Scenario: one SAG-AFTRA P&H contribution of 210.00 for the week ending 2026-03-07, unpaid, posted
and written to the remittance file by a run under the production's side letter
(rules/plans/sag_aftra.yaml: due 15 days after the period end -> 2026-03-22; late interest 12% a
year, actual/365). The report is run as of 2026-05-20: 59 days past 2026-03-22.

- With the production's rules folder: the file's due date is the terms' (no exception); interest
  210.00 x 0.12 x 59 / 365 = 1,486.80 / 365 = 4.0734... -> 4.07.
- With the shipped rules only (the bug): the shipped terms say due 30 days after -> 2026-04-06, so the
  file's 2026-03-22 is reported as a wrong due date, and the charge is the shipped liquidated damages:
  59 days late is past the 30-day step, 10% x 210.00 = 21.00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from prodlib.cli import build_parser
from prodlib.ledger import Ledger
from prodlib.money import MONEY_DTYPE
from prodlib.reports.load import load_pnh_inputs
from prodlib.reports.pnh import pnh_remittance

SIDE_LETTER = """plan: SAG-AFTRA
name: SAG-AFTRA (our side letter's remittance terms)
covers: {unions: [SAG-AFTRA]}
date_basis: pp_date
fringe_detail: ["02"]
remittance:
  due: {days_after_period_end: 15}
  late_charges: {kind: interest, annual_rate: "0.12", day_count: 365}
  source: "side letter of 2026-01-15"
  verified: true
rates: []
"""


def books(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    postings = pd.DataFrame({
        "source_line": [2], "row_hash": ["a"], "entry_date": [date(2026, 3, 7)], "debit_account": ["1900-02"],
        "credit_account": ["FRINGE_PAYABLE:SAG-AFTRA"], "amount": pd.Series([Decimal("210.00")], dtype=MONEY_DTYPE),
        "description": ["P&H"], "document_no": ["SAG-AFTRA:P&H:2026-03-07"], "party_id": ["E1"],
    })
    with Ledger.open(url) as led:
        led.post_batch("pay:fringes", "payroll.csv (fringes)", "h1", "fringe", postings, None, 1)
    return url


TOTALS = """employer_code,title,plan,fund,period_end,due_date,people,gross_subject,hours,contribution
EMP,T,SAG-AFTRA,P&H,2026-03-07,2026-03-22,1,1000.00,0,210.00
"""


def sag_row(tmp_path: Path, rules_dir: str | Path) -> dict:
    remittance = tmp_path / "remittance"
    remittance.mkdir(exist_ok=True)
    (remittance / "SAG_AFTRA__P_H__totals.csv").write_text(TOTALS, encoding="utf-8")
    inputs = load_pnh_inputs(books(tmp_path), remittance, as_of="2026-05-20", rules_dir=rules_dir)
    report = pnh_remittance(inputs.totals, inputs.ledger_lines, inputs.plans, inputs.as_of, inputs.detail,
                            inputs.notes)
    row = report.funds[report.funds.plan == "SAG-AFTRA"].iloc[0]
    return {"late": int(row["days_late"]), "charge": Decimal(str(row["late_charge"])),
            "exceptions": sorted(report.exceptions["kind"])}


def test_the_productions_side_letter_terms_are_applied(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "plans").mkdir(parents=True)
    (rules / "plans" / "sag_aftra.yaml").write_text(SIDE_LETTER, encoding="utf-8")
    assert sag_row(tmp_path, rules) == {"late": 59, "charge": Decimal("4.07"), "exceptions": []}


def test_shipped_terms_alone_misjudge_the_same_file(tmp_path: Path) -> None:
    assert sag_row(tmp_path, "") == {"late": 59, "charge": Decimal("21.00"), "exceptions": ["due_date"]}


def test_the_notebook_reads_the_rules_folder_and_report_passes_it() -> None:
    nb = (Path(__file__).resolve().parents[2] / "src" / "prodlib" / "notebooks" / "pnh_remittance.ipynb").read_text()
    assert "rules_dir = \\\"\\\"" in nb and "inputs.plans" in nb and "load_plans()" not in nb
    assert build_parser().parse_args(["report", "--input", "x", "--out", "y"]).input == "x"

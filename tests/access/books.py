"""Two small productions in one database, ALPHA and BETA, with figures worked by hand.

ALPHA ("The Long Take"), March 2026:
  invoices (acme.csv, 3 posted + 2 quarantined):
    3300-02 camera rental      1,000.00   Dr 3300-02 / Cr AP
    2500-02 grip rental          400.00
    3300-03 camera expendables   250.50
  payroll (payroll.csv, 2 posted + 1 quarantined):
    E-CAM1  3300-01 camera crew 2,500.00  Dr 3300-01 / Cr PAYROLL_LIABILITY
    E-GRIP1 2500-01 grip labor  1,800.00
  budget BV-1: 3300-01 5,000.00 + 3300-02 2,000.00 + 2500-02 1,000.00 = 8,000.00
  period 2026-02 closed.
  => AP -1,650.50; PAYROLL_LIABILITY -4,300.00; costs 5,950.50 (camera 3,750.50, grip 2,200.00);
     3 quarantined rows (2 MALFORMED_AMOUNT, 1 MISSING_EMPLOYEE).
BETA, the same month, the same budget version id and the same closed period:
  invoice 3300-02 7,777.77 (Cr AP); payroll E-BETA1 3300-01 9,999.99; budget BV-1: 3300-01 50,000.00.
  => costs 17,777.76; no quarantine.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from prodlib.ledger import Ledger
from tests.ledger.helpers import money, quarantine

ALPHA, BETA = "ALPHA", "BETA"


def lines(rows: list[tuple[str, str, str, str, str]], start: int = 2) -> pd.DataFrame:
    """rows: (date, debit, credit, amount, party)."""
    return pd.DataFrame({
        "source_line": list(range(start, start + len(rows))),
        "row_hash": [f"rh-{r[4]}-{start + i}" for i, r in enumerate(rows)],
        "entry_date": [r[0] for r in rows], "debit_account": [r[1] for r in rows],
        "credit_account": [r[2] for r in rows], "amount": money(*[r[3] for r in rows]),
        "description": [f"line {start + i}" for i in range(len(rows))],
        "document_no": [f"D-{r[4]}-{i}" for i, r in enumerate(rows)], "party_id": [r[4] for r in rows],
    })


def budget(rows: list[tuple[str, str]]) -> dict:
    frame = pd.DataFrame({"cost_code": [c for c, _ in rows], "description": [c for c, _ in rows],
                          "amount": money(*[a for _, a in rows])})
    return {"version_id": "BV-1", "lines": frame, "locked_on": "2026-01-02", "author": "Line producer"}


def post_alpha(url: str) -> None:
    with Ledger.open(url, production_id=ALPHA) as led:
        led.record_budget(**budget([("3300-01", "5000.00"), ("3300-02", "2000.00"), ("2500-02", "1000.00")]))
        led.close_period("2026-02", author="Dana Whitfield")
        led.post_batch("acme", "acme.csv", "H-ACME", "invoice", lines([
            ("2026-03-02", "3300-02", "AP", "1000.00", "V-ACME"),
            ("2026-03-03", "2500-02", "AP", "400.00", "V-ACME"),
            ("2026-03-04", "3300-03", "AP", "250.50", "V-ACME")]), quarantine([7, 8]), 5)
        led.post_batch("payroll", "payroll.csv", "H-PAY", "payroll", lines([
            ("2026-03-06", "3300-01", "PAYROLL_LIABILITY", "2500.00", "E-CAM1"),
            ("2026-03-06", "2500-01", "PAYROLL_LIABILITY", "1800.00", "E-GRIP1")]),
            quarantine([9], "MISSING_EMPLOYEE"), 3)


def post_beta(url: str) -> None:
    with Ledger.open(url, production_id=BETA) as led:
        led.record_budget(**budget([("3300-01", "50000.00")]))
        led.close_period("2026-02", author="Someone else")
        # the same file name and hash as ALPHA's: a file is posted once per production, not per database
        led.post_batch("acme", "acme.csv", "H-ACME", "invoice", lines([
            ("2026-03-02", "3300-02", "AP", "7777.77", "V-ACME")]), None, 1)
        led.post_batch("payroll", "payroll.csv", "H-PAY-B", "payroll", lines([
            ("2026-03-06", "3300-01", "PAYROLL_LIABILITY", "9999.99", "E-BETA1")]), None, 1)


def two_productions(url: str) -> str:
    post_alpha(url)
    post_beta(url)
    return url


def d(text: str) -> Decimal:
    return Decimal(text)


#: Who holds what on ALPHA and BETA (db_user: the PostgreSQL login the RLS tests create, suffixed).
ROLES_YAML = """\
departments:
  - {id: camera, name: Camera, accounts: ["3300"]}
members:
  - {id: P-PA, name: Dana Whitfield, roles: [production_accountant], productions: [ALPHA], db_user: access_pa}
  - {id: P-PAY, name: Mina Castellanos, roles: [payroll_processor], productions: [ALPHA], db_user: access_pay}
  - {id: P-CAM, name: Sam Okafor, roles: [department_head], productions: [ALPHA], departments: [camera],
     db_user: access_cam}
  - {id: P-LP, name: Priya Halvorsen, roles: [line_producer], productions: [ALPHA], db_user: access_lp}
  - {id: P-UPM, name: Tomas Eberly, roles: [upm], productions: [ALPHA], db_user: access_upm}
  - {id: P-EXEC, name: Celeste Arango, roles: [studio_executive], productions: [ALPHA, BETA], db_user: access_exec}
  - {id: P-BOND, name: Howard Pell, roles: [bond_rep], productions: [ALPHA], db_user: access_bond}
  - {id: P-AUD, name: Aiko Brandt, roles: [auditor], productions: [BETA], db_user: access_aud}
"""
#: person -> role, as ROLES_YAML gives them.
PEOPLE = {"P-PA": "production_accountant", "P-PAY": "payroll_processor", "P-CAM": "department_head",
          "P-LP": "line_producer", "P-UPM": "upm", "P-EXEC": "studio_executive", "P-BOND": "bond_rep",
          "P-AUD": "auditor"}

#: ALPHA's account balances in cents (see the module docstring).
ALPHA_BALANCES = {"2500-01": 180000, "2500-02": 40000, "3300-01": 250000, "3300-02": 100000, "3300-03": 25050,
                  "AP": -165050, "PAYROLL_LIABILITY": -430000}

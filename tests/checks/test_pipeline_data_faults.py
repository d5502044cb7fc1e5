"""Issue 8's data faults through ``pipeline.run``: every kind's document and guild rules run, a refused
timecard (by a rule or by ingest) holds its day's pay lines, bank ids are remembered across bank files.

Grip G, IATSE, base 45.00, window 2026-01-05 .. 2026-06-26 (period ends up to 2026-07-02).
Timecards (tc.csv):  line 2  03-03 07:00, meal 13:00-13:30, wrap 15:30: 8 h worked, readable.
                     line 3  03-04 meal 1 out 13:00, in blank         -> TIMECARD_UNREADABLE
                     line 4  03-05 call "7:6O"                         -> MALFORMED_VALUE (ingest)
                     line 5  03-06 call 07:00 = wrap, meal 12:00-12:30 -> IMPOSSIBLE_TIMECARD
Payroll (pay.csv):   line 2  03-03 REG 8 x 45 = 360.00                 posts (8 h worked, no overtime due)
                     lines 3-5  03-04 / 03-05 / 03-06 REG 360.00       -> TIMECARD_QUARANTINED (held days)
                     line 6  PER_DIEM, period end 2026-07-11 > 07-02   -> DATE_OUT_OF_WINDOW (period_end)
                     line 7  PER_DIEM, period end 2026-07-02           posts (week ending of the wrap week)
                     line 8  03-03 REG -8 h on 360.00                  -> NEGATIVE_HOURS
                     line 9  03-03 OT_1_5 1 h x 45: 67.50 (or 45.00 at a premium rate), pays 99.00
                                                                       -> AMOUNT_NOT_HOURS_TIMES_RATE
Petty cash (pc.csv): line 3 repeats line 2 (ENV-1, 03-03, 12.50, Coffee) -> DUPLICATE_RECEIPT
Bank: bank1.csv line 4 repeats T-1 of line 2; bank2.csv (read after it) line 2 has T-2 of bank1.csv
                                                                       -> DUPLICATE_BANK_TRANSACTION
Budget (budget.csv): 2500-01 on lines 2 and 4                          -> DUPLICATE_BUDGET_LINE, both
"""

from __future__ import annotations

from pathlib import Path

import yaml

from prodlib.ledger import Ledger
from prodlib.pipeline import run

PRODUCTION = """production_id: DF-1
title: Data faults (test)
employer_code: EMP-1
currency: USD
window: {start: 2026-01-05, end: 2026-06-26}
principal_photography: 2026-03-02
budget: {version: BV-1, locked_on: 2026-01-02, author: Line producer}
"""
FILES = {
    "tc.csv": "Emp,Date,Call,M1Out,M1In,M2Out,M2In,Wrap\n"
              "G,2026-03-03,07:00,13:00,13:30,,,15:30\n"
              "G,2026-03-04,07:00,13:00,,,,15:30\n"
              "G,2026-03-05,7:6O,13:00,13:30,,,15:30\n"
              "G,2026-03-06,07:00,12:00,12:30,,,07:00\n",
    "pay.csv": "Emp,Union,Class,State,PeriodEnd,WorkDate,Account,Earning,Hours,Rate,Amount\n"
               "G,IATSE,Grip,CA,2026-03-07,2026-03-03,2500-01,REG,8,45,360.00\n"
               "G,IATSE,Grip,CA,2026-03-07,2026-03-04,2500-01,REG,8,45,360.00\n"
               "G,IATSE,Grip,CA,2026-03-07,2026-03-05,2500-01,REG,8,45,360.00\n"
               "G,IATSE,Grip,CA,2026-03-07,2026-03-06,2500-01,REG,8,45,360.00\n"
               "G,IATSE,Grip,CA,2026-07-11,,1500-03,PER_DIEM,,,60.00\n"
               "G,IATSE,Grip,CA,2026-07-02,,1500-03,PER_DIEM,,,60.00\n"
               "G,IATSE,Grip,CA,2026-03-07,2026-03-03,2500-01,REG,-8,45,360.00\n"
               "G,IATSE,Grip,CA,2026-03-07,2026-03-03,2500-01,OT_1_5,1,45,99.00\n",
    "pc.csv": "Env,Custodian,Date,Account,Description,Amount\n"
              "ENV-1,C,2026-03-03,2500-02,Coffee,12.50\nENV-1,C,2026-03-03,2500-02,Coffee,12.50\n",
    "bank1.csv": "TxnId,Date,Description,Amount\nT-1,2026-03-03,Wire,-250.00\nT-2,2026-03-04,Fee,-12.50\n"
                 "T-1,2026-03-03,Wire,-250.00\n",
    "bank2.csv": "TxnId,Date,Description,Amount\nT-2,2026-03-04,Fee,-12.50\nT-3,2026-03-05,Fee,-1.00\n",
    "budget.csv": "Account,Description,Amount\n2500-01,Grip labor,10000.00\n2500-02,Grip rentals,5000.00\n"
                  "2500-01,Grip labor,12000.00\n",
}
COLUMNS = {
    "timecard": {"employee_id": "Emp", "work_date": "Date", "call_time": "Call", "meal1_out": "M1Out",
                 "meal1_in": "M1In", "meal2_out": "M2Out", "meal2_in": "M2In", "wrap_time": "Wrap"},
    "payroll": {"employee_id": "Emp", "union": "Union", "classification": "Class", "state": "State",
                "period_end": "PeriodEnd", "work_date": "WorkDate", "cost_code": "Account", "earning_type": "Earning",
                "hours": "Hours", "rate": "Rate", "amount": "Amount"},
    "petty_cash": {"envelope_id": "Env", "custodian": "Custodian", "receipt_date": "Date", "cost_code": "Account",
                   "description": "Description", "amount": "Amount"},
    "bank": {"transaction_id": "TxnId", "posted_date": "Date", "description": "Description", "amount": "Amount"},
    "budget": {"cost_code": "Account", "description": "Description", "amount": "Amount"},
}
KINDS = {"tc.csv": "timecard", "pay.csv": "payroll", "pc.csv": "petty_cash", "bank1.csv": "bank",
         "bank2.csv": "bank", "budget.csv": "budget"}


def test_issue_8_data_faults_through_the_run(tmp_path: Path) -> None:
    (tmp_path / "production.yaml").write_text(PRODUCTION)
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    sources = [{"id": name.removesuffix(".csv"), "kind": kind, "path": name, "columns": COLUMNS[kind]}
               for name, kind in KINDS.items()]
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"production": "production.yaml", "sources": sources}))
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    result = run(tmp_path, url)
    assert not result.errors
    q = Ledger.open(url).quarantine_frame()
    got = sorted(zip(q["source_file"], q["source_line"].astype(int), q["reason"], strict=True))
    assert got == sorted([
        ("tc.csv", 3, "TIMECARD_UNREADABLE"), ("tc.csv", 4, "MALFORMED_VALUE"), ("tc.csv", 5, "IMPOSSIBLE_TIMECARD"),
        ("pay.csv", 3, "TIMECARD_QUARANTINED"), ("pay.csv", 4, "TIMECARD_QUARANTINED"),
        ("pay.csv", 5, "TIMECARD_QUARANTINED"), ("pay.csv", 6, "DATE_OUT_OF_WINDOW"), ("pay.csv", 8, "NEGATIVE_HOURS"),
        ("pay.csv", 9, "AMOUNT_NOT_HOURS_TIMES_RATE"),
        ("pc.csv", 3, "DUPLICATE_RECEIPT"),
        ("bank1.csv", 4, "DUPLICATE_BANK_TRANSACTION"), ("bank2.csv", 2, "DUPLICATE_BANK_TRANSACTION"),
        ("budget.csv", 2, "DUPLICATE_BUDGET_LINE"), ("budget.csv", 4, "DUPLICATE_BUDGET_LINE"),
    ])
    where = list(zip(q["source_file"], q["source_line"].astype(int), strict=True))
    details = dict(zip(where, q["detail"], strict=True))
    assert details[("pay.csv", 3)] == ("the timecard of G for 2026-03-04 is in the quarantine "
                                       "(tc.csv, line 3: TIMECARD_UNREADABLE)")
    assert details[("pay.csv", 4)].endswith("(tc.csv, line 4: MALFORMED_VALUE)")
    assert details[("bank2.csv", 2)] == "transaction T-2 was read in an earlier bank file"
    assert all(s.rows_read == s.accepted + s.quarantined + s.already_posted for s in result.sources)


def test_a_cumulative_re_export_keeps_a_repeated_receipt_waiting(tmp_path: Path) -> None:
    # Week 1: ENV-1's 12.50 coffee is typed twice; line 3 waits as DUPLICATE_RECEIPT, line 2 posts.
    # Week 2 re-exports both with a new 4.00 receipt: line 2 is already posted (set aside by its row
    # key), line 3 is still a repeat -- of a line already posted -- so it waits again; only the 4.00 posts.
    # Petty cash relieved: 12.50, then 4.00 -> 16.50, never 29.00.
    (tmp_path / "production.yaml").write_text(PRODUCTION)
    (tmp_path / "pc.csv").write_text(FILES["pc.csv"])
    sources = [{"id": "pc", "kind": "petty_cash", "path": "pc.csv", "columns": COLUMNS["petty_cash"]}]
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"production": "production.yaml", "sources": sources}))
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    first = run(tmp_path, url)
    assert (first.sources[0].accepted, first.sources[0].quarantined) == (1, 1)
    (tmp_path / "pc.csv").write_text(FILES["pc.csv"] + "ENV-1,C,2026-03-04,2500-02,Tape,4.00\n")
    second = run(tmp_path, url).sources[0]
    assert (second.rows_read, second.accepted, second.quarantined, second.already_posted) == (3, 1, 1, 1)
    assert second.reasons == {"DUPLICATE_RECEIPT": 1}
    with Ledger.open(url, readonly=True) as led:
        assert led.account_balances()["PETTY_CASH"] == -1650  # cents

"""Petty cash envelopes balance before their lines post (rule ``envelope_balance``), worked by hand.

The check register (register.csv) and the receipts (pc.csv):
  PC-1  advance check 7001 -300.00, change back DEP-1 +80.25; receipts 120.50 + 99.25 = 219.75
        219.75 + 80.25 = 300.00: balanced, both lines post
  PC-2  advance check 7002 -200.00, change back DEP-2 +15.00; receipts 150.00 + 30.00 = 180.00
        180.00 + 15.00 = 195.00: 5.00 unaccounted for -> both lines held, ENVELOPE_UNBALANCED, one detail
  PC-4  no advance in the register; receipt 40.00: 40.00 over -> held
Petty cash posted: 219.75 only (the PETTY_CASH account is credited -219.75).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml

from prodlib.checks import make_context, rule
from prodlib.checks.envelope_balance import envelope_cash
from prodlib.ledger import Ledger
from prodlib.money import to_money_series
from prodlib.pipeline import run
from prodlib.reconcile.night import load_inputs, reconcile_night
from tests.checks.test_pipeline_data_faults import COLUMNS, PRODUCTION

D = Decimal
PC = ("Env,Custodian,Date,Account,Description,Amount\n"
      "PC-1,Kim,2026-03-03,2500-02,Gloves,120.50\n"
      "PC-2,Kim,2026-03-03,2500-02,Tape,150.00\n"
      "PC-1,Kim,2026-03-04,2500-02,Batteries,99.25\n"
      "PC-2,Kim,2026-03-04,2500-02,Coffee,30.00\n"
      "PC-4,Lee,2026-03-05,2500-02,Ice,40.00\n")
REGISTER = ("Check,Type,Date,Payee,Env,Amount\n"
            "7001,check,2026-03-02,Kim,PC-1,-300.00\n"
            "7002,check,2026-03-02,Kim,PC-2,-200.00\n"
            "DEP-1,deposit,2026-03-06,Kim,PC-1,80.25\n"
            "DEP-2,deposit,2026-03-06,Kim,PC-2,15.00\n")
REGISTER_COLUMNS = {"document_no": "Check", "method": "Type", "payment_date": "Date", "payee_id": "Payee",
                    "envelope_id": "Env", "amount": "Amount"}


def test_envelope_cash_reads_advances_out_and_returns_in() -> None:
    cash = pd.DataFrame({"envelope_id": ["PC-1", "PC-1", "PC-2", "", "PC-2"],
                         "amount": to_money_series([D("-300.00"), D("80.25"), D("-200.00"), D("-9.99"), D("15.00")])})
    assert envelope_cash(cash) == {"PC-1": (30000, 8025), "PC-2": (20000, 1500)}


def test_the_rule_holds_every_line_of_an_unbalanced_envelope() -> None:
    frame = pd.DataFrame({"envelope_id": ["PC-1", "PC-2", "PC-1", "PC-2"], "source_line": [2, 3, 4, 5],
                          "amount": to_money_series([D("120.50"), D("150.00"), D("99.25"), D("30.00")])})
    ctx = replace(make_context(None), envelope_cash={"PC-1": (30000, 8025), "PC-2": (20000, 1500)})
    valid, q = rule("envelope_balance").check(frame, ctx)
    assert list(valid["source_line"]) == [2, 4]
    assert list(q["reason"]) == ["ENVELOPE_UNBALANCED"] * 2
    assert set(q["detail"]) == {"envelope PC-2: advance 200.00 against receipts 180.00 and returned cash 15.00: "
                                "5.00 unaccounted for; its 2 lines are held together"}
    # Without a check register nothing can be balanced: the rule is not checked.
    valid, q = rule("envelope_balance").check(frame, make_context(None))
    assert len(valid) == 4 and q.empty


def _folder(root: Path) -> str:
    (root / "production.yaml").write_text(PRODUCTION)
    (root / "pc.csv").write_text(PC)
    (root / "register.csv").write_text(REGISTER)
    sources = [{"id": "pc", "kind": "petty_cash", "path": "pc.csv", "columns": COLUMNS["petty_cash"]},
               {"id": "register", "kind": "check_register", "path": "register.csv", "columns": REGISTER_COLUMNS,
                "constants": {"bank_account": "OP"}}]
    (root / "sources.yaml").write_text(yaml.safe_dump({"production": "production.yaml", "sources": sources}))
    return f"sqlite:///{root / 'ledger.db'}"


def test_through_the_run_and_the_night(tmp_path: Path) -> None:
    url = _folder(tmp_path)
    result = run(tmp_path, url)
    assert not result.errors
    with Ledger.open(url, readonly=True) as led:
        q = led.quarantine_frame()
        assert sorted(zip(q["source_line"].astype(int), q["reason"], strict=True)) == [
            (3, "ENVELOPE_UNBALANCED"), (5, "ENVELOPE_UNBALANCED"), (6, "ENVELOPE_UNBALANCED")]
        assert led.account_balances()["PETTY_CASH"] == -21975  # cents: PC-1's 219.75 only
    with Ledger.open(url) as led:
        night = reconcile_night(load_inputs(led, None, tmp_path))
    # The held envelopes are exceptions of the queue already: the night lists them held, finds nothing more.
    status = dict(zip(night.envelopes.envelopes["envelope_id"], night.envelopes.envelopes["status"], strict=True))
    assert status == {"PC-1": "balanced", "PC-2": "held", "PC-4": "held"}
    assert not [f for f in night.findings if f.kind == "petty_cash"]

"""The sample production's night: its injected cash faults, and only they, are findings; the bank ties out.

The bank's own figure is the feed's "Running Balance" column, read here with the csv module: the
reconciled bank balance on each statement date must be the running balance of the last line posted
by then, and the book balance the sum of the register's amounts by then (read the same plain way).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.cli import main
from prodlib.ledger import Ledger
from prodlib.pipeline import run
from prodlib.reconcile.night import load_inputs, reconcile_night
from prodlib.sample import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("night")
    sample = root / "sample"
    generate(sample, scale="indie", seed=7)
    url = f"sqlite:///{root / 'books.db'}"
    run(sample, url)
    led = Ledger.open(url)
    result = reconcile_night(load_inputs(led, None, sample))
    led.close()
    return {"root": root, "sample": sample, "url": url, "result": result,
            "manifest": json.loads((sample / "manifest.json").read_text())}


def _plain(text: str) -> Decimal:
    t = text.strip().replace(",", "")
    if t.endswith("-"):
        return -Decimal(t[:-1])
    if t.startswith("(") and t.endswith(")"):
        return -Decimal(t[1:-1])
    return Decimal(t)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_injected_cash_faults_and_nothing_else_are_findings(night) -> None:
    expected = sorted((f["reason"], f["document"]) for f in night["manifest"]["findings"])
    assert expected, "the sample injects cash faults"
    kinds = {f["fault"] for f in night["manifest"]["findings"]}
    assert kinds == {"bank_service_charge", "ach_debited_twice", "check_paid_for_another_amount",
                     "envelope_change_off"}
    got = night["result"].findings
    # Each expected fault is a finding of its reason naming its document; there is no other finding.
    wanted = set(expected)
    by_doc = sorted((f.reason.value, doc) for f in got for doc in f.documents if (f.reason.value, doc) in wanted)
    assert by_doc == expected
    assert sorted(f.reason.value for f in got) == sorted(r for r, _ in expected)
    # The sample's invoices and POs are clean for the reconciliation: no invoice finding at all.
    assert not [f for f in got if f.kind == "invoice"]
    assert night["result"].ledger_agrees


def test_the_sample_bank_reconciliation_ties_out_to_the_cent(night) -> None:
    feed = _rows(night["sample"] / "bank" / "bank_feed.csv")
    register = _rows(night["sample"] / "bank" / "check_register.csv")
    balances = night["result"].balances
    assert len(balances) >= 3  # two month ends and the night, at least
    for b in balances:
        assert b.ties, b
        posted = [r for r in feed if date(int(r["Post Date"][:4]), int(r["Post Date"][4:6]),
                                          int(r["Post Date"][6:])) <= b.statement_date]
        assert b.bank_balance == _plain(posted[-1]["Running Balance"])
        booked = [r for r in register if date(int(r["Date"][6:]), int(r["Date"][:2]), int(r["Date"][3:5]))
                  <= b.statement_date]
        assert b.book_balance == sum((_plain(r["Amount"]) for r in booked), Decimal("0.00"))
    last = balances[-1]
    # The night: the refund deposited on the last day is in transit (125.00); checks of the last days are out.
    assert last.deposits_in_transit == Decimal("125.00") and last.outstanding_checks > 0
    assert last.bank_only < 0  # the service charges, the double debit, the check paid for more


def test_the_payroll_funding_wires_each_pay_several_register_lines(night) -> None:
    cash = night["result"].cash
    wires = cash.bank[cash.bank["description"].str.contains("PAYROLL FUNDING")]
    sizes = [int((cash.book["group"] == g).sum()) for g in wires["group"]]
    assert all(s >= 1 for s in sizes) and max(sizes) >= 2


def test_the_command_writes_only_the_queue_and_a_second_run_changes_nothing(night, capsys) -> None:
    led = Ledger.open(night["url"])
    before = (len(led.entries_frame()), len(led.batches_frame()), len(led.quarantine_frame()))
    led.close()
    outs = []
    n_findings = len(night["manifest"]["findings"])
    for n in (1, 2):
        out = night["root"] / f"out{n}"
        assert main(["reconcile", "--db", night["url"], "--input", str(night["sample"]), "--out", str(out)]) == 0
        outs.append({p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))})
        text = capsys.readouterr().out
        assert "difference 0.00" in text and f"findings    {n_findings}\n" in text
        # the first night opens one exception per injected fault; the second opens and closes nothing
        assert (f"exceptions  opened {n_findings} " in text) if n == 1 else ("exceptions  no change" in text)
    assert outs[0] == outs[1] and "reconcile_findings.csv" in outs[0]
    led = Ledger.open(night["url"])
    assert (len(led.entries_frame()), len(led.batches_frame()), len(led.quarantine_frame())) == before
    led.close()


def test_the_command_cannot_run_without_a_ledger(tmp_path, capsys) -> None:
    assert main(["reconcile", "--db", f"sqlite:///{tmp_path / 'missing.db'}", "--out", str(tmp_path)]) == 2
    assert "no ledger database" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()


def test_the_command_cannot_run_without_its_input_folder(night, tmp_path, capsys) -> None:
    assert main(["reconcile", "--db", night["url"], "--input", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert "nowhere: file not found" in capsys.readouterr().err

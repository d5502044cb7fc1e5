"""Beancount export: bean-check accepts it and Beancount's own loader adds up to our trial balance."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.ledger import Ledger, beancount_account, export_beancount, verify_chain

from .helpers import as_dict, full_ledger

BEAN_CHECK = Path(sys.executable).with_name("bean-check")


def beancount_totals(path: Path) -> dict[str, Decimal]:
    """Per-account totals computed by Beancount's loader (an independent adder)."""
    from beancount import loader
    from beancount.core import data

    entries, errors, _ = loader.load_file(str(path))
    assert not errors, errors[:3]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                totals[p.account] += p.units.number
    return dict(totals)


def check_export(led: Ledger, path: Path) -> dict[str, Decimal]:
    export_beancount(led, path)
    proc = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ours = {beancount_account(a): v for a, v in as_dict(led.trial_balance(), "account", "balance").items()}
    theirs = beancount_totals(path)
    assert theirs == ours
    assert sum(theirs.values()) == 0
    return theirs


def test_export_passes_bean_check_with_matching_totals(led, tmp_path):
    full_ledger(led)
    led.reverse_entry(3, "2026-03-20", "wrong vendor", "AP clerk")
    led.post_entry("2026-02-27", [("2500-02", "12.34"), ("PETTY_CASH", "-12.34")], 'quote " and \\ backslash',
                   kind="adjustment", reason="late receipt", author="Accountant")
    totals = check_export(led, tmp_path / "books.beancount")
    # by hand: Expenses:2500-02 = 1200 + 800 - 800 + 12.34 ; Liabilities:AP = -(1200+300+800) + 1500 + 800
    assert totals["Expenses:2500-02"] == Decimal("1212.34")
    assert totals["Liabilities:AP"] == Decimal("0.00")
    assert totals["Liabilities:Fringe-Payable:SAG-AFTRA"] == Decimal("-1050.00")


def test_bean_check_catches_an_altered_export(led, tmp_path):
    full_ledger(led)
    path = export_beancount(led, tmp_path / "books.beancount")
    text = path.read_text()
    assert "  Expenses:3300-01  300.00 USD" in text
    path.write_text(text.replace("  Expenses:3300-01  300.00 USD\n  Liabilities:AP  -300.00 USD",
                                 "  Expenses:3300-01  301.00 USD\n  Liabilities:AP  -301.00 USD"))
    proc = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "Balance failed" in proc.stdout + proc.stderr


def test_account_names():
    assert beancount_account("AP") == "Liabilities:AP"
    assert beancount_account("FRINGE_PAYABLE:MPI") == "Liabilities:Fringe-Payable:MPI"
    assert beancount_account("FRINGE_PAYABLE:sag aftra") == "Liabilities:Fringe-Payable:Sag-aftra"
    assert beancount_account("2500-02") == "Expenses:2500-02"
    assert beancount_account("PETTY_CASH") == "Assets:Petty-Cash"


@pytest.mark.slow
def test_sample_production_exports_and_balances(tmp_path):
    """The sample production through the pipeline: chain verifies, trial balance zero, bean-check agrees."""
    from prodlib.pipeline import run
    from prodlib.sample import generate

    generate(tmp_path / "sample", scale="indie", seed=7)
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    result = run(tmp_path / "sample", url)
    assert result.rows_read == result.accepted + result.quarantined
    with Ledger.open(url) as led:
        assert verify_chain(led).ok
        tb = as_dict(led.trial_balance(), "account", "balance")
        assert len(tb) > 10 and sum(tb.values()) == 0
        b = led.batches_frame()
        # Journaled kinds make one entry per posted row; budget, PO, timecard and bank rows are not entries.
        posted = int(b.loc[b["kind"].isin(["invoice", "petty_cash", "payroll", "fringe"]), "rows_posted"].sum())
        assert verify_chain(led).entries_checked == posted
        totals = check_export(led, tmp_path / "sample.beancount")
    assert any(k.startswith("Expenses:") for k in totals)

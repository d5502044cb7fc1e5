"""The bad-input corpus (issue 8): every file of tests/data/bad/ through ``prodlib run``.

Each case is one real-looking export with one fault and one entry in ``expected.yaml``: quarantined
(which reason at which line) or refused (which message fragment, exit 2). Each runs on a copy of a
ledger that already holds a seed batch, beside a good bank file of the last kind read, and must end
with no traceback (exit code never 3), rows read = posted + quarantined for every batch written, the
seed untouched and the chain valid, and the good file posted whatever happened to the bad one.
Adding a case is adding a file and an entry. A case may also fault the settings around the file
(``production``: lines appended to production.yaml; ``entries``: more sources.yaml entries) or the
database (``db``: a folder that does not exist, a read-only file, a SQLite URI opened read-only). A
case whose right outcome prodlib does not give yet says so with ``xfail: "<why>"``: it is run, and
must fail (strict), so that the day the fault is fixed the mark has to go.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from prodlib.cli import main
from prodlib.ledger import Ledger, verify_chain

BAD = Path(__file__).parent / "data" / "bad"
EXPECTED: list[dict[str, Any]] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))["cases"]

PRODUCTION = """production_id: BAD-1
title: Corpus (test)
employer_code: EMP-1
currency: USD
window: {start: 2026-01-05, end: 2026-06-26}
principal_photography: 2026-03-02
budget: {version: BV-1, locked_on: 2026-01-02, author: Line producer}
"""

#: The header each kind's corpus files carry, mapped to canonical columns.
COLUMNS: dict[str, dict[str, str]] = {
    "invoice": {"vendor_id": "Vendor", "invoice_number": "Invoice", "invoice_date": "Date", "cost_code": "Account",
                "description": "Description", "amount": "Amount"},
    "payroll": {"employee_id": "Employee", "union": "Union", "classification": "Class", "state": "State",
                "period_end": "PeriodEnd", "cost_code": "Account", "earning_type": "Earning", "hours": "Hours",
                "rate": "Rate", "amount": "Amount"},
    "bank": {"transaction_id": "TxnId", "posted_date": "Date", "description": "Description", "amount": "Amount"},
    "timecard": {"employee_id": "Employee", "work_date": "Date", "call_time": "Call", "meal1_out": "Meal1Out",
                 "meal1_in": "Meal1In", "wrap_time": "Wrap"},
    "petty_cash": {"envelope_id": "Envelope", "custodian": "Custodian", "receipt_date": "Date",
                   "cost_code": "Account", "description": "Description", "amount": "Amount"},
    "budget": {"cost_code": "Account", "description": "Description", "amount": "Amount"},
    "purchase_order": {"po_number": "PO", "vendor_id": "Vendor", "po_date": "Date", "cost_code": "Account",
                       "description": "Description", "amount": "Amount", "status": "Status"},
}
SEED = "Vendor,Invoice,Date,Account,Description,Amount\nV-SEED,S-1,2026-03-02,2500-02,seed dolly,100.00\n" \
       "V-SEED,S-2,2026-03-02,2500-02,seed tape,,\n"  # line 3: ragged, so the seed has a quarantine row too
COMPANION = "TxnId,Date,Description,Amount\nT-1,2026-03-03,Wire,-250.00\nT-2,2026-03-04,Fee,-12.50\n"


def _sources(entries: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"production": "production.yaml", "sources": entries}, sort_keys=False)


def _entry(sid: str, kind: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"id": sid, "kind": kind, "path": path, "columns": COLUMNS.get(kind, COLUMNS["invoice"]), **extra}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding one seed batch, copied for every case."""
    root = tmp_path_factory.mktemp("seed")
    (root / "production.yaml").write_text(PRODUCTION)
    (root / "seed.csv").write_text(SEED)
    (root / "sources.yaml").write_text(_sources([_entry("seed", "invoice", "seed.csv")]))
    db = root / "ledger.db"
    assert main(["run", "--input", str(root), "--db", f"sqlite:///{db}", "--quiet", "--remittance-out", ""]) == 0
    return db


def _materialise(case: dict[str, Any], dest: Path) -> None:
    """The case's file, with its generated parts (a 5 MB cell, padding to the 64 KiB sniff) expanded."""
    data = (BAD / case["file"]).read_bytes()
    for token, n in (case.get("expand") or {}).items():
        data = data.replace(token.encode(), b"x" * int(n))
    if "pad_to" in case:  # the byte after the token lands at offset pad_to - 1
        at = data.index(b"@PAD@")
        data = data.replace(b"@PAD@", b"x" * (int(case["pad_to"]) - 1 - at))
    dest.write_bytes(data)


def _database_argument(case: dict[str, Any], db: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The --db the case's run gets: the seeded copy, or a faulted location (``db``)."""
    fault = case.get("db")
    if fault is None:
        return f"sqlite:///{db}"
    if fault == "missing_folder":
        return f"sqlite:///{db.parent / 'no_such_folder' / db.name}"
    if fault == "uri_read_only":
        return f"sqlite:///file:{db}?mode=ro&uri=true"
    if fault == "read_only_file":  # tests run as root, who may write anything: the OS's answer is patched
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == db and mode & os.W_OK
                            else real(p, mode, **kw))
        return f"sqlite:///{db}"
    raise AssertionError(f"unknown db fault {fault!r}")


def _cases() -> list[Any]:
    """Each case, with a strict xfail mark when it says the outcome it wants is not prodlib's yet."""
    return [pytest.param(c, id=c["file"], marks=[pytest.mark.xfail(reason=c["xfail"], strict=True)]
                         if "xfail" in c else []) for c in EXPECTED]


@pytest.mark.parametrize("case", _cases())
def test_bad_input_is_quarantined_or_refused_never_a_traceback(
    case: dict[str, Any], seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "ledger.db"
    for part in seeded.parent.glob(seeded.name + "*"):  # the database with its write-ahead log
        shutil.copy(part, tmp_path / part.name.replace(seeded.name, db.name))
    url = f"sqlite:///{db}"
    before = Ledger.open(url)
    seed_batches, seed_quarantine = before.batches_frame(), before.quarantine_frame()
    seed_entries = before.entries_frame()
    before.close()

    kind = case.get("kind", "invoice")
    _materialise(case, tmp_path / case["file"])
    (tmp_path / "production.yaml").write_text(PRODUCTION + case.get("production", ""))
    (tmp_path / "bank.csv").write_text(COMPANION)
    (tmp_path / "sources.yaml").write_text(_sources([
        _entry("case", kind, case["file"]) | (case.get("source") or {}), *case.get("entries", []),
        _entry("bank", "bank", "bank.csv")]))
    db_arg = _database_argument(case, db, monkeypatch)
    code = main(["run", "--input", str(tmp_path), "--db", db_arg, "--quiet", "--remittance-out", ""])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code != 3 and "Traceback" not in err, err
    assert max(map(len, err.splitlines()), default=0) < 1000  # a message never prints a file's content

    led = Ledger.open(url)
    batches, quarantine = led.batches_frame(), led.quarantine_frame()
    new = batches.iloc[len(seed_batches):]
    # Nothing already in the ledger changed; every batch conserves its rows; the chain holds.
    def rows(frame):  # by value: a later NULL may widen a column's dtype
        return frame.astype(object).to_dict(orient="records")

    assert rows(batches.iloc[: len(seed_batches)]) == rows(seed_batches)
    assert rows(quarantine.iloc[: len(seed_quarantine)]) == rows(seed_quarantine)
    assert rows(led.entries_frame().iloc[: len(seed_entries)]) == rows(seed_entries)
    assert (new["rows_read"] == new["rows_posted"] + new["rows_quarantined"]).all()
    assert verify_chain(url).ok
    mine = new[new["source_id"] == "case"]
    if case.get("companion", True):  # one bad file never stops the others
        bank = new[new["source_id"] == "bank"]
        assert list(bank["rows_read"]) == [2] and list(bank["rows_posted"]) == [2], err

    if "refused" in case:
        assert code == case.get("exit", 2), err
        assert case["refused"] in err, err
        assert mine.empty
        return
    assert code in (0, 1), err
    (batch,) = mine.itertuples()
    assert batch.rows_read == case["rows"]
    got = quarantine[quarantine["batch_id"] == batch.batch_id]
    assert sorted(zip(got["source_line"], got["reason"], strict=True)) == sorted(
        (int(line), reason) for line, reason in case.get("quarantined", []))
    if "posted" in case:  # the exact amounts on the cost accounts, one per posted row in line order
        lines = led.entries_frame()
        cost = lines[(lines["batch_id"] == batch.batch_id) & lines["account"].str[0].str.isdigit()]
        assert [str(a) for a in cost.sort_values("source_line")["amount"]] == case["posted"]
    for fragment in case.get("detail", []):
        assert any(fragment in d for d in got["detail"]), (fragment, list(got["detail"]))


def test_the_corpus_covers_every_fault_of_the_reader() -> None:
    """Every file has an entry and every entry a file: a case cannot be forgotten or go stale."""
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yaml" and not p.name.startswith(".")}
    assert files == {c["file"] for c in EXPECTED}
    assert len(EXPECTED) >= 80


def test_the_reliability_page_lists_every_case() -> None:
    """docs/reliability.md's table names each case of the corpus once, so it stays true."""
    page = (Path(__file__).parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    listed = [line.split("`")[1] for line in page.splitlines() if line.startswith("| `") and ".csv`" in line]
    assert sorted(listed) == sorted(c["file"] for c in EXPECTED)

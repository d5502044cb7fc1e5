"""``prodlib run``'s night reconciles only what the new batches can change, and finds exactly what a whole
``prodlib reconcile`` night finds: a sequence of nights on a small production, each day's incremental
night compared with the whole night over a copy of the same ledger (the exception queue's findings, and
which exceptions were opened, kept or superseded)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from prodlib.cli import main
from prodlib.ledger import Ledger, LedgerView
from prodlib.ledger import exceptions as store
from prodlib.reconcile.night import NIGHT_EVENT, NO_STATE, changes_since, last_state, night_state, run_night_after
from prodlib.sample import generate

pytestmark = pytest.mark.slow


def _queue(url: str) -> dict[str, tuple]:
    """The reconciliation's exceptions now: fingerprint -> (kind, reason, state, payload)."""
    with LedgerView.open(url) as view, view.engine.connect() as conn:
        q = store.current_frame(conn, view.production_id)
    q = q[q["origin"] == "reconcile"]
    return {fp: (k, r, st, p) for fp, k, r, st, p in zip(q["fingerprint"], q["kind"], q["reason"], q["state"],
                                                          q["payload"], strict=True)}


def _ids(url: str, kind: str) -> set[int]:
    with LedgerView.open(url) as view, view.engine.connect() as conn:
        q = store.current_frame(conn, view.production_id)
    return set(q.loc[(q["origin"] == "reconcile") & (q["kind"] == kind), "exception_id"].astype(int))


def _add_invoices(folder: Path, source_id: str, rows: list[list[str]]) -> None:
    """A new invoice export in the first invoice source's layout, declared in sources.yaml."""
    doc = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    entry = next(s for s in doc["sources"] if s["kind"] == "invoice")
    with (folder / entry["path"]).open(encoding=entry.get("encoding", "utf-8"), newline="") as f:
        header = next(csv.reader(f, delimiter=entry.get("delimiter", ",")))
    path = Path("invoices") / "days" / f"{source_id}.csv"
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    with (folder / path).open("w", encoding=entry.get("encoding", "utf-8"), newline="") as f:
        w = csv.writer(f, delimiter=entry.get("delimiter", ","))
        w.writerow(header)
        for r in rows:
            w.writerow([dict(zip(["Invoice #", "Inv Date", "PO #", "Acct", "Description", "Terms", "Amount"], r,
                                 strict=True)).get(h, "") for h in header])
    doc["sources"].append({**entry, "id": source_id, "path": str(path)})
    (folder / "sources.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _run(sample: Path, url: str, *extra: str) -> None:
    assert main(["run", "--input", str(sample), "--db", url, "--quiet", "--remittance-out", "", *extra]) == 0


def _whole_night(sample: Path, url: str, out: Path) -> None:
    assert main(["reconcile", "--input", str(sample), "--db", url, "--out", str(out)]) == 0


def test_a_day_of_invoices_reconciles_invoices_only_and_finds_what_the_whole_night_finds(tmp_path: Path,
                                                                                         capsys) -> None:
    sample = tmp_path / "sample"
    generate(sample, scale="indie", seed=7)
    db, twin = tmp_path / "books.db", tmp_path / "twin.db"
    url, twin_url = f"sqlite:///{db}", f"sqlite:///{twin}"
    _run(sample, url)  # night 1: no earlier night recorded, so the whole night
    first = capsys.readouterr().out
    assert "reconciled " not in first and "exceptions  opened" in first
    before = _queue(url)
    bank_ids, card_ids = _ids(url, "bank"), _ids(url, "timecard")
    assert bank_ids and card_ids and any(v[1] == "OVER_INVOICED" for v in before.values())

    # Day 2: a new export. Its credit memo on an over-invoiced PO takes back the excess (that finding is
    # resolved); its invoice without a PO above the threshold is a new finding.
    over = next(v for v in before.values() if v[1] == "OVER_INVOICED")
    payload = yaml.safe_load(over[3])
    po = payload["documents"][0].removeprefix("po ")
    _add_invoices(sample, "day_2", [["CM-9000", "04/02/2026", po, "2500-02", "Credit: equipment returned",
                                     "Net 30", f"-{payload['amount']}"],
                                    ["INV-990001", "04/02/2026", "", "2500-02", "Crane rental, no PO", "Net 30",
                                     "$3,100.00"]])
    for suffix in ("", "-wal", "-shm"):  # the ledger as it is, write-ahead log included
        if Path(f"{db}{suffix}").exists():
            shutil.copy(f"{db}{suffix}", f"{twin}{suffix}")
    _run(sample, url)  # the incremental night
    day = capsys.readouterr().out
    assert "reconciled invoice: the other reconciliations' inputs did not change" in day
    assert "invoices of 1 vendor(s), those the new lines touch (through their POs too): V-ACME\n" in day
    _run(sample, twin_url, "--no-reconcile")
    _whole_night(sample, twin_url, tmp_path / "whole")
    capsys.readouterr()
    after, whole = _queue(url), _queue(twin_url)
    assert after == whole  # the same findings, in the same states, as the whole night
    waiting = {fp for fp, v in after.items() if v[2] != "superseded"}
    assert next(fp for fp, v in before.items() if v == over) not in waiting  # resolved: superseded
    assert any(v[1] == "INVOICE_WITHOUT_PO" and "INV-990001" in v[3] for fp, v in after.items() if fp in waiting)
    assert _ids(url, "bank") == bank_ids and _ids(url, "timecard") == card_ids  # not superseded, not reopened

    # The whole night over the incremental night's queue changes nothing.
    _whole_night(sample, url, tmp_path / "again")
    assert "exceptions  no change" in capsys.readouterr().out

    # Day 3: the same files again: nothing new posted, the night is skipped.
    _run(sample, url)
    assert "reconcile skipped: nothing new posted" in capsys.readouterr().out


def test_the_night_state_says_what_changed(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    generate(sample, scale="indie", seed=7)
    url = f"sqlite:///{tmp_path / 'books.db'}"
    _run(sample, url, "--no-reconcile")
    with Ledger.open(url) as led:
        assert last_state(led) is None  # no night recorded: the run's night is whole
        result = run_night_after(led, sample)
        assert result.kinds is None and result.state["derived"]
    assert main(["reconcile", "--input", str(sample), "--db", url, "--out", str(tmp_path / "n")]) == 0
    with Ledger.open(url) as led:
        state = last_state(led)
        assert state is not None and state["as_of"]
        from prodlib.sources import load_input_set

        production = load_input_set(sample).production
        now = night_state(led, sample, production.reconcile, None)
        assert changes_since(led, state, now) == ()  # nothing changed: nothing to reconcile
        assert changes_since(led, {**state, "settings": "other"}, now) is None  # other settings: whole
        folder = {**state["folder"], "payroll": "other"}
        assert changes_since(led, {**state, "folder": folder}, now) == ("timecard",)
        folder = {**state["folder"], "check_register": "other"}
        assert changes_since(led, {**state, "folder": folder}, now) == ("bank", "petty_cash")
        with led.engine.connect() as conn:
            n = conn.exec_driver_sql("SELECT COUNT(*) FROM audit_events WHERE event_type = ?",
                                     (NIGHT_EVENT,)).scalar()
        assert n == 1
    # A night without the input folder cannot say what it reconciled: the next run's night is whole.
    assert main(["reconcile", "--db", url, "--out", str(tmp_path / "n2")]) == 0
    with Ledger.open(url) as led:
        assert last_state(led) == NO_STATE
        assert run_night_after(led, sample).kinds is None


def test_the_work_rules_state_is_their_content_not_where_they_were_read(tmp_path: Path, monkeypatch) -> None:
    """The same work-rule files read from another folder (another checkout, a moved production) are the
    same rules: the recorded night stays usable. A changed figure in them is a change."""
    import dataclasses

    import prodlib.rules as rules

    sample = tmp_path / "sample"
    generate(sample, scale="indie", seed=7)
    url = f"sqlite:///{tmp_path / 'books.db'}"
    _run(sample, url, "--no-reconcile")
    real = rules.load_rules

    def read_from(folder: Path, edit: str = ""):
        def load(production):
            book = real(production)
            moved = []
            for schedule in book.work.schedules:
                target = folder / Path(schedule.path).name
                if not target.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    target.write_text(Path(schedule.path).read_text(encoding="utf-8") + edit, encoding="utf-8")
                moved.append(dataclasses.replace(schedule, path=str(target)))
            return dataclasses.replace(book, work=dataclasses.replace(book.work, schedules=tuple(moved)))
        return load

    from prodlib.sources import load_input_set

    settings = load_input_set(sample).production.reconcile
    with Ledger.open(url) as led:
        states = []
        for folder, edit in ((tmp_path / "checkout-a", ""), (tmp_path / "checkout-b", ""),
                             (tmp_path / "edited", "\n# a changed file\n")):
            monkeypatch.setattr(rules, "load_rules", read_from(folder, edit))
            states.append(night_state(led, sample, settings, None)["work"])
    assert states[0] and states[0] == states[1]  # same files, two folders: the same state
    assert states[2] != states[0]  # a changed file: another state (the next night is whole)

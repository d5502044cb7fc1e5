"""A ``prodlib run`` (or ``report``) SIGKILLed at a random point of a named stage leaves the ledger
consistent, ``prodlib audit verify`` ok, and the rerun completes exactly once: the same entries, hashes,
batches and quarantine as one uninterrupted run.

Each killed process is real (tests/faults/worker.py): it blocks at the chosen point, the test kills it
with SIGKILL there (no cleanup, no rollback by Python: the database must recover by itself). The point
is drawn at random from the times the stage is reached in an uninterrupted run; the seed is
``$PRODLIB_FAULT_SEED`` (else fixed), and every message names the point, so a failure can be replayed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from prodlib.cli import main
from prodlib.ledger import Ledger, verify_chain

from .production_set import write_production

WORKER = str(Path(__file__).with_name("worker.py"))
SEED = int(os.environ.get("PRODLIB_FAULT_SEED", "20261201"))
#: Columns that hold the wall clock (when a row was recorded), never inside a hash.
CLOCK = {"recorded_at", "created_at", "at"}


def run_args(root: Path, db: Path) -> list[str]:
    return ["run", "--input", str(root), "--db", f"sqlite:///{db}", "--quiet", "--remittance-out", ""]


def worker(point: str, hit: int, marker: Path, args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, WORKER, point, str(hit), str(marker), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_at(point: str, hit: int, marker: Path, args: list[str]) -> None:
    """Start the worker, wait until it blocks at the point, SIGKILL it there."""
    proc = worker(point, hit, marker, args)
    deadline = time.monotonic() + 240
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {point} #{hit}: {proc.stderr.read().decode()[-2000:]}")
        assert time.monotonic() < deadline, f"{point} #{hit} never reached"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def books(db: Path | str) -> dict[str, list[dict[str, object]]]:
    """Everything a run writes, by value, without the wall clock (``db``: a SQLite file or a URL)."""
    led = Ledger.open(db if isinstance(db, str) else f"sqlite:///{db}")
    try:
        frames = {"entries": led.entries_frame(), "batches": led.batches_frame(),
                  "quarantine": led.quarantine_frame(), "budget": led.budget_versions_frame(),
                  "commitments": led.commitments("2026-06-26")}
    finally:
        led.close()
    return {k: f.drop(columns=[c for c in f.columns if c in CLOCK]).astype(object)
            .where(pd.notna(f), None).to_dict(orient="records") for k, f in frames.items()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[str, list]]:
    """One uninterrupted run, by the worker (hit 0): the books and how often each point was reached."""
    root = write_production(tmp_path_factory.mktemp("input"))
    db = root.parent / "baseline.db"
    marker = root.parent / "hits.json"
    proc = worker("none", 0, marker, run_args(root, db))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-2000:]
    hits = json.loads(marker.read_text())
    # By hand: 8 files read; a chunk boundary after every journal entry: 24 + 19 invoices, 2 petty
    # cash, 8 payroll lines, then the fringe entries; fringes computed once (one payroll file).
    assert hits["ingest"] == 8 and hits["fringes"] == 1 and hits["posting"] >= 24 + 19 + 2 + 8
    return root, hits, books(db)


@pytest.mark.parametrize("point", ["ingest", "posting", "fringes"])
def test_a_run_killed_mid_stage_recovers_and_the_rerun_posts_exactly_once(
    point: str, baseline: tuple[Path, dict[str, int], dict[str, list]], tmp_path: Path
) -> None:
    root, hits, expected = baseline
    hit = random.Random(f"{SEED}:{point}").randint(1, hits[point])
    where = f"{point} #{hit} of {hits[point]} (seed {SEED})"
    db = tmp_path / "ledger.db"
    kill_at(point, hit, tmp_path / "marker", run_args(root, db))

    # What the killed run left: a valid chain and whole batches only (each commits or not at all).
    assert main(["audit", "verify", "--db", f"sqlite:///{db}"]) == 0, where
    left = books(db)
    assert all(b["rows_read"] == b["rows_posted"] + b["rows_quarantined"] for b in left["batches"]), where
    assert left["batches"] == expected["batches"][: len(left["batches"])], where
    assert left["entries"] == expected["entries"][: len(left["entries"])], where
    if point == "fringes":  # killed inside the payroll's transaction: neither payroll nor fringes stayed
        assert not {"payroll", "payroll:fringes"} & {b["source_id"] for b in left["batches"]}, where

    # The rerun completes, and the books are those of one uninterrupted run: nothing doubled or lost.
    assert main(run_args(root, db)) == 0, where
    assert books(db) == expected, where
    assert verify_chain(f"sqlite:///{db}").ok, where


def test_report_rendering_killed_changes_nothing(
    baseline: tuple[Path, dict[str, int], dict[str, list]], tmp_path: Path
) -> None:
    root, _, expected = baseline
    db = tmp_path / "ledger.db"
    assert main(run_args(root, db)) == 0
    out = tmp_path / "reports"
    args = ["report", "--db", f"sqlite:///{db}", "--input", str(root), "--out", str(out)]
    hit = random.Random(f"{SEED}:report").randint(1, 2)
    kill_at("report", hit, tmp_path / "marker", args)
    # A report only reads the ledger: killed or not, the books are as the run left them.
    assert main(["audit", "verify", "--db", f"sqlite:///{db}"]) == 0
    assert books(db) == expected

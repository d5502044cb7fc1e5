"""Two nightly runs of one production at once never double-post; on PostgreSQL a connection dropped in
the middle of a batch rolls the batch back and the rerun posts it once.

Both compare with the books of one uninterrupted run of the same input (``books``: entries with their
hashes, batches, quarantine, budget versions and commitments, by value, without the wall clock).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

import prodlib.ledger.journal as journal
from prodlib.ledger import Ledger, verify_chain
from prodlib.pipeline import run

from .production_set import write_production
from .test_kill import books


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list]]:
    """The input set and the books of one uninterrupted run of it (on SQLite)."""
    root = write_production(tmp_path_factory.mktemp("input"))
    db = root.parent / "once.db"
    result = run(root, f"sqlite:///{db}")
    # by hand: 2+2+25+19+2+1+9+2 rows + 80 fringe lines (8 CA grips x 10 rows: 9 plan/fund rows, and since
    # the 2026 California FUTA credit reduction is shipped, futa-cr-ca-2026 one more each)
    assert not result.errors and result.rows_read == 142
    return root, books(db)


@pytest.fixture(params=["sqlite", "pg"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("pg_url")


def test_two_nightly_runs_at_once_post_once(production: tuple[Path, dict[str, list]], database: str) -> None:
    root, once = production
    Ledger.open(database).close()  # the production's ledger exists (a nightly run is not the first)
    # Two real processes on the same input and database, started together.
    procs = [subprocess.Popen([sys.executable, "-m", "prodlib.cli", "run", "--input", str(root), "--db", database,
                               "--quiet", "--remittance-out", ""], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(2)]
    errs = [p.communicate(timeout=600)[1].decode() for p in procs]
    for p, err in zip(procs, errs, strict=True):
        assert p.returncode == 0, err[-2000:]
    assert books(database) == once  # each file's batch once: same entries, hashes, totals as one run
    assert verify_chain(database).ok


def test_pg_connection_dropped_mid_batch_rolls_back_and_the_rerun_posts_once(
    production: tuple[Path, dict[str, list]], pg_url: str, pg_admin: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, once = production
    name = f"prodlib-drop-{uuid.uuid4().hex[:8]}"
    url = f"{pg_url}&application_name={name}"
    killed: list[str] = []

    def drop(source: str | None, written: int) -> None:  # from a second connection, once, mid-batch
        if source == "grip" and written >= 10 and not killed:
            with pg_admin.begin() as c:
                n = c.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE application_name = :n"), {"n": name}).scalar_one()
            killed.append(f"{n} backend(s) at {written} entries")
            time.sleep(0.2)  # the backend is gone before the next statement

    real_open = Ledger.open.__func__
    monkeypatch.setattr(Ledger, "open", classmethod(lambda cls, *a, **k: _small(real_open(cls, *a, **k))))
    monkeypatch.setattr(journal, "AFTER_CHUNK", drop)
    with pytest.raises(sa.exc.DBAPIError):  # the run stops at the dropped connection
        run(root, url)
    assert killed and not killed[0].startswith("0 "), killed
    monkeypatch.undo()

    left = books(url)
    assert "grip" not in {b["source_id"] for b in left["batches"]}  # the half-written batch rolled back
    assert left["batches"] == once["batches"][: len(left["batches"])]
    assert left["entries"] == once["entries"][: len(left["entries"])]
    assert verify_chain(url).ok
    result = run(root, url)
    assert not result.errors
    assert books(url) == once
    assert verify_chain(url).ok


def _small(led):
    led.chunk_rows = 1  # a chunk boundary after every entry: the drop lands mid-batch
    return led

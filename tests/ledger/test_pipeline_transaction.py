"""A payroll batch and its fringe batch commit in one transaction (pipeline.run, both backends)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodlib.ledger import Ledger, journal, verify_chain
from prodlib.pipeline import run
from prodlib.sample import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("txn") / "sample"
    generate(out, scale="indie", seed=7, invoice_lines=120)
    return out


def _sqlalchemy_url(url: str) -> str:
    return url if "://" in url else f"sqlite:///{url}"


def test_a_failure_writing_fringes_leaves_neither_payroll_nor_fringes(sample: Path, url: str, monkeypatch) -> None:
    url = _sqlalchemy_url(url)

    def fail_on_fringes(source_id: str | None, _written: int) -> None:
        if source_id and source_id.endswith(":fringes"):
            raise OSError("disk gave out while writing the fringe batch")

    monkeypatch.setattr(journal, "AFTER_CHUNK", fail_on_fringes)
    with pytest.raises(OSError, match="fringe batch"):
        run(sample, url)
    with Ledger.open(url, readonly=True) as led:
        kinds = led.batches_frame()["kind"].tolist()
        payroll_entries = (led.entries_frame()["source_id"].str.contains("payroll|fringes", na=False)).sum()
    # The fringe batch of the first payroll file failed: its payroll batch rolled back with it, and the
    # run stopped there, so no payroll or fringe batch is in the ledger and no entry comes from them.
    assert "payroll" not in kinds and "fringe" not in kinds
    assert payroll_entries == 0
    assert "invoice" in kinds  # the files before payroll committed in their own transactions

    monkeypatch.setattr(journal, "AFTER_CHUNK", None)
    result = run(sample, url)
    payroll_runs = [s for s in result.sources if s.kind == "payroll"]
    fringe_runs = [s for s in result.sources if s.kind == "fringe"]
    assert payroll_runs and not any(s.already_posted for s in payroll_runs + fringe_runs)
    with Ledger.open(url, readonly=True) as led:
        frame = led.batches_frame()
        # each payroll file once, each with its fringe batch once (file hash "<payroll hash>:fringes")
        payroll = frame[frame["kind"] == "payroll"]
        fringe = frame[frame["kind"] == "fringe"]
        assert len(payroll) == len(payroll_runs) == len(fringe) == len(fringe_runs)
        assert sorted(fringe["file_hash"]) == sorted(h + ":fringes" for h in payroll["file_hash"])
        assert frame["file_hash"].is_unique
        assert verify_chain(led).ok

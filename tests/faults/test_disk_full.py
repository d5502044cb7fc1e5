"""A full disk: the run stops with one clear exit-2 line, and the books are exactly as before.

The real thing: the ledger on a small tmpfs (tests run as root here), filled up to a few KiB by a
filler file; skipped with the reason where mounting is not allowed. Freeing the room and running
again posts the file once.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from prodlib.cli import main
from prodlib.ledger import verify_chain

from .production_set import FILES, write_production
from .test_kill import books, run_args


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=True)  # lazy: pooled connections may linger


def test_disk_full_is_a_clear_error_and_changes_nothing(small_disk: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = write_production(tmp_path / "input")
    db = small_disk / "ledger.db"
    assert main(run_args(root, db)) == 0
    before = books(db)
    # A new export of 20,000 lines of 200-character descriptions (about 5 MB of journal) ...
    big = "Vendor,Invoice,Date,Account,Description,Amount\n" + "".join(
        f"V-BIG,B-{i},2026-03-05,2500-02,{'x' * 200} {i},1.00\n" for i in range(20_000))
    write_production(root, {**FILES, "big.csv": ("invoice", FILES["grip.csv"][1], big)})
    # ... and a disk with 64 KiB left.
    stat = os.statvfs(small_disk)
    (small_disk / "filler").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 64 * 1024))
    capsys.readouterr()

    assert main(run_args(root, db)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert f"error: sqlite:///{db}: the disk is full; nothing of this write was kept" in err, err
    assert not any("Traceback" in line or "internal error" in line for line in err)
    (small_disk / "filler").unlink()
    assert books(db) == before
    assert verify_chain(f"sqlite:///{db}").ok

    # Room again: the file posts, once (20,000 entries of 1.00 on 2500-02).
    assert main(run_args(root, db)) == 0
    after = books(db)
    assert len(after["entries"]) == len(before["entries"]) + 2 * 20_000
    assert after["batches"][: len(before["batches"])] == before["batches"]
    assert [b["source_id"] for b in after["batches"][len(before["batches"]):]] == ["big"]

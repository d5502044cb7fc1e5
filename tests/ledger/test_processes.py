"""Real processes: a crash mid-batch leaves nothing; two writers at once keep one valid chain."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.ledger import Ledger, verify_chain

from .helpers import as_dict, count
from .workers import frame

WORKERS = str(Path(__file__).with_name("workers.py"))


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_crash_mid_batch_leaves_nothing(url, how):
    Ledger.open(url).close()  # migrate first, so the crash is inside the batch, not the migration
    proc = subprocess.run([sys.executable, WORKERS, "crash", url, "1000", "300", how], capture_output=True,
                          timeout=60)
    expected = 17 if how == "exit" else -signal.SIGKILL
    assert proc.returncode == expected, proc.stderr.decode()[-2000:]  # died after writing 300 of 1000 rows
    led = Ledger.open(url, production_id="TEST-001")
    try:
        for t in ("journal_entries", "journal_lines", "batches", "quarantine", "audit_events"):
            assert count(led, t) == 0, t
        assert verify_chain(led).ok
        # the same file posts cleanly afterwards: it was never half-recorded as posted
        res = led.post_batch("crash", "crash.csv", "HCRASH", "invoice", frame(1000, "crash"), None, 1000)
        assert not res.already_posted and res.rows_posted == 1000
        assert verify_chain(led).ok
    finally:
        led.close()


def test_two_processes_posting_at_once_keep_one_chain(url):
    Ledger.open(url).close()
    start = time.time() + 3.0  # both processes imported and waiting
    procs = [subprocess.Popen([sys.executable, WORKERS, "writer", url, name, "4", "60", str(start)],
                              stderr=subprocess.PIPE) for name in ("alpha", "beta")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
    led = Ledger.open(url, production_id="TEST-001")
    try:
        res = verify_chain(led)
        # 2 writers x 4 batches x (60 postings + 1 general entry)
        assert res.ok and res.entries_checked == 2 * 4 * 61, res.message
        assert count(led, "batches") == 8 and res.events_checked == 8
        # amounts by hand: each batch posts 1.00 + 2.00 + ... + 60.00 = 1830.00 to 2500-02
        assert as_dict(led.actuals(), "cost_code", "amount") == {"2500-02": Decimal("14640.00"),
                                                                 "3300-01": Decimal("8.00")}
        # the writers really interleaved: entries of the two are not all in one block
        e = led.entries_frame().drop_duplicates("entry_id")
        owners = [d[:4] if isinstance(d, str) else "" for d in e["description"]]
        switches = sum(1 for a, b in zip(owners, owners[1:], strict=False) if a != b)
        assert switches >= 2
    finally:
        led.close()

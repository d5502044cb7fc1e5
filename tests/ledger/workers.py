"""Subprocess bodies for the crash and concurrency tests (run as ``python workers.py ...``)."""

from __future__ import annotations

import os
import signal
import sys
import time

import numpy as np
import pandas as pd

import prodlib.ledger.journal as journal
from prodlib.ledger import Ledger
from prodlib.ledger.frames import cents_to_money


def frame(n: int, tag: str) -> pd.DataFrame:
    return pd.DataFrame({
        "source_line": np.arange(2, n + 2), "row_hash": [f"{tag}-{i}" for i in range(n)],
        "entry_date": "2026-03-02", "debit_account": "2500-02", "credit_account": "AP",
        "amount": cents_to_money(np.arange(1, n + 1) * 100), "description": tag, "document_no": tag,
        "party_id": "V-1",
    })


def crash(url: str, n: int, die_after: int, how: str = "exit") -> None:
    """Post n rows in chunks of 100 and die once die_after rows are written: ``os._exit`` (no
    cleanup, no rollback) or SIGKILL (the kernel ends the process mid-transaction)."""
    led = Ledger.open(url, production_id="TEST-001")
    led.chunk_rows = 100

    def hook(_source: str | None, written: int) -> None:
        if written >= die_after:
            if how == "sigkill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(17)

    journal.AFTER_CHUNK = hook
    led.post_batch("crash", "crash.csv", "HCRASH", "invoice", frame(n, "crash"), None, n)
    sys.exit(0)  # not reached


def writer(url: str, name: str, batches: int, rows: int, start_at: float) -> None:
    led = Ledger.open(url, production_id="TEST-001")
    led.chunk_rows = 7  # many small statements: more chances to interleave, if the lock let them
    while time.time() < start_at:
        time.sleep(0.005)
    for b in range(batches):
        led.post_batch(name, f"{name}-{b}.csv", f"H-{name}-{b}", "invoice", frame(rows, f"{name}{b}"), None, rows)
        led.post_entry("2026-03-03", [("3300-01", "1.00"), ("AP", "-1.00")], f"{name} entry {b}")
        time.sleep(0.05)  # let the other writer in between batches: the test wants them interleaved
    led.close()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "crash":
        crash(args[0], int(args[1]), int(args[2]), args[3] if len(args) > 3 else "exit")
    elif cmd == "writer":
        writer(args[0], args[1], int(args[2]), int(args[3]), float(args[4]))

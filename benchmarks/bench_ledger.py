"""Ledger scale: posting N two-line entries in one batch, reading actuals, verifying the chain.

Usage: .venv/bin/python benchmarks/bench_ledger.py [--rows 100000 1000000] [--pg URL] [--batch-rows 7500]
Prints one line per measurement. Not a timed test: figures go in reports and notes.
``--batch-rows M``: the N entries posted as files of M rows, each its own transaction with its rows'
keys (as ``prodlib run`` posts a studio production, one batch per file), instead of one batch.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.ledger import Ledger
from prodlib.ledger.frames import cents_to_money

sys.path.insert(0, str(Path(__file__).parent))
from measure import record  # noqa: E402


def postings(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = np.array([f"{a}-{b:02d}" for a in range(2000, 2100, 10) for b in range(1, 6)], dtype=object)
    days = rng.integers(0, 170, n)
    dates = (np.datetime64("2026-01-05") + days).astype("datetime64[D]").astype(str)
    return pd.DataFrame({
        "source_line": np.arange(2, n + 2),
        "row_hash": [f"{i:064x}" for i in range(n)],
        "entry_date": dates,
        "debit_account": codes[rng.integers(0, len(codes), n)],
        "credit_account": "AP",
        "amount": cents_to_money(rng.integers(-50_000, 5_000_000, n)),
        "description": "bench line",
        "document_no": [f"INV-{i}" for i in range(n)],
        "party_id": "V-BENCH",
    })


def run(url: str, n: int, batch_rows: int | None = None) -> None:
    frame = postings(n)
    led = Ledger.open(url)
    t, cpu = time.perf_counter(), time.process_time()
    if batch_rows:
        keys = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]  # random order, as row keys are
        posted = 0
        for a in range(0, n, batch_rows):
            part = frame.iloc[a : a + batch_rows]
            posted += led.post_batch("bench", f"bench{a}.csv", uuid.uuid4().hex, "invoice", part, None, len(part),
                                     row_keys=keys[a : a + batch_rows]).rows_posted
        res = type("R", (), {"rows_posted": posted})
    else:
        res = led.post_batch("bench", "bench.csv", uuid.uuid4().hex, "invoice", frame, None, n)
    t_post, cpu_post = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    act = led.actuals()
    t_act = time.perf_counter() - t
    t = time.perf_counter()
    from prodlib.ledger import verify_chain  # noqa: PLC0415 (may not exist in early versions)

    v = verify_chain(led)
    t_ver = time.perf_counter() - t
    dialect = led.dialect
    print(f"{dialect:10s} n={n:>9,} post={t_post:7.2f}s (cpu {cpu_post:.2f}s, {n / t_post:,.0f} entries/s) "
          f"{'batches of ' + format(batch_rows, ',') + ' ' if batch_rows else ''}"
          f"actuals={t_act:5.2f}s verify={t_ver:6.2f}s ok={v.ok} entries={res.rows_posted} codes={len(act)}")
    record(f"ledger post {dialect}", f"post_batch of {n:,} two-line entries, in-process", n, t_post)
    record(f"ledger verify_chain {dialect}", f"verify_chain of {n:,} entries, in-process", n, t_ver,
           note=f"ok={v.ok}")
    led.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--pg", default=os.environ.get("PRODLIB_TEST_PG_URL"))
    ap.add_argument("--batch-rows", type=int, default=None, help="post as batches of this many rows, with row keys")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        for n in args.rows:
            run(str(Path(d) / f"bench{n}.db"), n, args.batch_rows)
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg)
        with admin.begin() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            sep = "&" if "?" in args.pg else "?"
            for n in args.rows:
                run(f"{args.pg}{sep}options=-csearch_path%3D{schema}", n, args.batch_rows)
                with admin.begin() as c:  # fresh tables per size
                    c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                    c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        finally:
            with admin.begin() as c:
                c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Pipeline throughput: ingest + validate + classify per invoice line, and a whole run into SQLite.

Prints figures; asserts nothing about time. `python -m benchmarks pipeline`.
Set PRODLIB_BENCH_SCALES=feature to skip the studio-scale (about 1M lines) run.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from prodlib.pipeline import process_source, run
from prodlib.sample import generate
from prodlib.sources import load_input_set
from prodlib.taxonomy import get_chart
from prodlib.validate import _context


def stages(sample: Path) -> None:
    inputs = load_input_set(sample)
    chart = get_chart()
    invoices = inputs.of_kind("invoice")
    t0 = time.perf_counter()
    rows = 0
    for spec in invoices:
        stage = process_source(spec, inputs.production, chart, set())
        rows += stage.ingest.rows_read
    dt = time.perf_counter() - t0
    print(f"   ingest+validate+classify+duplicates: {rows:>9,} invoice lines in {dt:6.1f} s "
          f"= {rows / dt:>9,.0f} lines/s ({len(invoices)} files)")


def whole_run(sample: Path, db: Path) -> None:
    t0 = time.perf_counter()
    result = run(sample, f"sqlite:///{db}")
    dt = time.perf_counter() - t0
    print(f"   prodlib run into SQLite:             {result.rows_read:>9,} rows of all kinds in {dt:6.1f} s "
          f"= {result.rows_read / dt:>9,.0f} rows/s; quarantined {result.quarantined:,}; "
          f"database {db.stat().st_size / 1e6:,.0f} MB")


def main() -> None:
    scales = os.environ.get("PRODLIB_BENCH_SCALES", "feature,studio").split(",")
    _context()  # Great Expectations' import (about 5 s) is paid once, not counted per line
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            sample = Path(tmp) / scale
            generate(sample, scale=scale, seed=7)
            print(f"-- {scale}")
            stages(sample)
            whole_run(sample, Path(tmp) / f"{scale}.db")


if __name__ == "__main__":
    main()

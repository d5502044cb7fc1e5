"""Time prodlib.sample.generate at the feature and studio scales (not a test: prints figures).

    .venv/bin/python benchmarks/bench_sample.py [feature studio ...]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from prodlib.sample import generate

sys.path.insert(0, str(Path(__file__).parent))
from measure import record  # noqa: E402


def bench(scale: str, seed: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        m = generate(Path(tmp), scale, seed=seed)
        secs = time.perf_counter() - t0
        rows = sum(f.rows for f in m.files.values())
        inv = sum(f.rows for f in m.files.values() if f.kind == "invoice")
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
        print(f"{scale:8s} {secs:7.2f} s  {rows:>9,} rows ({inv:,} invoice lines) in {len(m.files)} files, "
              f"{size / 1e6:6.1f} MB  {rows / secs:>11,.0f} rows/s  {len(m.faults):,} faults  "
              f"max RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:,.0f} MB")
    record("sample", f"prodlib.sample.generate({scale!r}), in-process", inv, secs,
           note=f"{rows:,} rows in {len(m.files)} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    for name in sys.argv[1:] or ["indie", "feature", "studio"]:
        bench(name)

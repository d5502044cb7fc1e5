"""`prodlib report` (every notebook) on sample productions of 10k, 100k and 1M invoice lines.

    .venv/bin/python benchmarks/bench_reports.py [--lines 10000 100000 1000000] [--jobs 2]

Per size: the sample is generated and posted with `prodlib run` (not a figure here: see
bench_pipeline), then the reports are rendered twice, each a fresh process: one notebook at a time
(the baseline, with each notebook's own time) and with --jobs (the figure). Peak memory is the
largest single process (the CLI or a notebook's kernel). Target (issue 12, item 5): the studio
ledger (1M invoice lines) in at most 45 s and 2 GB.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure, row  # noqa: E402

SERIAL = ("import logging, sys; from pathlib import Path; from prodlib.reports.render import render_all; "
          "logging.basicConfig(level=logging.INFO, format='%(message)s', stream=sys.stdout); "
          "render_all(sys.argv[1], Path(sys.argv[2]), {'production_title': 'Bench'})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        for n in args.lines:
            sample, db = Path(d) / f"s{n}", Path(d) / f"s{n}.db"
            url = f"sqlite:///{db}"
            for step in (["prodlib", "sample", "--scale", "studio", "--seed", "7", "--invoice-lines", str(n),
                          "--out", str(sample)],
                         ["prodlib", "run", "--input", str(sample), "--db", url,
                          "--remittance-out", str(Path(d) / f"r{n}" / "remittance")]):
                done = measure(step)
                assert done.returncode == 0, done.stdout[-2000:]
            serial = measure([sys.executable, "-c", SERIAL, url, str(Path(d) / f"r{n}")])
            par = measure(["prodlib", "report", "--db", url, "--input", str(sample), "--out", str(Path(d) / f"r{n}"),
                           "--jobs", str(args.jobs)])
            assert serial.returncode == 0 and par.returncode == 0, serial.stdout[-2000:] + par.stdout[-2000:]
            each = ", ".join(f"{m[1]} {float(m[2]):.1f} s" for m in
                             re.finditer(r"rendered .*/(\w+)\.html in ([\d.]+) s", serial.stdout))
            row(f"report {n:>9,} invoice lines", f"{par.seconds:6.1f} s {par.peak_mb:6.0f} MB (--jobs {args.jobs})",
                f"one at a time {serial.seconds:6.1f} s {serial.peak_mb:6.0f} MB", serial.seconds / par.seconds,
                "<= 45 s, <= 2 GB" if n >= 1_000_000 else "")
            print(f"      per notebook: {each}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

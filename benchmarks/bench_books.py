"""`prodlib audit verify` and `prodlib export beancount` on ledgers of 10k, 100k and 1M entries.

    .venv/bin/python benchmarks/bench_books.py [--rows 10000 100000 1000000] [--bean-check-rows 100000]

Each figure is the CLI command as a user runs it (a fresh process, start-up included), beside its
baseline measured in the same run: verify beside the reference path (`verify_chain(fast=False)`,
the implementation before the fast path, one process), export beside `bean-check` on the file it
wrote (bean-check without its cache re-adds every posting; by default only up to
--bean-check-rows entries, as it takes minutes at a million). Peak memory is each process's own.
Targets (issue 12, item 6): verify >= 150,000 entries/s (a million in under 7 s); export of a
million in at most 20 s, in memory that does not grow with the ledger.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_ledger import postings  # noqa: E402
from measure import measure, row  # noqa: E402

from prodlib.ledger import Ledger  # noqa: E402

REFERENCE = ("import sys; from prodlib.ledger import verify_chain; "
             "r = verify_chain(sys.argv[1], fast=False, workers=1); print(r.message)")


def build(path: Path, n: int) -> None:
    led = Ledger.open(str(path))
    try:
        led.post_batch("bench", "bench.csv", uuid.uuid4().hex, "invoice", postings(n), None, n)
    finally:
        led.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--bean-check-rows", type=int, default=100_000,
                    help="run bean-check on exports up to this many entries (it takes minutes at a million)")
    args = ap.parse_args(argv)
    print("   (each figure: one fresh process, wall seconds and its own peak memory)")
    with tempfile.TemporaryDirectory() as d:
        for n in args.rows:
            db = Path(d) / f"books{n}.db"
            build(db, n)
            url = f"sqlite:///{db}"
            fast = measure(["prodlib", "audit", "verify", "--db", url])
            ref = measure([sys.executable, "-c", REFERENCE, url])
            assert fast.returncode == 0 and ref.returncode == 0, fast.stdout + ref.stdout
            row(f"verify {n:>9,} entries", f"{fast.seconds:6.2f} s {n / fast.seconds:>9,.0f}/s {fast.peak_mb:5.0f} MB",
                f"reference {ref.seconds:6.2f} s {n / ref.seconds:>9,.0f}/s", ref.seconds / fast.seconds,
                ">= 150,000/s" if n >= 1_000_000 else "",
                key="verify", scale=n, value=fast.seconds, base_value=ref.seconds, peak_mb=fast.peak_mb)
            out = Path(d) / f"books{n}.beancount"
            exp = measure(["prodlib", "export", "beancount", "--db", url, "--out", str(out)])
            assert exp.returncode == 0, exp.stdout
            if n <= args.bean_check_rows:
                bc = measure(["bean-check", "--no-cache", str(out)])
                base, ratio = f"bean-check {bc.seconds:6.2f} s ({'ok' if bc.returncode == 0 else 'FAILED'})", \
                    bc.seconds / exp.seconds
                base_value = bc.seconds
            else:
                base, ratio, base_value = "bean-check skipped (--bean-check-rows)", None, None
            row(f"export beancount {n:>9,}", f"{exp.seconds:6.2f} s {exp.peak_mb:5.0f} MB peak", base, ratio,
                "<= 20 s, flat memory" if n >= 1_000_000 else "",
                key="export", scale=n, value=exp.seconds, base_value=base_value, peak_mb=exp.peak_mb)
            db.unlink()
            out.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())

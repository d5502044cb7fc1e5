"""Fringes on random payroll lines: the whole engine (P&H, statutory, caps across lines, rounding per
unit and allocation) at 10k, 100k and 1M lines, beside the scalar decimal reference.

    .venv/bin/python benchmarks/bench_fringes.py [--rows 10000 100000 1000000] [--reference-rows 100000]

The reference prices --reference-rows lines (and the vector engine must equal it row by row on
them); its time per line, scaled to each size, is the baseline of that size's ratio (issue 12,
item 4: a million lines in at most 1.5 s, at least 50x the reference). Pass --reference-rows
1000000 to compare on the whole million (minutes, and about 17 GB).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.fringes import compute_fringes
from prodlib.money import MONEY_DTYPE
from prodlib.money import cents_to_money_array as cents_to_money
from prodlib.production import Production

sys.path.insert(0, str(Path(__file__).parent))
from measure import row  # noqa: E402

POSITIONS = [
    ("SAG-AFTRA", "Principal Performer", "1400-01"), ("SAG-AFTRA", "Background Actor", "2100-01"),
    ("DGA", "Director", "1300-01"), ("DGA", "First Assistant Director", "2000-02"), ("WGA", "Writer", "1100-02"),
    ("IATSE", "Grip", "2500-01"), ("IATSE", "Gaffer", "3200-01"), ("IATSE", "Camera Operator", "3300-01"),
    ("IATSE", "Makeup Artist", "3100-01"), ("NON-UNION", "Production Assistant", "2000-04"),
]
EARNINGS = ["REG", "REG", "REG", "OT_1_5", "OT_2", "FLAT", "MEAL_PENALTY", "SIXTH_DAY", "PER_DIEM", "KIT_RENTAL",
            "RESIDUAL_THEATRICAL", "RESIDUAL_SUPP_HV"]


def random_payroll(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pos = rng.integers(0, len(POSITIONS), n)
    periods = np.array([date(2025, 11, 1) + timedelta(days=7 * k) for k in range(26)], dtype=object)
    pe = periods[rng.integers(0, len(periods), n)]
    cents = rng.integers(-50_000, 2_500_000, n)
    ties = rng.random(n) < 0.1
    cents[ties] = rng.choice([50, 150, 250, -50, -150], ties.sum())
    hours_q = rng.integers(1, 56, n)  # quarter hours
    back = rng.integers(0, 7, n)
    return pd.DataFrame({
        "employee_id": np.char.add("P", rng.integers(0, 5000, n).astype(str)),
        "union": np.array([p[0] for p in POSITIONS])[pos],
        "classification": np.array([p[1] for p in POSITIONS])[pos],
        "state": np.array(["CA", "NY", "GA"])[rng.integers(0, 3, n)],
        "period_end": pd.Series(pa.array(list(pe), pa.date32()), dtype=pd.ArrowDtype(pa.date32())),
        "work_date": pd.Series(pa.array([p - timedelta(days=int(d)) for p, d in zip(pe, back, strict=True)],
                                        pa.date32()), dtype=pd.ArrowDtype(pa.date32())),
        "cost_code": np.array([p[2] for p in POSITIONS])[pos],
        "earning_type": np.array(EARNINGS)[rng.integers(0, len(EARNINGS), n)],
        "hours": pd.Series(pc.cast(cents_to_money(hours_q * 25), pa.decimal128(18, 4)),  # quarter hours, exact
                           dtype=pd.ArrowDtype(pa.decimal128(18, 4))),
        "amount": pd.Series(cents_to_money(cents), dtype=MONEY_DTYPE),
        "episode": None,
    })


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--reference-rows", type=int, default=100_000,
                    help="lines the scalar decimal reference prices (and is compared with row by row)")
    args = ap.parse_args()
    prod = Production(title="Bench", employer_code="X", pp_date=date(2025, 11, 3), states=("CA", "NY", "GA"))
    compute_fringes(random_payroll(1000), prod)  # warm caches (rule files, chart)
    sub = random_payroll(args.reference_rows)
    t = time.perf_counter()
    ref = compute_fringes(sub, prod, engine="reference")
    ref_per_line = (time.perf_counter() - t) / len(sub)
    t = time.perf_counter()
    vec_sub = compute_fringes(sub, prod)
    vec_sub_per_line = (time.perf_counter() - t) / len(sub)
    pd.testing.assert_frame_equal(vec_sub, ref)
    row(f"decimal reference {len(sub):>9,} lines", f"{ref_per_line * len(sub):6.2f} s {1 / ref_per_line:>9,.0f}/s",
        f"vector on the same {vec_sub_per_line * len(sub):6.2f} s", ref_per_line / vec_sub_per_line,
        f"equal on all {len(ref):,} rows")
    for n in args.rows:
        df = sub if n == len(sub) else random_payroll(n)
        t = time.perf_counter()
        vec = compute_fringes(df, prod)
        dt = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        row(f"fringes {n:>9,} lines", f"{dt:6.2f} s {n / dt:>9,.0f}/s {len(vec):>9,} rows",
            f"reference scaled {ref_per_line * n:8.1f} s", ref_per_line * n / dt,
            "<= 1.5 s, >= 50x" if n >= 1_000_000 else "")
    print(f"   (process peak memory {peak:,.0f} MB; the reference's ratio is scaled per line from "
          f"{len(sub):,} lines)")


if __name__ == "__main__":
    main()

"""Fringes on a million random payroll lines: vectorized engine rows/s, and the scalar reference for scale.

    .venv/bin/python benchmarks/bench_fringes.py [--rows 1000000] [--check-rows 1000000]

Prints rows/s for the vectorized engine on --rows lines, and checks that it equals the scalar
reference row by row on the first --check-rows lines: by default the whole million, as issue 4 asks
(the reference is ~20x slower, so this takes a few minutes; pass a smaller --check-rows for a quick run).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.fringes import compute_fringes
from prodlib.money import MONEY_DTYPE
from prodlib.money import cents_to_money_array as cents_to_money
from prodlib.production import Production

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
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--check-rows", type=int, default=1_000_000)  # issue 4: equal on the million
    args = ap.parse_args()
    prod = Production(title="Bench", employer_code="X", pp_date=date(2025, 11, 3), states=("CA", "NY", "GA"))
    t = time.perf_counter()
    df = random_payroll(args.rows)
    print(f"generated {len(df):,} lines in {time.perf_counter() - t:.1f} s")
    compute_fringes(df.head(1000), prod)  # warm caches (rule files, chart)
    t = time.perf_counter()
    vec = compute_fringes(df, prod)
    dt = time.perf_counter() - t
    print(f"vectorized: {len(df):,} lines -> {len(vec):,} contribution rows in {dt:.2f} s = {len(df) / dt:,.0f} rows/s")
    sub = df.head(args.check_rows)
    t = time.perf_counter()
    ref = compute_fringes(sub, prod, engine="reference")
    dt_ref = time.perf_counter() - t
    t = time.perf_counter()
    vec_sub = compute_fringes(sub, prod)
    dt_vec = time.perf_counter() - t
    pd.testing.assert_frame_equal(vec_sub, ref)
    print(f"scalar reference: {len(sub):,} lines in {dt_ref:.2f} s = {len(sub) / dt_ref:,.0f} rows/s; "
          f"vectorized on the same: {len(sub) / dt_vec:,.0f} rows/s; equal on all {len(ref):,} rows")


if __name__ == "__main__":
    main()

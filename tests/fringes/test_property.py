"""The vectorized engine equals the scalar Decimal reference on every row (ties, reversals, cap crossings)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlib.fringes import compute_fringes
from prodlib.rules import ProductionFacts
from tests.payroll_frames import payroll

POSITIONS = [
    ("SAG-AFTRA", "Principal Performer", "1400-01"), ("SAG-AFTRA", "Background Actor", "2100-01"),
    ("SAG-AFTRA", "Stunt Performer", "1400-03"), ("DGA", "Director", "1300-01"),
    ("DGA", "First Assistant Director", "2000-02"), ("WGA", "Writer", "1100-02"),
    ("IATSE", "Grip", "2500-01"), ("IATSE", "Camera Operator", "3300-01"), ("IATSE", "Makeup Artist", "5000-01"),
    ("NON-UNION", "Production Assistant", "2000-04"),
]
EARNINGS = ["REG", "OT_1_5", "OT_2", "MEAL_PENALTY", "SIXTH_DAY", "SEVENTH_DAY", "FLAT", "PER_DIEM", "MILEAGE",
            "KIT_RENTAL", "BOX_RENTAL", "REIMBURSEMENT", "RESIDUAL_THEATRICAL", "RESIDUAL_SUPP_HV"]
PERIODS = [date(2025, 12, 20), date(2025, 12, 27), date(2026, 1, 3), date(2026, 1, 10)]
# Amounts that hit exact half-cent ties under 21%, 6.2%, 1.45%, 0.6% ..., small and huge (cap crossings).
AMOUNTS = st.one_of(
    st.integers(-2_000_000, 2_000_000),
    st.sampled_from([50, 150, 250, -50, -250, 1, -1, 5, 10, 100_000_00, 150_000_00, 232_000_00, 7_000_00]),
    st.integers(-30_000_000, 30_000_000),
)

row = st.fixed_dictionaries({
    "employee_id": st.sampled_from(["A", "B", "C"]),
    "pos": st.sampled_from(POSITIONS),
    "earning_type": st.sampled_from(EARNINGS),
    "state": st.sampled_from(["CA", "NY"]),
    "period": st.sampled_from(PERIODS),
    "day": st.integers(0, 6),
    "hours": st.integers(0, 16 * 4).map(lambda q: Decimal(q) / 4),
    "cents": AMOUNTS,
    "episode": st.sampled_from(["E1", "E2"]),
})


def _frame(rows: list[dict], episodic: bool) -> pd.DataFrame:
    return payroll([
        {"employee_id": r["employee_id"], "union": r["pos"][0], "classification": r["pos"][1],
         "cost_code": r["pos"][2], "earning_type": r["earning_type"], "state": r["state"],
         "period_end": r["period"], "work_date": r["period"] - timedelta(days=r["day"]),
         "hours": r["hours"], "amount": Decimal(r["cents"]).scaleb(-2),
         "episode": r["episode"] if episodic else None}
        for r in rows
    ])


FEATURE = ProductionFacts(title="F", employer_code="X", pp_date=date(2021, 9, 1), states=("CA", "NY"))
TV = ProductionFacts(title="T", employer_code="X", pp_date=date(2021, 9, 1), states=("CA",),
                     episodes={"E1": date(2021, 9, 1), "E2": date(2022, 8, 1)})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=40), st.booleans())
def test_vector_equals_reference(rows: list[dict], episodic: bool) -> None:
    df = _frame(rows, episodic)
    prod = TV if episodic else FEATURE
    vec = compute_fringes(df, prod)
    ref = compute_fringes(df, prod, engine="reference")
    pd.testing.assert_frame_equal(vec, ref)


def test_equal_on_ten_thousand_random_lines() -> None:
    """A bigger deterministic sample than hypothesis draws (the million is in benchmarks/)."""
    import random

    rnd = random.Random(4)
    rows = [{"employee_id": f"P{rnd.randrange(60)}", "pos": rnd.choice(POSITIONS), "earning_type": rnd.choice(EARNINGS),
             "state": rnd.choice(["CA", "NY"]), "period": rnd.choice(PERIODS), "day": rnd.randrange(7),
             "hours": Decimal(rnd.randrange(0, 64)) / 4, "cents": rnd.randrange(-500_000, 6_000_000),
             "episode": rnd.choice(["E1", "E2"])} for _ in range(10_000)]
    df = _frame(rows, False)
    pd.testing.assert_frame_equal(compute_fringes(df, FEATURE), compute_fringes(df, FEATURE, engine="reference"))

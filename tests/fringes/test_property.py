"""The vectorized engine equals the scalar Decimal reference on every row (ties, reversals, cap crossings).

Also: DGA pension band crossings inside one period, and one person on two classifications or labor
accounts in one period, so that rounding units with several rows (the largest-remainder allocation of
prodlib.fringes.common) are drawn often; every unit's rows sum to its total rounded once.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlib.fringes import compute_fringes
from prodlib.production import Episode, Production
from tests.payroll_frames import payroll

POSITIONS = [
    ("SAG-AFTRA", "Principal Performer", "1400-01"), ("SAG-AFTRA", "Background Actor", "2100-01"),
    ("SAG-AFTRA", "Stunt Performer", "1400-03"), ("DGA", "Director", "1300-01"),
    ("DGA", "First Assistant Director", "2000-02"), ("WGA", "Writer", "1100-02"),
    ("IATSE", "Grip", "2500-01"), ("IATSE", "Camera Operator", "3300-01"), ("IATSE", "Makeup Artist", "5000-01"),
    ("NON-UNION", "Production Assistant", "2000-04"),
    # Same person, another labor account (a different x900 debit) or classification in the same week.
    ("NON-UNION", "Production Assistant", "5000-01"), ("DGA", "Director", "2000-02"), ("IATSE", "Grip", "5000-01"),
]
# Positions one person may hold in the same period: (union, classification, cost code) of one union.
SPLITS = {
    "DGA": [("DGA", "Director", "1300-01"), ("DGA", "Director", "2000-02"),
            ("DGA", "First Assistant Director", "2000-02")],
    "IATSE": [("IATSE", "Grip", "2500-01"), ("IATSE", "Grip", "5000-01"), ("IATSE", "Makeup Artist", "5000-01")],
    "NON-UNION": [("NON-UNION", "Production Assistant", "2000-04"), ("NON-UNION", "Production Assistant", "5000-01")],
    "SAG-AFTRA": [("SAG-AFTRA", "Principal Performer", "1400-01"), ("SAG-AFTRA", "Stunt Performer", "1400-03")],
}
EARNINGS = ["REG", "OT_1_5", "OT_2", "OT_3", "MEAL_PENALTY", "SIXTH_DAY", "SEVENTH_DAY", "FLAT", "PER_DIEM", "MILEAGE",
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



def _line(emp: str, pos: tuple, period: date, cents: int, episode: str, et: str = "REG", hours: int = 8) -> dict:
    return {"employee_id": emp, "pos": pos, "earning_type": et, "state": "CA", "period": period, "day": 1,
            "hours": Decimal(hours), "cents": cents, "episode": episode}


@st.composite
def dga_crossing(draw: st.DrawFn) -> list[dict]:
    """A director just under $150,000, then a period whose lines (several accounts) cross the band."""
    emp = draw(st.sampled_from(["A", "D"]))
    i = draw(st.integers(0, len(PERIODS) - 1))
    j = draw(st.integers(i, len(PERIODS) - 1))  # j == i: the crossing happens inside the first period
    pre = draw(st.integers(13_000_000, 14_999_999))
    out = [_line(emp, SPLITS["DGA"][0], PERIODS[i], pre, draw(st.sampled_from(["E1", "E2"])), "FLAT")]
    for _ in range(draw(st.integers(1, 3))):
        out.append(_line(emp, draw(st.sampled_from(SPLITS["DGA"])), PERIODS[j],
                         draw(st.one_of(st.integers(1, 2_000_000), st.sampled_from([25, 1_000_025, 5, 20]))),
                         draw(st.sampled_from(["E1", "E2"])), draw(st.sampled_from(["FLAT", "REG"]))))
    return out


@st.composite
def split_period(draw: st.DrawFn) -> list[dict]:
    """One person on two or three classifications/accounts of one union in one period (half-cent ties)."""
    union = draw(st.sampled_from(sorted(SPLITS)))
    emp, period = draw(st.sampled_from(["A", "S"])), draw(st.sampled_from(PERIODS))
    return [_line(emp, draw(st.sampled_from(SPLITS[union])), period,
                  draw(st.one_of(st.sampled_from([50, 1000, 1020, 250, 150, 7_000_00]), st.integers(1, 500_000))),
                  draw(st.sampled_from(["E1", "E2"])), draw(st.sampled_from(["REG", "OT_1_5"])),
                  draw(st.integers(1, 12)))
            for _ in range(draw(st.integers(2, 3)))]


def _frame(rows: list[dict], episodic: bool) -> pd.DataFrame:
    return payroll([
        {"employee_id": r["employee_id"], "union": r["pos"][0], "classification": r["pos"][1],
         "cost_code": r["pos"][2], "earning_type": r["earning_type"], "state": r["state"],
         "period_end": r["period"], "work_date": r["period"] - timedelta(days=r["day"]),
         "hours": r["hours"], "amount": Decimal(r["cents"]).scaleb(-2),
         "episode": r["episode"] if episodic else None}
        for r in rows
    ])


FEATURE = Production(title="F", employer_code="X", pp_date=date(2021, 9, 1), states=("CA", "NY"))
TV = Production(title="T", employer_code="X", pp_date=date(2021, 9, 1), states=("CA",),
                     episodes=(Episode("E1", date(2021, 9, 1)), Episode("E2", date(2022, 8, 1))))
# Television: SAG-AFTRA's TV entries, chosen by medium and each episode's program length (E1 one-hour,
# E2 the production's half-hour), with their per-episode ceilings (24,500 / 15,000: crossings drawn).
SERIES = Production(title="S", employer_code="X", pp_date=date(2021, 9, 1), states=("CA",),
                    episodes=(Episode("E1", date(2021, 9, 1), "one_hour"), Episode("E2", date(2022, 8, 1))),
                    medium="television", program_length="half_hour")
TV_RESIDUALS = {"RESIDUAL_THEATRICAL", "RESIDUAL_SUPP_HV"}  # no television residual rate is shipped


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, max_size=40), st.lists(st.one_of(dga_crossing(), split_period()), max_size=3),
       st.sampled_from(["feature", "episodes", "television"]))
def test_vector_equals_reference(rows: list[dict], blocks: list[list[dict]], kind: str) -> None:
    rows = rows + [r for b in blocks for r in b]
    if kind == "television":
        rows = [{**r, "earning_type": "REG"} if r["pos"][0] == "SAG-AFTRA" and r["earning_type"] in TV_RESIDUALS
                else r for r in rows]
    if not rows:
        return
    df = _frame(rows, kind != "feature")
    prod = {"feature": FEATURE, "episodes": TV, "television": SERIES}[kind]
    vec = compute_fringes(df, prod)
    ref = compute_fringes(df, prod, engine="reference")
    pd.testing.assert_frame_equal(vec, ref)
    sag = set(vec.loc[vec.plan == "SAG-AFTRA", "rate_id"])
    # television is priced by the TV entries only, a feature or a theatrical series never by them
    assert all(r.startswith("sag-tv-") == (kind == "television") for r in sag), sag
    _check_units(vec)


def _check_units(f: pd.DataFrame) -> None:
    """Percent funds on a feature, recomputed from basis x rate: each (employee, plan, fund, period) sums to
    its exact total rounded half up once, and each row is within a cent of its own exact amount."""
    exact: dict[tuple, Decimal] = {}
    got: dict[tuple, Decimal] = {}
    for r in f.itertuples():
        if r.kind != "percent" or r.episode not in ("", None):
            continue
        k = (r.employee_id, r.plan, r.fund, r.period_end)
        x, c = Decimal(str(r.basis_amount)) * Decimal(r.rate), Decimal(str(r.contribution))
        assert abs(c - x) < Decimal("0.01"), (k, r.rate_id, c, x)
        exact[k] = exact.get(k, Decimal(0)) + x
        got[k] = got.get(k, Decimal(0)) + c
    for k, x in exact.items():
        assert got[k] == x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), k


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


def test_equal_whatever_order_the_lines_are_exploded_in(monkeypatch) -> None:
    """The engine explodes lines sorted so that the pairs come out in group-key order; handed the lines
    in another order (here reversed), it must sort the pairs itself and still equal the reference."""
    import random

    import numpy as np

    from prodlib.fringes import vector

    rnd = random.Random(9)
    rows = [{"employee_id": f"P{rnd.randrange(8)}", "pos": rnd.choice(POSITIONS), "earning_type": rnd.choice(EARNINGS),
             "state": rnd.choice(["CA", "NY"]), "period": rnd.choice(PERIODS), "day": rnd.randrange(7),
             "hours": Decimal(rnd.randrange(0, 64)) / 4,
             "cents": rnd.choice([50, 150, -250, rnd.randrange(-5_000, 900_000)]),
             "episode": rnd.choice(["E1", "E2"])} for _ in range(400)]
    calls = []

    def reversed_order(key: np.ndarray) -> np.ndarray:
        calls.append(len(key))
        return np.argsort(key, kind="stable")[::-1].copy()

    monkeypatch.setattr(vector, "_line_order", reversed_order)
    for episodic, prod in ((False, FEATURE), (True, TV)):
        df = _frame(rows, episodic)
        pd.testing.assert_frame_equal(compute_fringes(df, prod), compute_fringes(df, prod, engine="reference"))
    assert calls


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, max_size=40), st.lists(st.sampled_from(["A", "B", "C", "D", "E", "F"]), max_size=40),
       st.integers(1, 12), st.sampled_from(["feature", "episodes"]))
def test_blocks_of_employees_equal_the_whole_frame(rows: list[dict], people: list[str], block: int,
                                                   kind: str) -> None:
    """Above ``BLOCK_LINES`` the engine prices blocks of whole employees and joins them; with blocks of
    1-12 lines over up to six people (a person's lines never split, a block of one person larger than the
    bound), the joined result is the reference's, row for row and dtype for dtype."""
    from prodlib.fringes import vector
    from prodlib.rules import load_rules
    from prodlib.taxonomy import get_chart

    rows = [{**r, "employee_id": people[i % len(people)]} if people else r for i, r in enumerate(rows)]
    if not rows:
        return
    df = _frame(rows, kind != "feature")
    prod = FEATURE if kind == "feature" else TV
    ref = compute_fringes(df, prod, engine="reference")
    book = load_rules(prod)
    blocks = vector.vector_fringes(df, prod, book.plans, book.scale, get_chart(prod.chart), block_lines=block)
    pd.testing.assert_frame_equal(blocks, ref)


def test_ten_thousand_lines_in_blocks_equal_the_reference() -> None:
    """The 10,000 random lines priced in blocks of 500 lines (60 people: about 12 blocks) equal the
    reference over the whole frame."""
    import random

    from prodlib.fringes import vector
    from prodlib.rules import load_rules
    from prodlib.taxonomy import get_chart

    rnd = random.Random(4)
    rows = [{"employee_id": f"P{rnd.randrange(60)}", "pos": rnd.choice(POSITIONS), "earning_type": rnd.choice(EARNINGS),
             "state": rnd.choice(["CA", "NY"]), "period": rnd.choice(PERIODS), "day": rnd.randrange(7),
             "hours": Decimal(rnd.randrange(0, 64)) / 4, "cents": rnd.randrange(-500_000, 6_000_000),
             "episode": rnd.choice(["E1", "E2"])} for _ in range(10_000)]
    for episodic, prod in ((False, FEATURE), (True, TV)):
        df = _frame(rows, episodic)
        book = load_rules(prod)
        blocks = vector.vector_fringes(df, prod, book.plans, book.scale, get_chart(prod.chart), block_lines=500)
        pd.testing.assert_frame_equal(blocks, compute_fringes(df, prod, engine="reference"))

"""Fringe figures worked out by hand (comments), against the engine and the reference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from prodlib.fringes import NoScheduleError, compute_fringes
from prodlib.fringes.vector import _mul_div_round
from prodlib.guild import validate_payroll
from prodlib.production import Episode, Production
from prodlib.rules import load_plans
from tests.payroll_frames import payroll

PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",))
SAG = {"union": "SAG-AFTRA", "classification": "Principal Performer", "cost_code": "1400-01"}
GRIP = {"employee_id": "G", "union": "IATSE", "classification": "Grip", "cost_code": "2500-01"}
DIR = {"employee_id": "D", "union": "DGA", "classification": "Director", "cost_code": "1300-01", "earning_type": "FLAT"}


def both(df: pd.DataFrame, prod: Production = PROD) -> pd.DataFrame:
    vec = compute_fringes(df, prod)
    pd.testing.assert_frame_equal(vec, compute_fringes(df, prod, engine="reference"))
    return vec


def pick(f: pd.DataFrame, **kw: object) -> list[Decimal]:
    m = pd.Series(True, index=f.index)
    for k, v in kw.items():
        m &= f[k].astype(str) == str(v)
    return [Decimal(str(x)) for x in f.loc[m, "contribution"]]


def test_sag_ceiling_crossed_in_second_week() -> None:
    # 200,000 then 50,000; ceiling 232,000 per project; PP 2026-03-02 -> 21.00%.
    # week 1: 200,000 x 0.21 = 42,000.00; week 2: only 32,000 left -> 32,000 x 0.21 = 6,720.00.
    df = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "200000.00"},
                  {**SAG, "period_end": "2026-03-14", "earning_type": "REG", "amount": "50000.00"}])
    f = both(df)
    assert pick(f, plan="SAG-AFTRA") == [Decimal("42000.00"), Decimal("6720.00")]
    # Social Security 2026 base 184,500: 184,500 x 0.062 = 11,439.00, then 0.00.
    assert pick(f, plan="FICA-SS") == [Decimal("11439.00"), Decimal("0.00")]
    assert set(f.loc[f.plan == "SAG-AFTRA", "debit_account"]) == {"1900-02"}
    assert set(f.loc[f.plan == "SAG-AFTRA", "credit_account"]) == {"FRINGE_PAYABLE:SAG-AFTRA"}


def test_ties_round_half_away_from_zero_and_reversal_is_negative() -> None:
    # 0.50 x 0.21 = 0.105 -> 0.11; a -0.50 reversal in the next week -> -0.105 -> -0.11.
    df = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "0.50"},
                  {**SAG, "period_end": "2026-03-14", "earning_type": "REG", "amount": "-0.50"}])
    assert pick(both(df), plan="SAG-AFTRA") == [Decimal("0.11"), Decimal("-0.11")]


def test_reversal_back_under_the_cap_gives_back_the_capped_part() -> None:
    # 240,000 (8,000 over the ceiling) then -10,000: running total 230,000 -> the second week's capped
    # basis is 230,000 - 232,000 = -2,000 -> -420.00; the first week 232,000 x 0.21 = 48,720.00.
    df = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "240000.00"},
                  {**SAG, "period_end": "2026-03-14", "earning_type": "REG", "amount": "-10000.00"}])
    assert pick(both(df), plan="SAG-AFTRA") == [Decimal("48720.00"), Decimal("-420.00")]


def test_non_subject_earnings_and_hourly_plans() -> None:
    # Grip: REG 8 h x 45 = 360.00, OT_1_5 2.5 h x 67.50 = 168.75, per diem 60.00 (not subject).
    # MPI health 10.5 h x 16.25 = 170.625 -> 170.63; pension 10.5 x 3.45 = 36.225 -> 36.23;
    # IAP 7% of scale wages (8 x 45 + 2.5 x 45 x 1.5 = 528.75) = 37.0125 -> 37.01;
    # Medicare 528.75 x 0.0145 = 7.666875 -> 7.67.
    df = payroll([
        {**GRIP, "period_end": "2026-03-07", "work_date": "2026-03-02", "earning_type": "REG", "hours": "8",
         "rate": "45", "amount": "360.00"},
        {**GRIP, "period_end": "2026-03-07", "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "2.5",
         "rate": "67.5", "amount": "168.75"},
        {**GRIP, "period_end": "2026-03-07", "work_date": "2026-03-02", "earning_type": "PER_DIEM",
         "amount": "60.00"},
    ])
    f = both(df)
    assert pick(f, fund="Active Health") == [Decimal("170.63")]
    assert pick(f, fund="Pension", plan="MPI") == [Decimal("36.23")]
    assert pick(f, fund="Individual Account") == [Decimal("37.01")]
    assert pick(f, plan="FICA-MED") == [Decimal("7.67")]
    assert set(f["subject_gross"].astype(str)) == {"528.75"}
    assert set(f.loc[f.plan == "MPI", "debit_account"]) == {"4900-02"}


def test_on_call_week_credited_hours() -> None:
    # On-call grip paid FLAT on 6 distinct days: credited 67 h -> health 67 x 16.25 = 1,088.75.
    rows = [{**GRIP, "period_end": "2026-03-07", "work_date": f"2026-03-0{d}", "earning_type": "FLAT",
             "amount": "500.00"} for d in range(1, 7)]
    assert pick(both(payroll(rows)), fund="Active Health") == [Decimal("1088.75")]


def test_dga_bands_crossed_mid_year() -> None:
    # 40,000 a week for 4 weeks in 2026; before week 4 the total is 120,000, after 160,000.
    # Basic 6.3% of the 30,000 under 150,000 = 1,890.00; Supplemental 2.2% of 30,000 = 660.00,
    # and 8.5% of the 10,000 above 150,000 = 850.00.
    rows = [{**DIR, "period_end": f"2026-03-{d:02d}", "amount": "40000.00"} for d in (7, 14, 21, 28)]
    f = both(payroll(rows))
    w4 = f[f.period_end.astype(str) == "2026-03-28"]
    assert pick(w4, rate_id="dga-2021-basic") == [Decimal("1890.00")]
    assert pick(w4, rate_id="dga-2021-supp-1") == [Decimal("660.00")]
    assert pick(w4, rate_id="dga-2021-supp-2") == [Decimal("850.00")]
    # Weeks 1-3 are all under the band: 40,000 x 0.063 = 2,520.00 each; nothing above 150,000.
    assert pick(f, rate_id="dga-2021-basic")[:3] == [Decimal("2520.00")] * 3
    assert pick(f, rate_id="dga-2021-supp-2")[:3] == [Decimal("0.00")] * 3


def test_residuals_at_original_pp_date_rate_and_uncapped() -> None:
    # PP 2021-09-01 -> 2021 schedule: theatrical residual 20.00%, supplemental home video 13.50%.
    # The performer's session pay already exceeds the ceiling; residuals are not capped.
    prod = Production(title="Old", employer_code="EMP", pp_date=date(2021, 9, 1), states=("CA",))
    df = payroll([
        {**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "300000.00"},
        {**SAG, "period_end": "2026-03-07", "earning_type": "RESIDUAL_THEATRICAL", "amount": "1000.00"},
        {**SAG, "period_end": "2026-03-07", "earning_type": "RESIDUAL_SUPP_HV", "amount": "1000.00"},
    ])
    f = both(df, prod)
    assert pick(f, rate_id="sag-2021-resid") == [Decimal("200.00")]  # 1,000 x 0.20
    assert pick(f, rate_id="sag-2021-supphv") == [Decimal("135.00")]  # 1,000 x 0.135
    assert pick(f, rate_id="sag-2021-perf") == [Decimal("47560.00")]  # 232,000 x 0.205
    assert set(f.loc[f.rate_id == "sag-2021-resid", "contribution_type"]) == {"residual"}


def test_episodes_use_their_own_pp_date_and_cap() -> None:
    # E1 PP 2021-09-01 (20.50%), E2 PP 2022-08-01 (21.00%): 1,000 each -> 205.00 and 210.00.
    # WGA per-picture cap per episode: E1 200,000 + 50,000 -> 225,000 x 8.5% = 19,125.00 in total
    # (17,000.00 then 2,125.00); E2 100,000 starts afresh -> 8,500.00.
    prod = Production(title="TV", employer_code="EMP", pp_date=date(2021, 9, 1), states=("CA",),
                           episodes=(Episode("E1", date(2021, 9, 1)), Episode("E2", date(2022, 8, 1))))
    w = {"employee_id": "W", "union": "WGA", "classification": "Writer", "cost_code": "1100-02", "earning_type": "FLAT"}
    df = payroll([
        {**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "1000.00", "episode": "E1"},
        {**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "1000.00", "episode": "E2"},
        {**w, "period_end": "2026-03-07", "amount": "200000.00", "episode": "E1"},
        {**w, "period_end": "2026-03-14", "amount": "50000.00", "episode": "E1"},
        {**w, "period_end": "2026-03-14", "amount": "100000.00", "episode": "E2"},
    ])
    f = both(df, prod)
    assert pick(f, plan="SAG-AFTRA") == [Decimal("205.00"), Decimal("210.00")]
    assert pick(f, rate_id="wga-2019-pension", episode="E1") == [Decimal("17000.00"), Decimal("2125.00")]
    assert pick(f, rate_id="wga-2019-pension", episode="E2") == [Decimal("8500.00")]


def test_sag_ceiling_is_per_episode_on_tv_and_per_project_on_a_feature() -> None:
    # A series regular earns 200,000 on each of two one-hour episodes (PP 2022-08-01 and 2022-09-01:
    # 21.00%, the plan's television rate). TV ceiling 24,500 per episode per performer:
    # 24,500 x 0.21 = 5,145.00 on each episode (10,290.00 in all).
    tv = Production(title="TV", employer_code="EMP", pp_date=date(2022, 8, 1), states=("CA",),
                    episodes=(Episode("E1", date(2022, 8, 1)), Episode("E2", date(2022, 9, 1))),
                    medium="television", program_length="one_hour")
    df = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "200000.00", "episode": "E1"},
                  {**SAG, "period_end": "2026-03-14", "earning_type": "REG", "amount": "200000.00", "episode": "E2"}])
    f = both(df, tv)
    assert pick(f, plan="SAG-AFTRA") == [Decimal("5145.00"), Decimal("5145.00")]
    assert set(f.loc[f.plan == "SAG-AFTRA", "rate_id"]) == {"sag-tv-2022-perf-hour"}
    # The same 400,000 on a feature is one project under the theatrical ceiling 232,000:
    # 232,000 x 0.21 = 48,720.00 (42,000.00 + 6,720.00).
    feature = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "200000.00"},
                       {**SAG, "period_end": "2026-03-14", "earning_type": "REG", "amount": "200000.00"}])
    assert pick(both(feature), plan="SAG-AFTRA") == [Decimal("42000.00"), Decimal("6720.00")]


def test_tv_ceiling_follows_each_episodes_program_length() -> None:
    # A half-hour series (production program_length half_hour) with one one-hour special (E3 declares
    # one_hour), PP 2021-09-01 (20.50% principal, 20.00% background):
    #   principal, E1 half-hour, 20,000.00 -> ceiling 15,000: 15,000 x 0.205 = 3,075.00
    #   principal, E3 one-hour,  20,000.00 -> under 24,500:   20,000 x 0.205 = 4,100.00
    #   background, E1 half-hour,   400.00 -> under 15,000:      400 x 0.200 =    80.00
    tv = Production(title="TV", employer_code="EMP", pp_date=date(2021, 9, 1), states=("CA",),
                    episodes=(Episode("E1", date(2021, 9, 1)), Episode("E3", date(2021, 9, 1), "one_hour")),
                    medium="television", program_length="half_hour")
    bg = {**SAG, "employee_id": "B", "classification": "Background Actor", "cost_code": "2100-01"}
    df = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "20000.00", "episode": "E1"},
                  {**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "20000.00", "episode": "E3"},
                  {**bg, "period_end": "2026-03-07", "earning_type": "REG", "amount": "400.00", "episode": "E1"}])
    f = both(df, tv)
    assert pick(f, rate_id="sag-tv-2021-perf-half") == [Decimal("3075.00")]
    assert pick(f, rate_id="sag-tv-2021-perf-hour") == [Decimal("4100.00")]
    assert pick(f, rate_id="sag-tv-2021-bg-half") == [Decimal("80.00")]
    assert not any(f.rate_id.str.startswith("sag-2021"))  # no theatrical entry is levied on television


def test_tv_line_without_a_shipped_ceiling_is_no_schedule_in_force() -> None:
    # PP 2024-01-08 on television: the 2023 agreement's ceilings are not shipped, so the principal's
    # line has no SAG-AFTRA schedule: validation quarantines it NO_SCHEDULE_IN_FORCE, and an engine
    # handed it raises rather than price it at the theatrical ceiling or at zero. A 90-minute program
    # in 2022 has no shipped ceiling either.
    late = Production(title="TV", employer_code="EMP", pp_date=date(2024, 1, 8), states=("CA",),
                      medium="television", program_length="one_hour")
    long = Production(title="TV", employer_code="EMP", pp_date=date(2022, 8, 1), states=("CA",),
                      medium="television", program_length="ninety_minutes")
    df = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "1000.00"}])
    for prod in (late, long):
        valid, q = validate_payroll(df, None, prod)
        assert len(valid) == 0 and list(q.reason) == ["NO_SCHEDULE_IN_FORCE"]
        for engine in ("vector", "reference"):
            with pytest.raises(NoScheduleError):
                compute_fringes(df, prod, engine=engine)


def test_social_security_wage_base_restarts_each_year() -> None:
    # 2025: 180,000 over the 176,100 base -> 176,100 x 0.062 = 10,918.20. 2026: 10,000 -> 620.00.
    df = payroll([{**DIR, "period_end": "2025-12-27", "amount": "180000.00"},
                  {**DIR, "period_end": "2026-01-03", "amount": "10000.00"}])
    assert pick(both(df), plan="FICA-SS") == [Decimal("10918.20"), Decimal("620.00")]


def test_post_payroll_workers_comp_falls_back_to_payroll_taxes_detail() -> None:
    # 5900 has no -03 detail: the WC plan's fringe_detail preference ["03", "01"] gives 5900-01.
    df = payroll([{**GRIP, "cost_code": "5000-01", "period_end": "2026-03-07", "earning_type": "REG",
                   "hours": "1", "rate": "45", "amount": "45.00"}])
    f = both(df)
    assert set(f.loc[f.plan == "WC", "debit_account"]) == {"5900-01"}


def test_no_schedule_is_an_error_not_zero() -> None:
    prod = Production(title="Old", employer_code="EMP", pp_date=date(2017, 1, 1), states=("CA",))
    # PP 2017-01-01: the SAG-AFTRA file starts at 2017-07-01 -> nothing in force, an error, never 0.00.
    df = payroll([{**SAG, "period_end": "2026-03-07", "earning_type": "REG", "amount": "1000.00"}])
    with pytest.raises(NoScheduleError):
        compute_fringes(df, prod)
    with pytest.raises(NoScheduleError):
        compute_fringes(df, prod, engine="reference")


def test_checked_multiply_never_wraps() -> None:
    big = np.array([9_000_000_000_000_000, -9_000_000_000_000_000], np.int64)
    out = _mul_div_round(big, np.array([21_000_000, 21_000_000], np.int64), 10**8)
    assert out.tolist() == [1_890_000_000_000_000, -1_890_000_000_000_000]  # 9e18 x 0.21 exactly


def test_every_rate_has_source_and_verified_flag() -> None:
    for p in load_plans().plans:
        for r in p.rates:
            assert r.source and isinstance(r.verified, bool)

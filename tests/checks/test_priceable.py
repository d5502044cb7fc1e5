"""A line the fringe engines cannot price is quarantined by validation first, and the run completes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from prodlib.fringes import compute_fringes
from prodlib.guild import validate_payroll
from prodlib.production import Production
from prodlib.reasons import DESCRIPTIONS, Reason
from prodlib.rules import load_scale
from tests.payroll_frames import payroll

PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",))


def weekly_grip_scale():
    """The shipped scale with the IATSE Grip minimum made weekly (40.00/week, so no scale rule fires):
    MPI's Individual Account is 7 % of hourly scale wages, and a weekly minimum has no hourly wage."""
    base = load_scale()
    entries = tuple(replace(e, unit="week", minimum=Decimal("40.00"))
                    if (e.union, e.classification) == ("IATSE", "Grip") else e for e in base.entries)
    return replace(base, entries=entries)


def lines():
    grip = {"employee_id": "G", "union": "IATSE", "classification": "Grip", "cost_code": "2500-01",
            "period_end": "2026-03-07", "work_date": "2026-03-02", "earning_type": "REG", "hours": "8",
            "rate": "45", "amount": "360.00"}
    gaffer = {**grip, "employee_id": "F", "classification": "Gaffer", "rate": "53", "amount": "424.00"}
    return payroll([grip, gaffer])


@pytest.mark.parametrize("engine", ["vector", "reference"])
def test_the_engines_refuse_the_line_unvalidated(engine: str) -> None:
    # Without validation the engine meets a percent-of-scale entry with no hourly scale: it refuses.
    with pytest.raises(ValueError, match="percent_of_scale needs an hourly scale minimum"):
        compute_fringes(lines(), PROD, scale=weekly_grip_scale(), engine=engine)


@pytest.mark.parametrize("engine", ["vector", "reference"])
def test_validation_quarantines_it_and_the_run_completes(engine: str) -> None:
    scale = weekly_grip_scale()
    valid, q = validate_payroll(lines(), None, PROD, scale=scale)
    assert q["reason"].tolist() == ["NO_HOURLY_SCALE"] and q["source_line"].tolist() == [2]
    assert q["field"].tolist() == ["classification"]
    assert "IATSE/Grip has no hourly scale minimum for REG" in q["detail"].iloc[0]
    assert valid["employee_id"].tolist() == ["F"]
    fringes = compute_fringes(valid, PROD, scale=scale, engine=engine)
    # The gaffer's IAP: 7 % of 8 h x 53.00 scale x 1.0 = 0.07 x 424.00 = 29.68.
    iap = fringes[fringes["fund"] == "Individual Account"]
    assert iap["contribution"].tolist() == [Decimal("29.68")]
    assert set(fringes["employee_id"]) == {"F"}


def test_the_new_reason_is_documented() -> None:
    assert "percent-of-scale" in DESCRIPTIONS[Reason.NO_HOURLY_SCALE]


def test_through_the_pipeline_stage_the_run_completes() -> None:
    # The payroll stage of prodlib.pipeline with the weekly-grip scale: the grip line leaves for the
    # quarantine with its reason, conservation holds (2 read = 1 accepted + 1 quarantined), and the
    # accepted line is priced.
    from pathlib import Path

    import pandas as pd

    from prodlib.checks import make_context
    from prodlib.ingest import IngestResult
    from prodlib.pipeline import guild_stage, start
    from prodlib.sources import SourceSpec

    frame = lines()
    raw = frame.astype(str)
    spec = SourceSpec(id="pay", kind="payroll", path=Path("payroll.csv"), columns={}, display_path="payroll.csv")
    stage = start(IngestResult(spec=spec, file_hash="h", rows_read=2, frame=frame,
                               quarantine=pd.DataFrame(), raw=raw))
    context = make_context(PROD, scale=weekly_grip_scale())
    stage = guild_stage(stage, pd.DataFrame(), PROD, context.chart, context)
    stage.check_conservation()
    assert stage.quarantine["reason"].tolist() == ["NO_HOURLY_SCALE"]
    assert not compute_fringes(stage.good, PROD, scale=context.scale).empty

"""CSV and stamp JSON beside the P&H remittance and contingency reports (same format as
:mod:`prodlib.reports.export`: amounts as exact decimal text, the stamp read by the index)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from prodlib.reports.contingency import ContingencyReport
from prodlib.reports.export import write_stamp
from prodlib.reports.load import DataStamp
from prodlib.reports.pnh import PnhRemittanceReport


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text: Decimal amounts exact ("-1200.00"), dates ISO, missing values empty."""
    out = pd.DataFrame(index=frame.index)
    for c in frame.columns:
        out[c] = ["" if v is None or v is pd.NA else (v.isoformat() if hasattr(v, "isoformat") else str(v))
                  for v in frame[c].tolist()]
    return out


def _write(frame: pd.DataFrame, path: Path) -> Path:
    csv_frame(frame).to_csv(path, index=False, lineterminator="\n")
    return path


def export_pnh_remittance(report: PnhRemittanceReport, stamp: DataStamp, out_dir: str | Path,
                          stem: str = "pnh_remittance") -> Path:
    """``<stem>.csv`` (per plan, fund, period), ``<stem>_exceptions.csv``, ``<stem>.stamp.json``; returns the CSV."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = _write(report.funds, out / f"{stem}.csv")
    _write(report.exceptions, out / f"{stem}_exceptions.csv")
    write_stamp(stamp, out / f"{stem}.stamp.json", "P&H remittance",
                {"total_contribution": str(report.total_contribution), "total_ledger": str(report.total_ledger),
                 "total_outstanding": str(report.total_outstanding),
                 "total_late_charge": str(report.total_late_charge), "exceptions": len(report.exceptions),
                 "ties": report.ties, "exposure_as_of": report.as_of.isoformat()})
    return csv


def export_contingency(report: ContingencyReport, stamp: DataStamp, out_dir: str | Path,
                       stem: str = "contingency") -> Path:
    """``<stem>.csv`` (the roll-forward), ``<stem>_versions.csv``, ``<stem>_over_budget.csv``, stamp JSON."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = _write(report.rollforward(), out / f"{stem}.csv")
    _write(report.steps, out / f"{stem}_versions.csv")
    _write(report.over_budget, out / f"{stem}_over_budget.csv")
    write_stamp(stamp, out / f"{stem}.stamp.json", "Contingency",
                {"contingency_budgeted": str(report.budgeted), "contingency_used": str(report.used),
                 "contingency_remaining": str(report.remaining),
                 "projected_overruns": str(report.projected_overruns),
                 "remaining_after_overruns": str(report.after_overruns)})
    return csv

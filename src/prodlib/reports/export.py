"""Machine-readable exports written beside each rendered report: CSV figures and the data stamp JSON.

The CSV carries amounts as plain decimal text ("-1200.00"), so any tool can check the figures
exactly; text cells that a spreadsheet would run as a formula are neutralised on the way out
(:mod:`prodlib.spreadsheet`). The stamp JSON is what ``render_all`` reads to write the index line of
the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from prodlib.reports.audience import ROLE_COLUMN
from prodlib.reports.cashflow import CashFlowReport
from prodlib.reports.contingency import ContingencyReport
from prodlib.reports.cost import AMOUNT_COLUMNS, CostReport
from prodlib.reports.exceptions import ExceptionsReport
from prodlib.reports.load import DataStamp
from prodlib.reports.pnh import PnhRemittanceReport
from prodlib.spreadsheet import safe_frame


def cost_report_csv_frame(report: CostReport) -> pd.DataFrame:
    """The displayed table with amounts as exact decimal strings and an empty cell for no percentage."""
    table = report.table()
    out = table[["kind", "key", "account", "name"]].copy()
    for c in (*AMOUNT_COLUMNS, "percent_spent"):
        out[c] = [("" if v is None or v is pd.NA else str(v)) for v in table[c].tolist()]
    return out


def write_stamp(stamp: DataStamp, path: Path, report: str, extra: dict | None = None) -> Path:
    doc = {"report": report, **stamp.to_dict(), **(extra or {})}
    path.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return path


def export_cost_report(report: CostReport, stamp: DataStamp, out_dir: str | Path, stem: str = "cost_report") -> Path:
    """Write ``<stem>.csv`` and ``<stem>.stamp.json`` into ``out_dir``; returns the CSV path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{stem}.csv"
    write_csv(cost_report_csv_frame(report), csv, stamp.role)
    g = report.grand_total
    write_stamp(stamp, out / f"{stem}.stamp.json", "Cost report",
                {"grand_total_budget": str(g.budget), "grand_total_efc": str(g.efc),
                 "grand_total_variance": str(g.variance)})
    return csv


def export_exceptions(report: ExceptionsReport, stamp: DataStamp, out_dir: str | Path,
                      stem: str = "exceptions") -> Path:
    """Write ``<stem>.csv`` (every waiting exception, oldest first) and ``<stem>.stamp.json``.

    For a role that sees counts only, ``<stem>.csv`` is the waiting exceptions by reason (kind, reason,
    description, exceptions, amount)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{stem}.csv"
    write_csv(csv_frame(report.by_reason if report.rows_withheld else report.oldest), csv, stamp.role)
    write_stamp(stamp, out / f"{stem}.stamp.json", "Exception queue",
                {"exceptions_waiting": report.waiting, "waiting_at_stake": str(report.waiting_amount),
                 "exceptions_total": report.total, "rows_withheld": report.rows_withheld,
                 "kinds_withheld": report.kinds_withheld})
    return csv


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text: Decimal amounts exact ("-1200.00"), dates ISO, missing values empty."""
    out = pd.DataFrame(index=frame.index)
    for c in frame.columns:
        out[c] = ["" if v is None or v is pd.NA else (v.isoformat() if hasattr(v, "isoformat") else str(v))
                  for v in frame[c].tolist()]
    return out


def write_csv(frame: pd.DataFrame, path: Path, role: str | None = None) -> Path:
    """The one way a report CSV is written: formula-like text neutralised, LF line ends, no index.

    ``role``: the role the report was rendered for, written in a last column :data:`ROLE_COLUMN`
    on every row (a CSV read alone still says whom it was for)."""
    frame = safe_frame(frame)
    if role is not None:
        frame = frame.assign(**{ROLE_COLUMN: role})
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _write(frame: pd.DataFrame, path: Path, role: str | None = None) -> Path:
    return write_csv(csv_frame(frame), path, role)


def _export_frames(stamp: DataStamp, out_dir: str | Path, stem: str, title: str, frames: dict[str, pd.DataFrame],
                   extra: dict) -> Path:
    """``<stem><suffix>.csv`` per frame (the first is the report's CSV, returned) and ``<stem>.stamp.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [_write(frame, out / f"{stem}{suffix}.csv", stamp.role) for suffix, frame in frames.items()]
    write_stamp(stamp, out / f"{stem}.stamp.json", title, extra)
    return paths[0]


def export_pnh_remittance(report: PnhRemittanceReport, stamp: DataStamp, out_dir: str | Path,
                          stem: str = "pnh_remittance") -> Path:
    """``<stem>.csv`` (per plan, fund, period), ``<stem>_exceptions.csv``, ``<stem>.stamp.json``; returns the CSV."""
    return _export_frames(stamp, out_dir, stem, "P&H remittance", {"": report.funds, "_exceptions": report.exceptions},
                          {"total_contribution": str(report.total_contribution),
                           "total_ledger": str(report.total_ledger), "total_outstanding": str(report.total_outstanding),
                           "total_late_charge": str(report.total_late_charge), "exceptions": len(report.exceptions),
                           "ties": report.ties, "exposure_as_of": report.as_of.isoformat()})


def export_contingency(report: ContingencyReport, stamp: DataStamp, out_dir: str | Path,
                       stem: str = "contingency") -> Path:
    """``<stem>.csv`` (the roll-forward), ``<stem>_versions.csv``, ``<stem>_over_budget.csv``, stamp JSON."""
    return _export_frames(stamp, out_dir, stem, "Contingency",
                          {"": report.rollforward(), "_versions": report.steps, "_over_budget": report.over_budget},
                          {"contingency_budgeted": str(report.budgeted), "contingency_used": str(report.used),
                           "contingency_remaining": str(report.remaining),
                           "projected_overruns": str(report.projected_overruns),
                           "remaining_after_overruns": str(report.after_overruns)})


def export_cash_flow(monthly: CashFlowReport, weekly: CashFlowReport, stamp: DataStamp, out_dir: str | Path,
                     stem: str = "cash_flow") -> Path:
    """``<stem>.csv`` (by month), ``<stem>_weekly.csv`` and ``<stem>.stamp.json``; returns the CSV."""
    return _export_frames(stamp, out_dir, stem, "Cash flow", {"": monthly.periods, "_weekly": weekly.periods},
                          {"budget_total": str(monthly.budget_total), "total_incurred": str(monthly.total_incurred),
                           "remaining_budget": str(monthly.remaining_budget),
                           "total_cash_paid": str(monthly.total_cash_paid)})

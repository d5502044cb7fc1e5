"""Machine-readable exports written beside each rendered report: CSV figures and the data stamp JSON.

The CSV carries amounts as plain decimal text ("-1200.00"), so any tool can check the figures
exactly; the stamp JSON is what ``render_all`` reads to write the index line of the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from prodlib.reports.cost import AMOUNT_COLUMNS, CostReport
from prodlib.reports.load import DataStamp
from prodlib.reports.quarantine import QuarantineReport


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
    cost_report_csv_frame(report).to_csv(csv, index=False, lineterminator="\n")
    g = report.grand_total
    write_stamp(stamp, out / f"{stem}.stamp.json", "Cost report",
                {"grand_total_budget": str(g.budget), "grand_total_efc": str(g.efc),
                 "grand_total_variance": str(g.variance)})
    return csv


def export_quarantine(
    report: QuarantineReport, stamp: DataStamp, out_dir: str | Path, stem: str = "quarantine"
) -> Path:
    """Write ``<stem>.csv`` (one row per quarantined row, file:line and reason) and ``<stem>.stamp.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{stem}.csv"
    report.rows.to_csv(csv, index=False, lineterminator="\n")
    write_stamp(stamp, out / f"{stem}.stamp.json", "Quarantine (exceptions)", {"rows_quarantined": report.total})
    return csv

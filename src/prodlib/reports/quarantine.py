"""The exceptions report: what is in the quarantine, why, and where each row came from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from prodlib.columns import QUARANTINE_COLUMNS
from prodlib.reasons import Reason


@dataclass(frozen=True, eq=False)
class QuarantineReport:
    """The quarantine as a person works through it: counts, then every row.

    Attributes:
      total: rows in the quarantine
      by_reason: reason, description, rows: most rows first, then reason
      by_source: source_id, source_file, rows: most rows first
      rows: location (file:line), source_id, reason, field, detail: by file then line
    """

    total: int
    by_reason: pd.DataFrame  # reason, description, rows: most rows first, then reason
    by_source: pd.DataFrame  # source_id, source_file, rows: most rows first
    rows: pd.DataFrame  # location (file:line), source_id, reason, field, detail: by file then line


def _describe(reason: str) -> str:
    try:
        return Reason(reason).description
    except ValueError:
        return "(reason code not in prodlib.reasons)"


def quarantine_report(quarantine: pd.DataFrame) -> QuarantineReport:
    """Counts by reason and by source, and every row located as ``file:line`` with its reason."""
    missing = set(QUARANTINE_COLUMNS) - {"payload", "row_hash"} - set(quarantine.columns)
    if missing:
        raise ValueError(f"quarantine frame lacks column(s) {sorted(missing)}")
    q = quarantine.reset_index(drop=True)
    by_reason = (q.groupby("reason", sort=False).size().rename("rows").reset_index()
                 .sort_values(["rows", "reason"], ascending=[False, True], ignore_index=True))
    by_reason.insert(1, "description", [_describe(r) for r in by_reason["reason"]])
    by_source = (q.groupby(["source_id", "source_file"], sort=False).size().rename("rows").reset_index()
                 .sort_values(["rows", "source_id"], ascending=[False, True], ignore_index=True))
    rows = q.sort_values(["source_file", "source_line"], ignore_index=True, kind="stable")
    located = pd.DataFrame({
        "location": rows["source_file"].astype(str) + ":" + rows["source_line"].astype(str),
        "source_id": rows["source_id"], "reason": rows["reason"],
        "field": rows["field"].fillna(""), "detail": rows["detail"].fillna(""),
    })
    return QuarantineReport(total=len(q), by_reason=by_reason.astype({"rows": "int64"}),
                            by_source=by_source.astype({"rows": "int64"}), rows=located)

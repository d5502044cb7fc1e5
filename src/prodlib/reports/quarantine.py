"""The exceptions report: what is in the quarantine, why, and where each row came from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from prodlib.columns import QUARANTINE_COLUMNS
from prodlib.reasons import Reason
from prodlib.reports.audience import DEFAULT_ROLE, audience


@dataclass(frozen=True, eq=False)
class QuarantineReport:
    """The quarantine as a person works through it: counts, then every row.

    Attributes:
      total: rows in the quarantine
      by_reason: reason, description, rows: most rows first, then reason
      by_source: source_id, source_file, rows: most rows first
      rows: location (file:line), source_id, reason, field, detail: by file then line (empty for a
        role that sees counts only)
      role: the role the report was built for (:mod:`prodlib.reports.audience`)
      rows_withheld: rows counted in ``total`` whose detail the role may not see (listed in no table)
      kinds_withheld: quarantined rows of input kinds outside the role's scope (counted nowhere else)
    """

    total: int
    by_reason: pd.DataFrame  # reason, description, rows: most rows first, then reason
    by_source: pd.DataFrame  # source_id, source_file, rows: most rows first
    rows: pd.DataFrame  # location (file:line), source_id, reason, field, detail: by file then line
    role: str = DEFAULT_ROLE
    rows_withheld: int = 0
    kinds_withheld: int = 0


def _describe(reason: str) -> str:
    try:
        return Reason(reason).description
    except ValueError:
        return "(reason code not in prodlib.reasons)"


def quarantine_report(quarantine: pd.DataFrame, role: str = DEFAULT_ROLE) -> QuarantineReport:
    """Counts by reason and by source, and every row located as ``file:line`` with its reason.

    ``role``: who the report is for. A role limited to some input kinds (payroll processor) counts
    and lists only those kinds' rows (the frame's ``kind`` column; a row of unknown kind is left out);
    a role that sees counts only (bond representative) gets the counts and no row: a row's detail
    and payload name employees and their pay."""
    reader = audience(role)
    missing = set(QUARANTINE_COLUMNS) - {"payload", "row_hash"} - set(quarantine.columns)
    if missing:
        raise ValueError(f"quarantine frame lacks column(s) {sorted(missing)}")
    q = quarantine.reset_index(drop=True)
    kinds_withheld = 0
    if reader.quarantine_kinds:
        kind = q["kind"] if "kind" in q.columns else pd.Series(pd.NA, index=q.index, dtype=object)
        keep = kind.isin(reader.quarantine_kinds)
        kinds_withheld = int((~keep).sum())
        q = q.loc[keep].reset_index(drop=True)
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
    withheld = 0 if reader.quarantine_rows else len(located)
    if withheld:
        located = located.iloc[0:0]
    return QuarantineReport(total=len(q), by_reason=by_reason.astype({"rows": "int64"}),
                            by_source=by_source.astype({"rows": "int64"}), rows=located, role=reader.role,
                            rows_withheld=withheld, kinds_withheld=kinds_withheld)

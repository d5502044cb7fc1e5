"""Inputs of the P&H remittance and contingency reports: the ledger, the remittance folder, or the demo.

Same pattern and helpers as :mod:`prodlib.reports.load` (``open_ledger``, ``DataStamp``,
``frames_digest``, ``redact_url``); every ledger call of these two notebooks is made here.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from prodlib.reports import demo, demo_more
from prodlib.reports.load import (
    DEMO_URLS,
    CostReportInputs,
    DataStamp,
    _as_of,
    _batches,
    frames_digest,
    load_cost_report_inputs,
    open_ledger,
    redact_url,
)
from prodlib.reports.pnh import PAYABLE_PREFIX

LEDGER_LINE_COLUMNS = ["entry_id", "entry_date", "kind", "account", "amount", "document_no"]


@dataclass(frozen=True, eq=False)
class PnhInputs:
    totals: pd.DataFrame  # every <plan>__<fund>__totals.csv row, as text
    detail: pd.DataFrame | None  # every <plan>__<fund>.csv row, as text (None: no detail read)
    ledger_lines: pd.DataFrame  # every line of the entries touching FRINGE_PAYABLE:*
    notes: tuple[str, ...]  # findings that become exception lines (no folder, no files)
    files: tuple[tuple[str, str, int], ...]  # (file name, sha256, data rows) of the remittance files read
    as_of: date
    stamp: DataStamp


def read_remittance_dir(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...], tuple]:
    """(totals, detail, notes, files) from a ``--remittance-out`` folder; money stays text (exact)."""
    path = Path(folder)
    if not path.is_dir():
        return pd.DataFrame(), pd.DataFrame(), (f"no remittance folder at {path}: run the pipeline with "
                                                "--remittance-out to write it",), ()
    totals, detail, files = [], [], []
    for f in sorted(path.glob("*.csv")):
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        files.append((f.name, hashlib.sha256(f.read_bytes()).hexdigest(), len(frame)))
        (totals if f.name.endswith("__totals.csv") else detail).append(frame)
    notes = () if totals else (f"no remittance totals files (*__totals.csv) in {path}",)
    cat = lambda parts: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()  # noqa: E731
    return cat(totals), cat(detail), notes, tuple(files)


def _fringe_lines(entries: pd.DataFrame) -> pd.DataFrame:
    if len(entries) == 0:
        return pd.DataFrame(columns=LEDGER_LINE_COLUMNS)
    touching = entries.loc[entries["account"].astype(str).str.startswith(PAYABLE_PREFIX), "entry_id"]
    return entries.loc[entries["entry_id"].isin(set(touching)), LEDGER_LINE_COLUMNS].reset_index(drop=True)


def load_pnh_inputs(url: str, remittance_dir: str | Path = "", as_of: str | date | None = None,
                    title: str = "") -> PnhInputs:
    """Remittance files and the ledger's FRINGE_PAYABLE entries, with the stamp of where they came from.

    ``url`` "" or "demo": the built-in demo (its as-of date 2026-04-30 unless one is given). Otherwise
    every posting of the ledger at ``url`` (contributions of any date; payments are cut at ``as_of`` by
    the builder) and the CSV files in ``remittance_dir``. ``as_of`` empty: today.
    """
    when = _as_of(as_of)
    if url in DEMO_URLS:
        totals, detail = demo_more.demo_remittance_totals(), demo_more.demo_remittance_detail()
        lines, notes, files, batches = demo_more.demo_fringe_ledger_lines(), (), (), ()
        source, when, title = "demo", when or demo_more.DEMO_AS_OF, title or demo.DEMO_TITLE
    else:
        if str(remittance_dir):
            totals, detail, notes, files = read_remittance_dir(remittance_dir)
        else:
            totals, detail, notes, files = pd.DataFrame(), pd.DataFrame(), ("no remittance folder given",), ()
        with open_ledger(url) as led:
            lines, batches = _fringe_lines(led.entries_frame()), _batches(led)
        source = f"{redact_url(url)}; remittance files in {remittance_dir} ({len(files)} files)"
        when = when or date.today()
    digest = frames_digest(totals=totals, detail=detail,
                           ledger=lines[["entry_id", "entry_date", "account", "amount", "document_no"]])
    stamp = DataStamp(source=source, budget_version="", as_of=when.isoformat(), title=title or "Untitled production",
                      inputs_sha256=digest, batches=batches, demo=source == "demo")
    return PnhInputs(totals, detail if len(detail) else None, lines, notes, files, when, stamp)


@dataclass(frozen=True, eq=False)
class ContingencyInputs:
    versions: pd.DataFrame  # Ledger.budget_versions_frame()
    budgets: dict[str, pd.DataFrame]  # lines of each version in the lineage of the version in force
    version_in_force: str
    cost: CostReportInputs  # budget (version in force), actuals, commitments, EFC, and the stamp
    stamp: DataStamp


def _lineage_ids(versions: pd.DataFrame, vid: str) -> list[str]:
    parents = {str(v): (None if p is None or p is pd.NA or p != p or p == "" else str(p))
               for v, p in zip(versions["version_id"], versions["parent_version_id"], strict=True)}
    out: list[str] = []
    while vid is not None and vid in parents and vid not in out:
        out.append(vid)
        vid = parents[vid]
    return out


def load_contingency_inputs(url: str, budget_version: str = "", as_of: str | date | None = None, title: str = "",
                            chart: str = "", known_at: str = "") -> ContingencyInputs:
    """Budget versions, the lines of each version in the lineage of the one in force, and the cost inputs.

    ``url`` "" or "demo": the built-in demo (three versions, the last in force). Otherwise the ledger:
    ``budget_version`` empty means the version in force on ``as_of`` (:meth:`Ledger.budget_version_at`).
    """
    if url in DEMO_URLS:
        versions, budgets = demo_more.demo_budget_versions(), demo_more.demo_budget_lines()
        vid = budget_version or str(versions["version_id"].iloc[-1])
        budget = budgets[vid]
        digest = frames_digest(budget=budget, actuals=demo.demo_actuals(), commitments=demo.demo_commitments(),
                               efc=demo.demo_efc(), versions=versions[["version_id", "kind", "parent_version_id"]])
        stamp = DataStamp(source="demo", budget_version=vid, as_of="all postings (the demo is undated)",
                          title=title or demo.DEMO_TITLE, chart=chart, inputs_sha256=digest, demo=True)
        cost = CostReportInputs(budget, demo.demo_actuals(), demo.demo_commitments(), demo.demo_efc(), stamp)
        return ContingencyInputs(versions, {v: budgets[v] for v in _lineage_ids(versions, vid)}, vid, cost, stamp)
    cost = load_cost_report_inputs(url, budget_version, as_of, title, chart, known_at)
    vid = cost.stamp.budget_version
    with open_ledger(url) as led:
        versions = led.budget_versions_frame()
        budgets = {v: led.budget(v)[["cost_code", "amount"]] for v in _lineage_ids(versions, vid)}
    content = versions[["version_id", "kind", "parent_version_id", "effective_date", "content_hash"]]
    stamp = dataclasses.replace(cost.stamp, inputs_sha256=frames_digest(
        budget=cost.budget, actuals=cost.actuals, commitments=cost.commitments, efc=cost.efc, versions=content))
    return ContingencyInputs(versions, budgets, vid, cost, stamp)

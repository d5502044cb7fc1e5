"""What every check shares: its context, the shape of its answer, and the per-shape evaluation.

A check is ``check(frame, context) -> (valid, quarantine)``: ``valid`` is ``frame`` without the rows
it refuses, ``quarantine`` has :data:`prodlib.columns.QUARANTINE_COLUMNS`, indexed by the refused
rows' labels in ``frame``. Checks never change a row. Per-line rules are evaluated once per distinct
line shape (union, classification, earning type, state, episode, period end, cost code: a payroll of
a million lines has a few hundred) and broadcast to the rows; only refused rows are read one by one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.columns import BOOKKEEPING, QUARANTINE_COLUMNS
from prodlib.production import Production
from prodlib.reasons import Reason
from prodlib.rules.book import RuleBook, load_rules
from prodlib.rules.plans import PlanSet
from prodlib.rules.scale import ScaleTable
from prodlib.rules.work import WorkRuleBook
from prodlib.taxonomy import ChartOfAccounts, get_chart
from prodlib.values import column_values, episode_text, py_date

#: Earning types that are wages (scale, classification and tier rules apply to them).
WAGES = frozenset({"REG", "OT_1_5", "OT_2", "OT_3", "MEAL_PENALTY", "SIXTH_DAY", "SEVENTH_DAY", "FLAT"})
#: Wages of the hours of a day (what an invaded rest period is paid from).
DAY_WAGES = frozenset({"REG", "OT_1_5", "OT_2", "OT_3", "SIXTH_DAY", "SEVENTH_DAY"})

#: The columns that make a payroll line's shape (every per-line rule depends on these only).
SHAPE_COLUMNS = ("union", "classification", "earning_type", "state", "episode", "period_end", "cost_code")


@dataclass(frozen=True, eq=False)
class CheckContext:
    """Everything a check may consult besides the frame: the production and its rule data.

    Attributes:
        production: the production (PP dates, episodes, budget tier); None only for rules that do not
            consult it (chart resolution, duplicate invoices).
        chart: the chart of accounts cost codes resolve on.
        plans: the pension & health plans (which fringes cover a line).
        scale: the guild scale minimums.
        work: the work-rule schedules (overtime bands, meals, rest, DGA tables), each with its dates.
        timecards: the production's accepted timecards (empty: no timecard rule is checked).
        posted_invoices: (vendor, invoice number) of invoices already in the ledger (read only; the
            pipeline's own set, not copied per file).
        default_cost_code: the source's default cost code for lines without one.
        held_days: (employee id, work date) of every timecard in the quarantine -> where it is ("file,
            line N: REASON"); the pay lines of those days wait with it (rule ``timecard_held``).
        seen_bank_transactions: (source id, transaction id) of bank lines read before this file (rule
            ``duplicate_bank_transaction``).
        posted_receipts: receipt keys (``repeated_receipt.receipt_keys``) of this file's lines already in
            the ledger: a cumulative re-export repeats them, and a copy of one is still a repeat.
        envelope_cash: petty cash envelope id -> (advance, returned cash) in cents from the input set's
            check registers (rule ``envelope_balance``); None: the input set has no check register.
    """

    production: Production | None
    chart: ChartOfAccounts
    plans: PlanSet
    scale: ScaleTable
    work: WorkRuleBook
    timecards: pd.DataFrame = field(default_factory=pd.DataFrame)
    posted_invoices: AbstractSet[tuple[str, str]] = frozenset()
    default_cost_code: str | None = None
    held_days: Mapping[tuple[str, date], str] = field(default_factory=dict)
    seen_bank_transactions: AbstractSet[tuple[str, str]] = frozenset()
    posted_receipts: AbstractSet[str] = frozenset()
    envelope_cash: Mapping[str, tuple[int, int]] | None = None


def make_context(production: Production | None, *, chart: ChartOfAccounts | None = None, plans: PlanSet | None = None,
                 scale: ScaleTable | None = None, work: WorkRuleBook | None = None,
                 timecards: pd.DataFrame | None = None,
                 posted_invoices: AbstractSet[tuple[str, str]] = frozenset(),
                 default_cost_code: str | None = None, rules: RuleBook | None = None) -> CheckContext:
    """A context with ``rules`` (the run's rule book; without it, the production's, read now) for
    whatever of plans, scale and work is not given."""
    chart_name = (production.chart if production is not None else None) or None
    if plans is None or scale is None or work is None:
        rules = rules or load_rules(production)
    return CheckContext(
        production=production, chart=chart or get_chart(chart_name), plans=plans or rules.plans,
        scale=scale or rules.scale, work=work or rules.work,
        timecards=timecards if timecards is not None else pd.DataFrame(),
        posted_invoices=posted_invoices, default_cost_code=default_cost_code,
    )


Check = Callable[[pd.DataFrame, CheckContext], tuple[pd.DataFrame, pd.DataFrame]]


@dataclass(frozen=True)
class Finding:
    """One refused row.

    Attributes:
        position: the row's position in the checked frame.
        reason: why it is refused.
        field: the field at fault.
        detail: the value and the problem, for a person.
    """

    position: int
    reason: Reason
    field: str
    detail: str


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="Int64" if c == "source_line" else object)
                         for c in QUARANTINE_COLUMNS})


def _payload(row: dict[str, Any]) -> str:
    return json.dumps({k: (None if v is None else str(v)) for k, v in row.items() if k not in BOOKKEEPING},
                      sort_keys=True)


def quarantine_of(frame: pd.DataFrame, findings: Sequence[Finding]) -> pd.DataFrame:
    """The quarantine frame of ``findings`` (the first finding of a position wins), in frame order;
    the payload is the canonical row as JSON."""
    first: dict[int, Finding] = {}
    for f in findings:
        first.setdefault(f.position, f)
    if not first:
        return empty_quarantine()
    pos = sorted(first)
    rows = frame.iloc[pos]
    cols = {c: column_values(rows, c) for c in rows.columns}
    recs = [{c: cols[c][k] for c in rows.columns} for k in range(len(pos))]

    def book(name: str) -> list[Any]:
        return [str(r.get(name, "")) for r in recs]

    q = pd.DataFrame({
        "source_id": book("source_id"),
        "source_file": book("source_file"),
        "source_line": pd.Series([r.get("source_line") for r in recs], dtype="Int64"),
        "row_hash": book("row_hash"),
        "reason": [first[p].reason.value for p in pos],
        "field": [first[p].field for p in pos],
        "detail": [first[p].detail for p in pos],
        "payload": [_payload(r) for r in recs],
    }, columns=list(QUARANTINE_COLUMNS))
    q.index = frame.index[pos]
    return q


def split(frame: pd.DataFrame, findings: Sequence[Finding]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(valid, quarantine)`` of a frame and the findings of one check."""
    q = quarantine_of(frame, findings)
    if not len(q):
        return frame, q  # nothing refused: the frame itself (most rules of a phase refuse nothing)
    return frame[~frame.index.isin(q.index)], q


@dataclass(frozen=True)
class Shapes:
    """The distinct line shapes of a frame.

    Attributes:
        of_row: each row's shape number (positions into ``values``).
        values: each shape's (union, classification, earning type, state, episode, period end, cost code),
            as Python values (episode "" when blank, period end a date).
    """

    of_row: np.ndarray
    values: tuple[tuple[str, str, str, str, str, Any, str], ...]

    def members(self) -> list[np.ndarray]:
        """Each shape's row positions, in frame order (none for an empty frame)."""
        if not self.values:
            return []
        order = np.argsort(self.of_row, kind="stable")
        cuts = np.searchsorted(self.of_row[order], np.arange(1, len(self.values)))
        return np.split(order, cuts)

    def rows(self, shape_ok: Sequence[bool]) -> np.ndarray:
        """Positions of the rows whose shape is selected."""
        return np.flatnonzero(np.asarray(shape_ok, dtype=bool)[self.of_row]) if len(self.values) else \
            np.zeros(0, np.int64)


#: One-frame memos (the rules of a phase read the same frame object); ``run_phase`` empties them after
#: the phase so that no frame outlives its run.
SLOTS: list[list[Any]] = []


def memo_slot() -> list[Any]:
    """A one-entry memo, emptied by :func:`forget` after every phase."""
    slot: list[Any] = []
    SLOTS.append(slot)
    return slot


def forget() -> None:
    """Empty every memo (called by ``run_phase`` when a phase ends)."""
    for slot in SLOTS:
        slot.clear()


_SHAPES = memo_slot()


def shapes_of(frame: pd.DataFrame) -> Shapes:
    """The frame's distinct line shapes (computed once per frame)."""
    if _SHAPES and _SHAPES[0][0] is frame:
        return _SHAPES[0][1]
    n = len(frame)
    codes = []
    for c in SHAPE_COLUMNS:
        s = frame[c] if c in frame else pd.Series([None] * n, index=frame.index, dtype=object)
        codes.append(pd.factorize(s, use_na_sentinel=False)[0])
    if n:
        _, first, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_index=True, return_inverse=True)
        heads = frame.iloc[first]
        vals = {c: column_values(heads, c) if c in heads else [None] * len(first) for c in SHAPE_COLUMNS}
        values = tuple(
            (str(vals["union"][k]), str(vals["classification"][k]), str(vals["earning_type"][k]),
             str(vals["state"][k]), episode_text(vals["episode"][k]), py_date(vals["period_end"][k]),
             str(vals["cost_code"][k]))
            for k in range(len(first)))
        shapes = Shapes(np.asarray(inverse).reshape(-1), values)
    else:
        shapes = Shapes(np.zeros(0, np.int64), ())
    _SHAPES[:] = [(frame, shapes)]
    return shapes


def per_shape(frame: pd.DataFrame, verdict: Callable[[tuple], tuple[Reason, str, str] | None]) -> list[Finding]:
    """Findings of a rule that depends on the line's shape only: ``verdict`` is asked once per shape."""
    shapes = shapes_of(frame)
    found = [verdict(v) for v in shapes.values]
    out: list[Finding] = []
    for p in shapes.rows([f is not None for f in found]):
        reason, fld, detail = found[shapes.of_row[p]]
        out.append(Finding(int(p), reason, fld, detail))
    return out


def blank(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Which rows have no value in ``column`` (all of them when the column is absent)."""
    if column not in frame:
        return np.ones(len(frame), dtype=bool)
    return frame[column].isna().to_numpy(dtype=bool)


def text(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column].astype("string").fillna("")`` ("" for every row when the column is absent), which
    rules compare and join as keys. A date column is cast by Arrow (ISO text, as ``str(date)``) instead of
    a Python string per cell, which is what ``astype`` costs on a studio payroll's dates."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype="string")
    return as_text(frame[column])


def as_text(s: pd.Series) -> pd.Series:
    """``s.astype("string").fillna("")``, dates cast by Arrow (see :func:`text`)."""
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_date(s.dtype.pyarrow_dtype):
        arr = pa.array(s.array)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        return pd.Series(pd.arrays.ArrowStringArray(pc.fill_null(pc.cast(arr, pa.string()), "")), index=s.index)
    return s.astype("string").fillna("")

"""The exceptions report: the open queue by kind, age and amount, its trend over the production's
nights, and the work list an accountant goes through (oldest first, largest first). Pure over the
frames of :func:`prodlib.reports.load.load_exceptions` (the queue's current state and its events).

Built for a role (:mod:`prodlib.reports.audience`): a role limited to some input kinds (payroll
processor: payroll and timecards) counts and lists only those exceptions; a role without row detail
(bond representative, studio executive) gets the counts by kind, reason, source and age and the
amounts at stake, and no row: a row's detail, raw payload, place and assignee name people and pay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from prodlib.money import MONEY_DTYPE, cents_to_money, cents_to_money_array, from_cents
from prodlib.reasons import Reason
from prodlib.reports.audience import DEFAULT_ROLE, audience

#: Age buckets (days since opened, inclusive bounds; None: no upper bound), in display order.
AGE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 7, "0-7 days"), (8, 30, "8-30 days"), (31, 60, "31-60 days"), (61, None, "over 60 days"))
#: Actions that close an exception (the lifecycle's closing actions).
CLOSING_ACTIONS = ("correct", "write_off", "release", "supersede")
WAITING = ("open", "in_review")
#: Columns of the work lists (``oldest``, ``largest``) and of exceptions.csv.
ROW_COLUMNS = ("exception_id", "opened_on", "age_days", "kind", "reason", "state", "assignee", "amount", "where",
               "detail", "row", "roles")
ROW_LABELS = {"exception_id": "Id", "opened_on": "Opened", "age_days": "Age (days)", "kind": "Kind",
              "reason": "Reason", "state": "State", "assignee": "Assigned to", "amount": "Amount", "where": "Where",
              "detail": "Detail", "row": "Raw row / finding", "roles": "Who may act"}


@dataclass(frozen=True, eq=False)
class ExceptionsReport:
    """The exception queue as an accountant works it.

    Attributes:
      as_of: the day ages are counted at (given, else the day of the queue's latest change).
      total: exceptions ever opened.
      waiting: exceptions still waiting (open or in review).
      waiting_amount: their amount at stake: the sum of the amounts' sizes (a credit note is at stake as
        much as a charge; an exception whose amount could not be read counts 0).
      by_state: state, exceptions, amount: every exception ever, by its state now.
      by_kind: kind, open, in_review, amount: the waiting ones, most at stake first.
      by_age: kind, bucket, exceptions, amount: the waiting ones per kind and age bucket (AGE_BUCKETS).
      trend: night, opened, closed, waiting (after the night): from the event history, each change on
        its night (:func:`trend_nights`): a reconciliation finding's on the reconciliation night that
        recorded it, a quarantined row's on the posting day of its batch.
      oldest: the waiting exceptions (ROW_COLUMNS), oldest first, then largest, then by file and line.
      largest: the same, largest amount at stake first (``amount`` keeps its sign).
      by_reason: kind, reason, description, exceptions, amount: the waiting ones per reason (the reason
        in force), most at stake first.
      by_source: source, exceptions, amount: the waiting ones per source id of sources.yaml (a
        reconciliation finding: ``reconcile <kind>``), most at stake first.
      role: the role the report was built for (:mod:`prodlib.reports.audience`).
      rows_withheld: waiting exceptions counted above whose rows the role may not see (``oldest`` and
        ``largest`` are then empty).
      kinds_withheld: exceptions of input kinds outside the role's scope (counted nowhere in the report).
    """

    as_of: date
    total: int
    waiting: int
    waiting_amount: Decimal
    by_state: pd.DataFrame
    by_kind: pd.DataFrame
    by_age: pd.DataFrame
    trend: pd.DataFrame
    oldest: pd.DataFrame
    largest: pd.DataFrame
    by_reason: pd.DataFrame
    by_source: pd.DataFrame
    role: str = DEFAULT_ROLE
    rows_withheld: int = 0
    kinds_withheld: int = 0


def _day(stamp) -> date:
    return date.fromisoformat(str(stamp)[:10])


def _bucket(age: int) -> str:
    age = max(age, 0)  # opened after the day ages are counted at: as new as can be
    return next(label for lo, hi, label in AGE_BUCKETS if age >= lo and (hi is None or age <= hi))


def _row_text(payload) -> str:
    """The raw row (or the finding) as one line: ``Header=value; ...``."""
    if payload is None or payload is pd.NA:
        return ""
    try:
        obj = json.loads(payload)
    except ValueError:
        return str(payload)
    if isinstance(obj, dict):
        return "; ".join(f"{k}={'; '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in obj.items())
    return str(obj)


def _money(cents: list[int]) -> pd.Series:
    return cents_to_money(np.asarray(cents, dtype=np.int64))


def _describe(reason: str) -> str:
    try:
        return Reason(reason).description
    except ValueError:
        return "(reason code not in prodlib.reasons)"


def _tally(w: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Waiting exceptions and their amount at stake per ``keys``, most at stake first, then by key."""
    if not len(w):
        return pd.DataFrame({**{k: pd.Series([], dtype=object) for k in keys},
                             "exceptions": pd.Series([], dtype="int64"), "amount": _money([])})
    g = w.groupby(keys, sort=False)["cents"].agg(["size", "sum"]).reset_index()
    g = g.assign(_neg=[-int(v) for v in g["sum"]]).sort_values(["_neg", *keys], kind="stable", ignore_index=True)
    return pd.DataFrame({**{k: g[k].astype(object) for k in keys}, "exceptions": g["size"].astype("int64"),
                         "amount": _money([int(v) for v in g["sum"]])})


def trend_nights(current: pd.DataFrame, events: pd.DataFrame) -> list[str]:
    """The night (YYYY-MM-DD) each event of ``events`` counts on in the trend, over the production's nights.

    A change to a reconciliation finding (origin ``reconcile``) counts on its reconciliation night
    (``exception_events.night``: ``prodlib reconcile --as-of`` of a past night records that night, not
    today). A change to a quarantined row (origin ``quarantine``) counts on its batch's posting day
    (``posted_at``, the batch's ``recorded_at``): a correction on the day its batch posted, the opening
    on the day the batch that quarantined the row posted (the exception's ``posted_at``; an exception
    opened later, when the queue was first built over an old quarantine, still counts on its run's
    night). Any other change (an assignment, a write-off: no batch), or an event the loader could not
    date so, counts on the day it was recorded.
    """
    origin = dict(zip(current["exception_id"], current["origin"], strict=True))
    own = (dict(zip(current["exception_id"], current["posted_at"], strict=True)) if "posted_at" in current.columns
           else {})
    n = len(events)
    nights = events["night"] if "night" in events.columns else pd.Series([None] * n, index=events.index)
    posted = events["posted_at"] if "posted_at" in events.columns else pd.Series([None] * n, index=events.index)

    def given(v) -> bool:
        return v is not None and not pd.isna(v) and str(v) != ""

    out = []
    for x, action, night, at, rec in zip(events["exception_id"], events["action"], nights, posted,
                                         events["recorded_at"], strict=True):
        day = str(rec)
        if origin.get(x) == "reconcile" and given(night):
            day = str(night)
        elif origin.get(x) == "quarantine" and given(at):
            day = str(at)
        elif origin.get(x) == "quarantine" and action == "open" and given(own.get(x)):
            day = str(own[x])
        out.append(day[:10])
    return out


def exceptions_report(current: pd.DataFrame, events: pd.DataFrame, as_of: date | str | None = None,
                      role: str = DEFAULT_ROLE) -> ExceptionsReport:
    """Build the report from the queue (:func:`prodlib.ledger.exceptions.current_frame` columns) and its
    events (:func:`prodlib.ledger.exceptions.events_frame`), for ``role`` (module docstring)."""
    reader = audience(role)
    kinds_withheld = 0
    if reader.exception_kinds:  # by the quarantined row's input kind; a finding (no input kind) is not theirs
        src = current["source_kind"] if "source_kind" in current.columns else pd.Series(None, index=current.index,
                                                                                          dtype=object)
        keep = src.isin(reader.exception_kinds)
        kinds_withheld = int((~keep).sum())
        current = current.loc[keep].reset_index(drop=True)
        events = events[events["exception_id"].isin(set(current["exception_id"]))].reset_index(drop=True)
    when = (date.fromisoformat(str(as_of)) if as_of else
            max([_day(v) for v in current["last_at"]], default=date.today()))
    signed = [0 if c is None or pd.isna(c) else int(c) for c in current["amount_cents"]]
    # at stake: the size of each amount (a credit note or a reversal is at stake as much as a charge)
    x = current.assign(cents=[abs(c) for c in signed], signed=signed,
                       opened_on=[_day(v) for v in current["opened_at"]])
    x["age_days"] = [(when - d).days for d in x["opened_on"]]
    by_state = (x.groupby("state", sort=False)["cents"].agg(["size", "sum"]).reset_index()
                if len(x) else pd.DataFrame(columns=["state", "size", "sum"]))
    by_state = pd.DataFrame({"state": by_state["state"].astype(object), "exceptions": by_state["size"].astype("int64"),
                             "amount": _money(list(by_state["sum"]))})
    w = x[x["state"].isin(WAITING)]
    kinds = sorted(set(w["kind"]))
    k_rows = [(k, int(((w["kind"] == k) & (w["state"] == "open")).sum()),
               int(((w["kind"] == k) & (w["state"] == "in_review")).sum()), int(w.loc[w["kind"] == k, "cents"].sum()))
              for k in kinds]
    k_rows.sort(key=lambda r: (-abs(r[3]), r[0]))
    by_kind = pd.DataFrame({"kind": pd.Series([r[0] for r in k_rows], dtype=object),
                            "open": pd.Series([r[1] for r in k_rows], dtype="int64"),
                            "in_review": pd.Series([r[2] for r in k_rows], dtype="int64"),
                            "amount": _money([r[3] for r in k_rows])})
    buckets = [_bucket(a) for a in w["age_days"]]
    a_rows = []
    for k in kinds:
        for _, _, label in AGE_BUCKETS:
            sel = [(kk == k and b == label) for kk, b in zip(w["kind"], buckets, strict=True)]
            n = int(sum(sel))
            if n:
                a_rows.append((k, label, n, int(w.loc[np.asarray(sel, dtype=bool), "cents"].sum())))
    by_age = pd.DataFrame({"kind": pd.Series([r[0] for r in a_rows], dtype=object),
                           "bucket": pd.Series([r[1] for r in a_rows], dtype=object),
                           "exceptions": pd.Series([r[2] for r in a_rows], dtype="int64"),
                           "amount": _money([r[3] for r in a_rows])})
    nights = trend_nights(current, events)  # each change on its night (see trend_nights)
    ev = events.assign(day=nights)
    t_days = sorted(set(nights))
    opened = [int(((ev["day"] == d) & (ev["action"] == "open")).sum()) for d in t_days]
    closed = [int(((ev["day"] == d) & ev["action"].isin(CLOSING_ACTIONS)).sum()) for d in t_days]
    trend = pd.DataFrame({"night": pd.Series(t_days, dtype=object), "opened": pd.Series(opened, dtype="int64"),
                          "closed": pd.Series(closed, dtype="int64"),
                          "waiting": pd.Series(np.cumsum(np.array(opened, dtype=np.int64)
                                                         - np.array(closed, dtype=np.int64)), dtype="int64")})
    rows = pd.DataFrame({
        "exception_id": w["exception_id"].astype("int64"), "opened_on": w["opened_on"].astype(object),
        "age_days": w["age_days"].astype("int64"), "kind": w["kind"].astype(object),
        "reason": w["current_reason"].astype(object), "state": w["state"].astype(object),
        "assignee": w["assignee"].fillna("").astype(object),
        "amount": pd.Series(cents_to_money_array(
            np.asarray(w["signed"], dtype=np.int64),
            null=np.array([c is None or pd.isna(c) for c in w["amount_cents"]], dtype=bool)),
            index=w.index, dtype=MONEY_DTYPE),
        "where": [f"{f}:{ln}" if o == "quarantine" and ln is not None and not pd.isna(ln) else (f or "")
                  for o, f, ln in zip(w["origin"], w["source_file"], w["source_line"], strict=True)],
        "detail": w["detail"].fillna("").astype(object),
        "row": [_row_text(p) for p in w["payload"]],
        "roles": [", ".join(json.loads(r)) for r in w["roles"]],
    }, columns=list(ROW_COLUMNS)).assign(
        _abs=[-c for c in w["cents"]], _file=w["source_file"].fillna("").astype(str),
        _line=[-1 if ln is None or pd.isna(ln) else int(ln) for ln in w["source_line"]])
    tie = ["_file", "_line", "exception_id"]  # then by file and line, as the export reads
    oldest = rows.sort_values(["opened_on", "_abs", *tie], kind="stable").drop(columns=["_abs", "_file", "_line"])
    largest = rows.sort_values(["_abs", "opened_on", *tie], kind="stable").drop(columns=["_abs", "_file", "_line"])
    w = w.assign(description=[_describe(r) for r in w["current_reason"]], reason_now=w["current_reason"],
                 source=[s if o == "quarantine" and s is not None and not pd.isna(s) else f"reconcile {k}"
                         for o, s, k in zip(w["origin"], w["source_id"], w["kind"], strict=True)])
    by_reason = _tally(w, ["kind", "reason_now", "description"]).rename(columns={"reason_now": "reason"})
    by_source = _tally(w, ["source"])
    withheld = 0 if reader.exception_rows else len(oldest)
    if withheld:  # counts only: no row, no place, no detail, no payload, no assignee leaves the builder
        oldest, largest = oldest.iloc[0:0], largest.iloc[0:0]
    return ExceptionsReport(when, len(x), len(w), from_cents(int(sum(w["cents"]))), by_state, by_kind, by_age, trend,
                            oldest.reset_index(drop=True), largest.reset_index(drop=True), by_reason, by_source,
                            reader.role, withheld, kinds_withheld)

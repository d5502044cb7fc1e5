"""Reading the queue as a person works it: the exceptions with their state, age and location, the
filters of ``prodlib exceptions list``, and one exception's page (``show``). Pure over the frames of
:mod:`prodlib.ledger.exceptions` except :func:`exception_rows` and :func:`show_lines`, which read them.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.exceptions.lifecycle import STATES, WAITING
from prodlib.ledger import exceptions as store
from prodlib.money import from_cents


def opened_on(stamps: pd.Series) -> pd.Series:
    """The UTC date of each ``recorded_at`` stamp ("2026-03-02T...Z" -> date)."""
    return pd.Series([date.fromisoformat(str(v)[:10]) for v in stamps], index=stamps.index, dtype=object)


def with_derived(frame: pd.DataFrame, today: date | None = None) -> pd.DataFrame:
    """The current frame with ``opened_on``, ``age_days`` (by ``today``; default the latest change's
    date, so the same books give the same ages), ``amount_text`` and ``where`` (file:line, or documents)."""
    f = frame.copy()
    f["opened_on"] = opened_on(f["opened_at"]) if len(f) else pd.Series(dtype=object)
    ref = today or (max(opened_on(f["last_at"])) if len(f) else date.today())
    f["age_days"] = [int((ref - d).days) for d in f["opened_on"]]
    f["amount_text"] = ["" if pd.isna(c) else str(from_cents(int(c))) for c in f["amount_cents"]]
    f["where"] = [f"{sf}:{ln}" if o == "quarantine" and not pd.isna(ln) else (sf or "")
                  for o, sf, ln in zip(f["origin"], f["source_file"], f["source_line"], strict=True)]
    return f


def exception_rows(conn: sa.Connection, production_id: str, today: date | None = None) -> pd.DataFrame:
    """Every exception of the production with its state now and the derived columns (:func:`with_derived`)."""
    return with_derived(store.current_frame(conn, production_id), today)


def filter_queue(frame: pd.DataFrame, *, kind: str | None = None, reason: str | None = None,
                 state: str = "waiting", source: str | None = None, min_amount: str | Decimal | None = None,
                 older_than: int | None = None, today: date | None = None) -> pd.DataFrame:
    """The rows of ``frame`` (:func:`exception_rows`) that pass every filter given: ``state`` one of the
    states, "waiting" (open or in review) or "all"; ``source`` a source id or a prefix of its file;
    ``min_amount`` at stake at least this (exact); ``older_than`` opened more than DAYS days before
    ``today``. Oldest first, then largest."""
    f = frame
    keep = pd.Series(True, index=f.index)
    if state == "waiting":
        keep &= f["state"].isin(WAITING)
    elif state != "all":
        if state not in STATES:
            raise ValueError(f"state {state!r} is not one of {STATES}")
        keep &= f["state"] == state
    if kind:
        keep &= f["kind"] == kind
    if reason:
        keep &= f["current_reason"] == reason
    if source:
        keep &= (f["source_id"] == source) | f["source_file"].fillna("").str.startswith(source)
    if min_amount is not None:
        floor = int(Decimal(str(min_amount)).scaleb(2))
        keep &= np.array([not pd.isna(c) and int(c) >= floor for c in f["amount_cents"]], dtype=bool)
    if older_than is not None:
        ref = today or date.today()
        keep &= np.array([(ref - d).days > older_than for d in f["opened_on"]], dtype=bool)
    out = f[keep.to_numpy(dtype=bool)]
    return out.assign(_c=[-(0 if pd.isna(c) else abs(int(c))) for c in out["amount_cents"]]).sort_values(
        ["opened_at", "_c", "exception_id"], kind="stable").drop(columns="_c")


def show_lines(conn: sa.Connection, production_id: str, exception_id: int) -> list[str]:
    """One exception as ``prodlib exceptions show`` prints it: what, where, the raw payload, the
    amounts, who may act, and every event of its history (who, when, why)."""
    x = store.one(conn, production_id, exception_id)
    out = [f"exception {exception_id}: {x['kind']} {x['current_reason']} ({x['origin']}), state {x['state']}"
           + (f", assigned to {x['assignee']}" if x["assignee"] else ""),
           f"opened with    {x['reason']}: {x['detail'] or ''}"]
    if x["origin"] == "quarantine":
        out.append(f"source         {x['source_id']} ({x['source_kind']}) {x['source_file']}, line {x['source_line']}"
                   f" (batch {x['batch_id']})")
    else:
        out.append(f"documents      {x['source_file'] or ''}")
    out.append(f"amount         {'' if pd.isna(x['amount_cents']) else from_cents(int(x['amount_cents']))}")
    for name, value in json.loads(x["figures"]) if x["origin"] != "quarantine" else []:
        out.append(f"  {name:<12} {value}")
    out.append(f"roles          {', '.join(json.loads(x['roles']))}")
    out.append("payload (the raw row as read)" if x["origin"] == "quarantine" else "payload (the finding)")
    try:
        payload = json.loads(x["payload"]) if x["payload"] else {}
    except ValueError:
        payload = {"text": x["payload"]}
    for k, v in (payload.items() if isinstance(payload, dict) else [("value", payload)]):
        out.append(f"  {k}: {v}")
    out.append("history")
    for e in store.events_frame(conn, production_id, exception_id).itertuples(index=False):
        links = ", ".join(f"{k} {getattr(e, k)}" for k in ("batch_id", "entry_id", "override_id", "night")
                          if getattr(e, k) is not None and not pd.isna(getattr(e, k)))
        out.append(f"  {e.event_id:>5} {e.recorded_at} {e.action:<17} -> {e.state:<11} {e.reason:<24} by {e.actor}: "
                   f"{e.why}" + (f" [{links}]" if links else ""))
    return out

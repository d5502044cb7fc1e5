"""Executing an approved override: the only way a quarantined row reaches the ledger.

Each row the override names is read again from its export (the source of sources.yaml that
quarantined it, found by its row hash: the row as it was quarantined, or a refusal), parsed as the
run parses it, and checked again by every rule of the run except the one the override bypasses. A row
that fails anything else, or does not parse, is refused (correct it instead). The rows pass as one
batch per source file (``file_hash`` ``override:<id>:...``): journal entries linked to the override
(``override_postings``: row, entry, row key), their row keys stored so that a re-export sets them
aside (never posted twice), and the execution's transition sealing all of it. Conservation: the
batch reads and posts exactly the released rows; a released row is quarantined in its file's batch,
and its exception in the queue (:mod:`prodlib.ledger.exceptions`) is ``released``, linked to the
batch and entry that posted it (``prodlib exceptions conservation`` counts it once).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.checks import make_context, rules_of, run_phase
from prodlib.errors import OverrideError
from prodlib.fx import load_rate_table
from prodlib.ingest import empty_quarantine, read_source
from prodlib.ledger import Ledger, post_batch
from prodlib.ledger import exceptions as queue
from prodlib.ledger import schema as s
from prodlib.money import sum_money
from prodlib.overrides import store
from prodlib.overrides.policy import EXECUTABLE_KINDS, RoleBook
from prodlib.pipeline import DATE_COLUMN, Stage, classify_stage, fx_stage, postings, take
from prodlib.rowkeys import row_keys
from prodlib.rules import load_rules
from prodlib.sources import InputSet, load_input_set
from prodlib.taxonomy import get_chart


def _refuse(q: sa.Row, why: str) -> OverrideError:
    return OverrideError(f"quarantined row {q.q_id} ({q.source_file}, line {q.source_line}, {q.reason}): {why}")


def _stage(inputs: InputSet, source_id: str, source_file: str, qrows: list[sa.Row]) -> Stage:
    """The quarantined rows of one file, read again and parsed as the run parses them."""
    spec = next((x for x in inputs.sources if x.id == source_id and x.display_path == source_file), None)
    if spec is None:
        raise _refuse(qrows[0], f"sources.yaml in {inputs.root} has no source {source_id!r} reading {source_file}")
    ingest = read_source(spec, spec.currency or inputs.production.currency)
    frame = ingest.frame
    labels = []
    for q in qrows:
        same = frame[(frame["row_hash"] == q.row_hash).to_numpy(dtype=bool)]
        at = same.index[(same["source_line"] == q.source_line).to_numpy(dtype=bool)]
        if not len(at) and len(same) == 1:  # lines moved (a re-export), the row itself is unchanged
            at = same.index
        if not len(at):
            refused = (ingest.quarantine["row_hash"] == q.row_hash).any()
            raise _refuse(q, "its values do not parse; correct the row instead" if refused else
                          f"{source_file} no longer holds the row as it was quarantined (its row hash differs)"
                          if not len(same) else f"{source_file} holds that row {len(same)} times, none on line "
                          f"{q.source_line}: the file has changed since")
        labels.append(at[0])
    one = replace(ingest, rows_read=len(labels), frame=frame.loc[labels], quarantine=empty_quarantine(),
                  raw=ingest.raw.loc[labels])
    # keys over the whole file, as the run computes them: a row identical to an earlier one of its file
    # keeps its ordinal (its key is not the first copy's)
    keys = row_keys(spec.kind, frame).loc[labels]
    return Stage(ingest=one, good=one.frame, quarantine=empty_quarantine(), row_keys=keys)


def _posted_elsewhere(conn: sa.Connection, production_id: str, kind: str, documents: set[tuple[str, str]],
                      own_batches: set[int]) -> set[tuple[str, str]]:
    """Which (party, document) were posted by a batch of ``kind`` other than the rows' own file's: the
    other lines of a row's own invoice, posted with its file, do not make it a duplicate."""
    e, b = s.journal_entries, s.batches
    wanted = {(p, d) for p, d in documents if isinstance(p, str) and isinstance(d, str)}
    if not wanted:
        return set()
    q = (sa.select(e.c.party_id, e.c.document_no).select_from(e.join(b, b.c.batch_id == e.c.batch_id))
         .where(e.c.production_id == production_id, e.c.kind == "posting", b.c.kind == kind,
                e.c.document_no.in_(sorted({d for _, d in wanted})), e.c.batch_id.not_in(sorted(own_batches)))
         .distinct())
    return {(p, d) for p, d in conn.execute(q) if (p, d) in wanted}


def _checked(stage: Stage, inputs: InputSet, conn: sa.Connection, production_id: str, bypass: str,
             own_batches: set[int]) -> Stage:
    """Every rule of the run over the rows except those that quarantine with ``bypass``."""
    from prodlib.validate import validate_frame  # Great Expectations: imported only when an override runs

    production = inputs.production
    kind = stage.ingest.spec.kind
    rows = stage.good
    for f in validate_frame(kind, rows.reset_index(drop=True), production):  # failures by position
        at = rows.index[np.asarray(f.index, dtype=np.int64)].difference(stage.quarantine.index)
        if f.reason.value != bypass and len(at):
            stage = take(stage, pd.DataFrame({"reason": f.reason.value, "field": f.field,
                                              "detail": f"{f.field}: {f.reason.description}"}, index=at), (f.reason,))
    rules = load_rules(production)
    chart = get_chart(production.chart or None)
    stage = fx_stage(stage, load_rate_table(inputs.root, production.currency))
    context = make_context(production, chart=chart, rules=rules)
    stage = classify_stage(stage, chart, context)
    docs = set(zip(stage.good.get("vendor_id", []), stage.good.get("invoice_number", []), strict=True))
    context = replace(context, default_cost_code=stage.ingest.spec.default_cost_code,
                      posted_invoices=_posted_elsewhere(conn, production_id, kind, docs, own_batches)
                      if kind == "invoice" else set())
    for phase in ("documents", "guild"):
        kept = tuple(r for r in rules_of(kind, phase) if bypass not in r.reasons)
        if kept and not stage.good.empty:
            _, q = run_phase(kept, stage.good, context)
            stage = take(stage, q, tuple(dict.fromkeys(x for r in kept for x in r.reasons)))
    return stage


def execute(led: Ledger, override_id: int, person: str, roles: RoleBook, role_production: str,
            input_dir: str | Path, now: datetime) -> store.Override:
    """Post an approved override's rows (see the module); one transaction, or nothing."""
    inputs = load_input_set(input_dir)
    pid = led.production_id
    with led.transaction() as conn:
        o = store.load(conn, pid, override_id)
        held = store.check_executable(o, person, roles, role_production, now)
        q, b = s.quarantine, s.batches
        qrows = conn.execute(sa.select(q, b.c.kind).join(b, b.c.batch_id == q.c.batch_id)
                             .where(q.c.q_id.in_(list(o.q_ids))).order_by(q.c.q_id)).all()
        done = store.released_rows(conn, pid) & set(o.q_ids)
        if done:
            raise OverrideError(f"quarantined row(s) {sorted(done)} were released by another override already")
        files: dict[tuple[str, str], list[sa.Row]] = {}
        for r in qrows:
            if r.kind not in EXECUTABLE_KINDS:
                raise _refuse(r, f"an override posts {', '.join(EXECUTABLE_KINDS)} rows, not {r.kind} "
                                 "(correct the row and run again)")
            files.setdefault((r.source_id, r.source_file), []).append(r)
        staged = []
        for (sid, sfile), rows in files.items():
            stage = _checked(_stage(inputs, sid, sfile, rows), inputs, conn, pid, o.rule,
                             {int(r.batch_id) for r in rows})
            if len(stage.quarantine):
                bad = stage.quarantine.iloc[0]
                line = int(bad["source_line"])
                r = next(x for x in rows if int(x.source_line) == line)
                raise _refuse(r, f"it also fails {bad['reason']} ({bad['detail']}); an override bypasses "
                                 f"{o.rule} only: correct the row")
            empty = [c for c in ("amount", DATE_COLUMN[stage.ingest.spec.kind]) if stage.good[c].isna().any()]
            if empty:
                raise _refuse(rows[0], f"no {' or '.join(empty)} to post: correct the row instead")
            staged.append((sid, sfile, rows, stage))
        total = sum((sum_money(postings(st)["amount"]) for *_, st in staged), Decimal(0))
        if total != o.amount:
            raise OverrideError(f"override {override_id} was approved for {o.amount}; its rows add up to {total}: "
                                "request a new override for the right amount")
        posted: list[dict] = []
        batch_ids = []
        for sid, sfile, rows, stage in staged:
            keys = stage.good_keys()
            res = post_batch(conn, led.scope, sid, f"override {override_id}: {sfile}",
                             f"override:{override_id}:{sid}:{sfile}", stage.ingest.spec.kind, postings(stage), None,
                             len(stage.good), row_keys=keys)
            if res.rows_already_posted or res.already_posted:
                raise OverrideError(f"{sfile}: a row of override {override_id} is already in the ledger (posted "
                                    "since it was quarantined): nothing executed")
            by_hash = {r.row_hash: int(r.q_id) for r in rows}
            for i, (h, k) in enumerate(zip(stage.good["row_hash"], keys, strict=True)):
                posted.append({"q_id": by_hash[h], "batch_id": res.batch_id, "entry_id": res.first_entry_id + i,
                               "row_key": k})
            batch_ids.append(res.batch_id)
        out = store.executed(conn, led.scope, o, person, held, now, posted, batch_ids)
        # the exception queue (issue 10): each released row's exception becomes ``released``, linked to
        # the batch and entry that posted it, so conservation counts the row once
        xids = store.exceptions_of(conn, pid, [p["q_id"] for p in posted])
        for p in posted:
            queue.release(conn, led.scope, [xids[p["q_id"]]], str(override_id), person,
                          f"override {override_id} executed ({o.rule} bypassed, {o.justification_code})",
                          batch_id=p["batch_id"], entry_id=p["entry_id"])
        return out

"""A correction: the quarantined raw row, edited as the user would edit the export, back through the
pipeline's own stages (:func:`prodlib.pipeline.recheck`, the run's path for one file).

It posts if it now passes: a one-row batch of the row's source (its row key stored, so a re-export of
the corrected row is not posted twice), the exception ``corrected`` and linked to that batch and its
entry, in one transaction. It stays where it was (open, or in review) with the new reason if it fails
again (a ``correction_failed`` event records the reason and the detail). A corrected row whose key
the ledger already holds (the source was fixed and re-run meanwhile) posts nothing: the exception is
superseded by the batch that posted it.

A petty cash line is balanced with its envelope as the run balances it (the input set's envelope
cash), never alone: the corrected line goes back with its envelope's other held lines
(ENVELOPE_UNBALANCED, same source, same envelope, still open or in review), whether it waited for
the envelope or for a fault of its own (a malformed amount holds its envelope too). When the correction balances the
envelope, every line posts in one batch and each exception is ``corrected``, linked to it; when it
does not, none posts and the corrected exception stays open with the reason found (its siblings,
not corrected, are left as they are).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from pathlib import Path

from prodlib.errors import InputError, QueueError
from prodlib.exceptions.lifecycle import CORRECTABLE_KINDS, next_state
from prodlib.ledger import exceptions as store
from prodlib.ledger.chain import sha256_hex


@dataclass(frozen=True)
class CorrectionResult:
    """What a correction did.

    Attributes:
      exception_id: the exception corrected.
      state: its state after (``corrected``; ``open``/``in_review`` when it failed; ``superseded``).
      reason: the reason code in force after (the new reason when it failed again).
      detail: what the second validation said (empty when it passed).
      batch_id, entry_id: the batch and journal entry the corrected row posted (None when nothing posted).
      row_key: the corrected row's key.
    """

    exception_id: int
    state: str
    reason: str
    detail: str = ""
    batch_id: int | None = None
    entry_id: int | None = None
    row_key: str | None = None

    @property
    def posted(self) -> bool:
        return self.batch_id is not None


def edited_row(raw: dict[str, str], spec, changes: dict[str, str]) -> dict[str, str]:
    """The raw row with ``changes`` applied; a change names a header of the export ("Amount") or a
    canonical field its mapping reads ("amount"). Anything else is a QueueError naming the choices."""
    out = dict(raw)
    for name, value in changes.items():
        header = name if name in raw else spec.columns.get(name)
        if header is None or header not in raw:
            fields = sorted(set(raw) | {c for c, h in spec.columns.items() if h in raw})
            raise QueueError(f"--set {name}: the row has no such field (fields: {', '.join(fields)})")
        out[header] = value
    return out


def row_from_file(path: Path, spec) -> dict[str, str]:
    """The one data row of a corrected CSV (the export's header and the edited row, written as the
    export is: its delimiter and encoding)."""
    try:
        text = path.read_text(encoding=spec.encoding.replace("utf-8", "utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the corrected row ({exc})") from None
    rows = list(csv.DictReader(io.StringIO(text), delimiter=spec.delimiter))
    if len(rows) != 1:
        raise InputError(path, f"a corrected file holds the header and exactly one row; it has {len(rows)} rows")
    return {k: v or "" for k, v in rows[0].items() if k is not None}


def _as_csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(rows[0]))
    for row in rows:
        w.writerow([row.get(h, "") for h in rows[0]])
    return buf.getvalue().encode("utf-8")


def envelope_siblings(conn, production_id: str, x: dict, raw: dict[str, str], spec) -> list[dict]:
    """The other held lines of petty cash exception ``x``'s envelope (ENVELOPE_UNBALANCED, same
    source, same envelope id in the raw row, open or in review), oldest first; [] for a row of no
    envelope. ``x`` itself may wait for another reason (a malformed amount: its envelope waits with it)."""
    from prodlib.reasons import Reason

    header = spec.columns.get("envelope_id")
    if spec.kind != "petty_cash" or not header or header not in raw or not str(raw[header]).strip():
        return []
    envelope = str(raw[header]).strip()
    cur = store.current_frame(conn, production_id)
    cur = cur[(cur["current_reason"] == Reason.ENVELOPE_UNBALANCED.value) & cur["state"].isin(["open", "in_review"])
              & (cur["source_id"] == x["source_id"]) & (cur["origin"] == "quarantine")
              & (cur["exception_id"] != x["exception_id"])]
    out = []
    for r in cur.to_dict("records"):
        sib = json.loads(r["payload"]) if r["payload"] else None
        if isinstance(sib, dict) and str(sib.get(header, "")).strip() == envelope:
            out.append({**r, "raw": sib})
    return out


def correct(led, input_dir: str | Path, exception_id: int, *, by: str, changes: dict[str, str] | None = None,
            corrected_file: Path | None = None, why: str | None = None) -> CorrectionResult:
    """Correct a quarantined row and send it through validation again (see the module docstring).

    ``led``: a writable :class:`~prodlib.ledger.Ledger`; ``input_dir``: the folder of sources.yaml (the
    row's source mapping, the production's rules and rates). ``changes`` (field -> value) or
    ``corrected_file``: the edit.
    """
    from prodlib.fx import load_rate_table
    from prodlib.ingest import read_source
    from prodlib.ledger import post_batch
    from prodlib.pipeline import batch_contents, recheck, register_envelope_cash
    from prodlib.rules import load_rules
    from prodlib.sources import load_input_set
    from prodlib.taxonomy import get_chart

    if not by or not by.strip():
        raise QueueError("who corrects is required (--by PERSON)")
    if bool(changes) == (corrected_file is not None):
        raise QueueError("a correction is either --set field=value (one or more) or --file corrected.csv")
    with led.engine.connect() as conn:
        x = store.one(conn, led.production_id, exception_id)
        raw = json.loads(x["payload"]) if x["payload"] else None
    next_state(exception_id, x["state"], "correct")  # illegal from a closed state: refused before any work
    if x["origin"] != "quarantine":
        raise QueueError(f"exception {exception_id} is a reconciliation finding: it closes when the night no "
                         "longer finds it, or by a write-off or an override, not by a correction")
    if x["source_kind"] not in CORRECTABLE_KINDS:
        raise QueueError(f"exception {exception_id} is a {x['source_kind']} row: correct it at the source and "
                         f"run again (a correction posts only {', '.join(CORRECTABLE_KINDS)} rows)")
    inputs = load_input_set(input_dir)
    spec = next((sp for sp in inputs.sources if sp.id == x["source_id"]), None)
    if spec is None:
        raise InputError(inputs.root / "sources.yaml", f"no source {x['source_id']!r}: the row of exception "
                         f"{exception_id} came from it")
    if not isinstance(raw, dict) or "lines" in raw and "text" in raw and len(raw) == 2:
        raise QueueError(f"exception {exception_id} holds no row of cells (a malformed file region): correct "
                         "the file and run again")
    row = edited_row(raw, spec, changes) if changes else row_from_file(Path(corrected_file), spec)
    with led.engine.connect() as conn:
        siblings = envelope_siblings(conn, led.production_id, x, raw, spec)
    ids = [exception_id, *(int(r["exception_id"]) for r in siblings)]
    lines = [int(r["source_line"]) if r["source_line"] is not None else 0 for r in (x, *siblings)]
    data = _as_csv([row, *(r["raw"] for r in siblings)])
    flat = replace(spec, delimiter=",", encoding="utf-8", header_row=1, footer_rows=0, footer_pattern=None,
                   sheet=None, path=Path(f"{spec.display_path}#exception-{exception_id}"))
    production = inputs.production
    ingest = read_source(flat, spec.currency or production.currency, data)  # the run's reader, one row
    # the flat file's data lines 2.. are the exceptions' rows in order: each keeps its own source line
    by_csv_line = {i + 2: ln for i, ln in enumerate(lines)}
    ingest = replace(ingest, frame=ingest.frame.assign(source_line=ingest.frame["source_line"].map(by_csv_line)),
                     quarantine=ingest.quarantine.assign(
                         source_line=ingest.quarantine["source_line"].map(by_csv_line).fillna(lines[0])
                         if "source_line" in ingest.quarantine else lines[0]))
    rules = load_rules(production)
    chart = get_chart(production.chart or None)
    stage = recheck(ingest, led, production, chart, rules, load_rate_table(inputs.root, production.currency),
                    register_envelope_cash(inputs, production) if spec.kind == "petty_cash" else None)
    if not why:
        why = ("corrected row: " + ", ".join(f"{k}={v}" for k, v in changes.items()) if changes
               else f"corrected row from {Path(corrected_file).name}")
    scope = led.scope
    n = len(ids)
    with led.transaction() as conn:
        if len(stage.quarantine):
            q = stage.quarantine
            own = q[q["source_line"].astype("int64") == lines[0]]
            q = (own if len(own) else q).iloc[0]
            reason, detail = str(q["reason"]), str(q["detail"] or "")
            store.change(conn, scope, [exception_id], "correction_failed", actor=by,
                         why=f"{why}; validated again: {reason}: {detail}", reason=reason)
            return CorrectionResult(exception_id, x["state"], reason, detail)
        keys = stage.row_keys.tolist() if stage.row_keys is not None else []
        key = keys[0] if keys else None
        if stage.already_posted == n:
            for i, k in zip(ids, keys or [None] * n, strict=True):
                store.change(conn, scope, [i], "supersede", actor=by,
                             why=f"{why}; the corrected row is already posted (row key {k})", links={"row_key": k})
            return CorrectionResult(exception_id, "superseded", x["current_reason"], row_key=key)
        if stage.already_posted:
            raise QueueError(f"exception {exception_id}: some lines of its envelope were posted meanwhile; run show")
        contents = batch_contents(stage, production)
        file_hash = sha256_hex(f"correction\x1f{exception_id}\x1f{data.decode('utf-8')}")
        result = post_batch(conn, scope, spec.id, f"{spec.display_path} (correction of exception {exception_id})",
                            file_hash, spec.kind, contents.pop("postings", None), None, n, **contents,
                            row_keys=stage.good_keys())
        if result.already_posted or result.rows_posted != n:
            raise QueueError(f"exception {exception_id}: the corrected row was posted meanwhile; run show")
        first, last = result.first_entry_id, result.last_entry_id
        one_entry_each = first is not None and last is not None and last - first + 1 == n
        for pos, (i, k) in enumerate(zip(ids, keys, strict=True)):
            sibling_why = (why if i == exception_id
                           else f"posted with its envelope by the correction of exception {exception_id}")
            store.change(conn, scope, [i], "correct", actor=by, why=sibling_why,
                         links={"batch_id": result.batch_id, "row_key": k,
                                "entry_id": first + pos if one_entry_each else first if i == exception_id else None})
    return CorrectionResult(exception_id, "corrected", x["current_reason"], batch_id=result.batch_id,
                            entry_id=first, row_key=key)

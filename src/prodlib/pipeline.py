"""The nightly run: every source through ingest -> validate -> classify -> rules -> post / quarantine.

Stages are pure functions over a :class:`Stage` (the good rows so far and the quarantine so far);
the only I/O is reading the files and writing batches to the ledger. Conservation is checked for
every file: rows read = rows accepted + rows quarantined + rows already posted, and the ledger checks
it again per batch. A file whose content hash was posted is skipped unread; a row whose row key
(:mod:`prodlib.rowkeys`) was posted is set aside before validation, neither posted nor quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from prodlib.accounts import CREDIT_ACCOUNT
from prodlib.checks import CheckContext, chart_resolution, make_context, rules_of, run_phase
from prodlib.checks.envelope_balance import envelope_cash
from prodlib.checks.repeated_receipt import receipt_keys
from prodlib.columns import POSTING_COLUMNS
from prodlib.errors import ConservationError, LedgerError
from prodlib.fx import FX_COLUMNS, MAX_RATE_AGE_DAYS, RateTable, convert_frame, load_rate_table
from prodlib.ingest import IngestResult, empty_quarantine, file_sha256, parse_date_column, quarantine_rows, read_source
from prodlib.money import MONEY_DTYPE
from prodlib.reasons import Reason
from prodlib.rowkeys import row_keys
from prodlib.rules import Replacement, RuleBook, load_rules
from prodlib.sources import InputError, InputSet, Production, SourceSpec, load_input_set
from prodlib.taxonomy import ChartOfAccounts, get_chart
from prodlib.validate import suite_columns, validate_frame
from prodlib.values import column_values, py_date

if TYPE_CHECKING:
    import sqlalchemy as sa

    from prodlib.ledger import BatchResult, LedgerView, Scope

DATE_COLUMN = {"invoice": "invoice_date", "petty_cash": "receipt_date", "payroll": "period_end"}
DOCUMENT_COLUMN = {"invoice": "invoice_number", "petty_cash": "envelope_id", "payroll": "employee_id"}
PARTY_COLUMN = {"invoice": "vendor_id", "petty_cash": "custodian", "payroll": "employee_id"}


@dataclass(frozen=True)
class Stage:
    """One source on its way through the pipeline.

    Attributes:
      ingest: the file as read.
      good: the rows still on their way to the ledger.
      quarantine: the rows refused so far, with their reasons.
      row_keys: the row key of every row ingest parsed, indexed like ``ingest.frame``.
      already_posted: rows set aside because their row key is already in the ledger.
      set_aside: those rows (a re-export's copies; e.g. a repeated receipt is still a repeat of them).
    """

    ingest: IngestResult
    good: pd.DataFrame
    quarantine: pd.DataFrame
    row_keys: pd.Series | None = None
    already_posted: int = 0
    set_aside: pd.DataFrame | None = None

    def send(
        self, mask: np.ndarray, reason: Reason, field_name: str, detail: Callable[[pd.DataFrame], list[str]]
    ) -> Stage:
        """Move the rows of ``good`` selected by ``mask`` to the quarantine with one reason.

        ``detail`` is called with the selected rows only (bad rows are few; good rows are millions).
        """
        return self.send_all([(mask, reason, field_name, detail)])

    def send_all(self, sends: list[tuple[np.ndarray, Reason, str, Callable[[pd.DataFrame], list[str]]]]) -> Stage:
        """:meth:`send` of each ``(mask, reason, field, detail)`` in turn, the masks over this ``good``:
        a row selected by an earlier send stays with that one (first reason wins), as a chain of
        :meth:`send` calls would, but ``good`` is filtered once, not copied once per reason."""
        taken = np.zeros(len(self.good), dtype=bool)
        parts = []
        for mask, reason, field_name, detail in sends:
            fresh = np.asarray(mask, dtype=bool) & ~taken
            if not fresh.any():
                continue
            at = np.flatnonzero(fresh)
            idx = self.good.index[at]
            sel = self.good.iloc[at]
            q = quarantine_rows(self.ingest.raw.loc[idx], sel, np.ones(len(idx), dtype=bool), reason, field_name,
                                pd.Series(detail(sel), dtype="string"))
            q.index = idx
            parts.append(q)
            taken |= fresh
        if not parts:
            return self
        return replace(self, good=self.good.loc[~taken], quarantine=pd.concat([self.quarantine, *parts]))

    def check_conservation(self) -> None:
        read = self.ingest.rows_read
        if (len(self.good) + len(self.quarantine) + self.already_posted != read
                or self.good.index.intersection(self.quarantine.index).size):
            raise ConservationError(
                f"{self.ingest.spec.display_path}: read {read}, accepted {len(self.good)}, "
                f"quarantined {len(self.quarantine)}, already posted {self.already_posted}"
            )

    def good_keys(self) -> list[str]:
        """The row keys of ``good``, in its order."""
        return self.row_keys.loc[self.good.index].tolist() if self.row_keys is not None else []


def start(ingest: IngestResult) -> Stage:
    q = ingest.quarantine if len(ingest.quarantine) else empty_quarantine()
    return Stage(ingest=ingest, good=ingest.frame, quarantine=q, row_keys=row_keys(ingest.spec.kind, ingest.frame))


def skip_posted(stage: Stage, posted: AbstractSet[str]) -> Stage:
    """Set aside the rows whose row key is in ``posted`` (already in the ledger): they are counted as
    already posted, never validated, quarantined or posted again."""
    if not posted or stage.good.empty:
        return stage
    mask = stage.row_keys.loc[stage.good.index].isin(posted).to_numpy(dtype=bool)
    return replace(stage, good=stage.good.loc[~mask], already_posted=stage.already_posted + int(mask.sum()),
                   set_aside=stage.good.loc[mask])


# --- stages ----------------------------------------------------------------------------------


def _values(rows: pd.DataFrame, column: str) -> list[str]:
    return [repr(v) for v in rows[column].astype("string").fillna("")] if column in rows else [""] * len(rows)


def validate_stages(stages: list[Stage], production: Production) -> list[Stage]:
    """The kind's Great Expectations suite over every file of one kind at once (its fixed cost, about
    50 ms a call, is paid once rather than per file). Each failing expectation names its reason; the
    first failure of a row wins."""
    if not stages:
        return []
    kind = stages[0].ingest.spec.kind
    columns = [c for c in suite_columns(kind) if all(c in s.good for s in stages)]
    frames = [s.good[columns] for s in stages]  # the suite's columns only: no copy of the rest
    bounds = np.cumsum([0] + [len(f) for f in frames])
    failures = validate_frame(kind, pd.concat(frames, ignore_index=True), production) if bounds[-1] else []
    out = []
    for i, stage in enumerate(stages):
        sends = []
        for failure in failures:
            at = np.asarray(failure.index, dtype=np.int64)
            mine = at[(at >= bounds[i]) & (at < bounds[i + 1])] - bounds[i]  # this file's positions
            if not len(mine):
                continue

            def detail(rows: pd.DataFrame, f=failure) -> list[str]:
                return [f"{f.field}={v}: {f.reason.description}" for v in _values(rows, f.field)]

            mask = np.zeros(len(stage.good), dtype=bool)
            mask[mine] = True
            sends.append((mask, failure.reason, failure.field, detail))
        out.append(stage.send_all(sends))
    return out


def validate_stage(stage: Stage, production: Production) -> Stage:
    """:func:`validate_stages` for one file."""
    return validate_stages([stage], production)[0]


def take(stage: Stage, quarantine: pd.DataFrame, reasons: tuple[Reason, ...]) -> Stage:
    """Move the rows a check refused (``quarantine``, indexed by row label) from ``good`` to the
    quarantine, one reason at a time in ``reasons`` order, each with its raw payload as ingest keeps it."""
    if not len(quarantine):
        return stage
    sends = []
    for reason in reasons:
        mine = quarantine[quarantine["reason"] == reason.value]
        for field_name in pd.unique(mine["field"]):
            sub = mine[mine["field"] == field_name]

            def detail(rows: pd.DataFrame, sub: pd.DataFrame = sub) -> list[str]:
                return list(sub.loc[rows.index, "detail"])

            sends.append((np.asarray(stage.good.index.isin(sub.index)), reason, str(field_name), detail))
    return stage.send_all(sends)


def run_rules(stage: Stage, phase: str, context: CheckContext) -> Stage:
    """The stage's kind's rules of one phase (``prodlib.checks.REGISTRY``), first failure of a row wins."""
    rules = rules_of(stage.ingest.spec.kind, phase)
    if not rules or stage.good.empty:
        return stage
    context = replace(context, default_cost_code=stage.ingest.spec.default_cost_code)
    _, q = run_phase(rules, stage.good, context)
    return take(stage, q, tuple(dict.fromkeys(r for rule in rules for r in rule.reasons)))


def classify_stage(stage: Stage, chart: ChartOfAccounts, context: CheckContext | None = None) -> Stage:
    """Resolve every line's cost code on the chart (rule ``chart_resolution``); unresolvable lines are
    quarantined, never guessed; accepted lines carry the resolved code and its account."""
    if "cost_code" not in stage.good:
        return stage
    context = replace(context or make_context(None, chart=chart),
                      default_cost_code=stage.ingest.spec.default_cost_code)
    stage = run_rules(stage, "classify", context)
    res = chart_resolution.resolve(stage.good, context)
    good = stage.good.copy()
    good["cost_code_raw"] = good["cost_code"]
    good["cost_code"] = res["cost_code"].astype("string")
    good["account"] = good["cost_code"].str.slice(0, 4)
    return replace(stage, good=good)


def duplicate_invoice_stage(stage: Stage, posted_keys: AbstractSet[tuple[str, str]],
                            context: CheckContext | None = None) -> Stage:
    """Rule ``duplicate_invoice``: an invoice (vendor, number) seen before (in an earlier batch, as a
    later block of this file, or a line repeated verbatim within the invoice) is quarantined; the first
    copy stays."""
    context = replace(context or make_context(None, chart=get_chart()), posted_invoices=posted_keys)
    return run_rules(stage, "documents", context)


def fx_stage(stage: Stage, rates: RateTable) -> Stage:
    """A foreign-currency source's lines converted to the production currency (:mod:`prodlib.fx`) by
    the rate in force on each line's document date; the line keeps its original currency, amount and
    the rate used. No rate in force: FX_RATE_MISSING; a converted amount beyond the bound:
    AMOUNT_OUT_OF_BOUNDS. A source in the production currency passes unchanged."""
    spec = stage.ingest.spec
    if not spec.currency or spec.currency == rates.production_currency or stage.good.empty:
        return stage
    column = DATE_COLUMN[spec.kind]
    conv = convert_frame(stage.good, spec.currency, column, rates)
    missing, beyond = stage.good.index[conv.missing], stage.good.index[conv.out_of_bounds]
    stage = replace(stage, good=conv.frame)

    def no_rate(rows: pd.DataFrame) -> list[str]:
        return [f"{column}={v}: no {spec.currency} rate in force in {rates.file or 'fx_rates.csv (none given)'} "
                f"(the latest on or before the date, at most {MAX_RATE_AGE_DAYS} days old)"
                for v in _values(rows, column)]

    def too_large(rows: pd.DataFrame) -> list[str]:
        return [f"amount={v} {spec.currency} at rate {r} is beyond the bound a line may carry"
                for v, r in zip(_values(rows, "original_amount"), rows["fx_rate"], strict=True)]

    stage = stage.send(np.asarray(stage.good.index.isin(missing)), Reason.FX_RATE_MISSING, column, no_rate)
    return stage.send(np.asarray(stage.good.index.isin(beyond)), Reason.AMOUNT_OUT_OF_BOUNDS, "amount", too_large)


def postings(stage: Stage) -> pd.DataFrame:
    """Accepted rows as the ledger's posting frame: debit the cost code, credit the kind's account
    (a foreign-currency source's rows also carry :data:`prodlib.fx.FX_COLUMNS`)."""
    kind = stage.ingest.spec.kind
    g = stage.good
    desc = g["description"] if "description" in g else pd.Series(pd.NA, index=g.index, dtype="string")
    return pd.DataFrame(
        {
            "source_line": g["source_line"],
            "row_hash": g["row_hash"],
            "entry_date": g[DATE_COLUMN[kind]],
            "debit_account": g["cost_code"],
            "credit_account": CREDIT_ACCOUNT[kind],
            "amount": g["amount"].astype(MONEY_DTYPE),
            "description": desc.astype("string"),
            "document_no": g[DOCUMENT_COLUMN[kind]].astype("string"),
            "party_id": g[PARTY_COLUMN[kind]].astype("string"),
            "po_number": (g["po_number"] if "po_number" in g else pd.Series(pd.NA, index=g.index)).astype("string"),
        },
        index=g.index,
    )[list(POSTING_COLUMNS)].assign(**{c: g[c] for c in FX_COLUMNS if c in g})


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRun:
    """What the run did with one file (or one payroll file's fringes).

    Attributes:
      source_id, kind, file: the source of sources.yaml and its file as written there.
      file_hash: SHA-256 of the file's bytes.
      rows_read: records read; ``accepted + quarantined + already_posted`` (0 for a skipped file).
      accepted: rows posted (entries, PO versions, budget lines, accepted timecards and bank lines).
      quarantined: rows quarantined with a reason.
      already_posted: rows whose row key was already in the ledger: neither posted nor quarantined.
      skipped: the file's content hash was posted before: not read at all.
      reasons: quarantined rows per reason code.
    """

    source_id: str
    kind: str
    file: str
    file_hash: str
    rows_read: int
    accepted: int
    quarantined: int
    already_posted: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    skipped: bool = False


@dataclass(frozen=True)
class RunResult:
    """A run over an input set.

    Attributes:
      production: the production the input set belongs to.
      sources: one entry per file (and per payroll file's fringes), in run order.
      errors: files that could not be read at all, each message naming file, line and field.
      rules_replaced: every shipped rule figure the production's own rule files replaced.
    """

    production: Production
    sources: tuple[SourceRun, ...]
    errors: tuple[str, ...]  # files that could not be read at all, each message naming file/line/field
    rules_replaced: tuple[Replacement, ...] = ()  # shipped figures the production's own rule files replaced

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sources)

    @property
    def accepted(self) -> int:
        return sum(s.accepted for s in self.sources)

    @property
    def quarantined(self) -> int:
        return sum(s.quarantined for s in self.sources)

    @property
    def already_posted(self) -> int:
        return sum(s.already_posted for s in self.sources)

    @property
    def skipped(self) -> tuple[SourceRun, ...]:
        return tuple(s for s in self.sources if s.skipped)


#: Order matters: budgets and POs before invoices; timecards before payroll.
KIND_ORDER = ("budget", "purchase_order", "invoice", "petty_cash", "timecard", "payroll", "bank", "check_register")


def finish_source(stage: Stage, chart: ChartOfAccounts, posted_invoices: AbstractSet[tuple[str, str]],
                  context: CheckContext | None = None) -> Stage:
    """After validation: classify on the chart, the kind's document rules (duplicates), petty cash
    envelopes (balanced against ``context.envelope_cash``), the guild-phase
    rules of every kind but payroll (timecards: readable, possible), check conservation. Payroll's guild
    phase needs the timecards: :func:`guild_stage`."""
    context = context or make_context(None, chart=chart)
    stage = classify_stage(stage, chart, context)
    stage = run_rules(stage, "documents", replace(context, posted_invoices=posted_invoices))
    stage = run_rules(stage, "envelopes", context)
    if stage.ingest.spec.kind != "payroll":
        stage = run_rules(stage, "guild", context)
    stage.check_conservation()
    return stage


def held_timecard_days(stage: Stage) -> dict[tuple[str, date], str]:
    """(employee id, work date) of every quarantined timecard of a timecard file whose employee and
    work date can be read -> "file, line N: REASON" (the pay lines of those days wait with it)."""
    q = stage.quarantine
    if not len(q):
        return {}
    spec = stage.ingest.spec
    frame, raw = stage.ingest.frame, stage.ingest.raw
    canon = q.index.intersection(frame.index)
    emp = frame.loc[canon, "employee_id"].astype("string") if "employee_id" in frame else pd.Series(dtype="string")
    wd = frame.loc[canon, "work_date"] if "work_date" in frame else pd.Series(dtype=object)
    rest = q.index.difference(frame.index).intersection(raw.index)  # refused by ingest: read their cells
    emp_header, wd_header = spec.columns.get("employee_id"), spec.columns.get("work_date")
    if len(rest) and emp_header in raw and wd_header in raw:
        emp = pd.concat([emp, raw.loc[rest, emp_header].astype("string").str.strip()])
        wd = pd.concat([wd, parse_date_column(raw.loc[rest, wd_header], spec.date_format)])
    out: dict[tuple[str, date], str] = {}
    for label, e, w in zip(emp.index, emp, column_values(wd.to_frame("w"), "w") if len(wd) else [], strict=True):
        day = py_date(w)
        if pd.isna(e) or not str(e) or day is None:
            continue  # no day to hold: the card's own quarantine row is all there is
        row = q.loc[label]
        out.setdefault((str(e), day), f"{row['source_file']}, line {row['source_line']}: {row['reason']}")
    return out


def run_context(inputs: InputSet, production: Production, chart: ChartOfAccounts, rules: RuleBook) -> CheckContext:
    """The rules' context for a whole run of ``inputs`` (the run's and ``prodlib check``'s): empty
    ``held_days`` (employee-days of quarantined timecards) and ``seen_bank_transactions`` (bank ids
    of the files read so far), which the run fills as it reads, and the check registers' envelope cash."""
    return replace(make_context(production, chart=chart, rules=rules), held_days={}, seen_bank_transactions=set(),
                   envelope_cash=register_envelope_cash(inputs, production))


def register_envelope_cash(inputs: InputSet, production: Production) -> dict[str, tuple[int, int]] | None:
    """The petty cash envelopes' advances and returned cash (``checks.envelope_balance.envelope_cash``)
    from every check register of the input set, as its rows parse (read whether or not the register
    was posted before: its envelopes are still the ones the petty cash lines balance against); None
    when the input set has no check register or no petty cash (the rule is then not checked)."""
    specs = inputs.of_kind("check_register")
    if not specs or not inputs.of_kind("petty_cash"):
        return None
    frames = []
    for spec in specs:
        try:
            frames.append(read_source(spec, spec.currency or production.currency).frame)
        except InputError:
            continue  # the register's own turn in the run reports it
    return envelope_cash(pd.concat(frames, ignore_index=True)) if frames else {}


def process_source(
    spec: SourceSpec, production: Production, chart: ChartOfAccounts, posted_invoices: set[tuple[str, str]],
    rates: RateTable | None = None,
) -> Stage:
    """Everything but the write, for one file: the pure part of a source's run."""
    stage = start(read_source(spec, spec.currency or production.currency))
    stage = fx_stage(validate_stage(stage, production), rates or RateTable(production.currency))
    return finish_source(stage, chart, posted_invoices)


def guild_stage(stage: Stage, timecards: pd.DataFrame, production: Production, chart: ChartOfAccounts,
                context: CheckContext | None = None) -> Stage:
    """Payroll lines against the guild rules (``REGISTRY["payroll"]``'s guild phase: classification,
    PP date, schedule in force, fringe pricing, budget tier, scale, reversals, timecard days)."""
    context = replace(context or make_context(production, chart=chart), timecards=timecards)
    valid, q = run_phase(rules_of("payroll", "guild"), stage.good, context)
    return replace(stage, good=valid, quarantine=pd.concat([stage.quarantine, q]))


def run(
    location: str | Path,
    database_url: str,
    progress: Callable[[str], None] | None = None,
    remittance_dir: Path | None = None,
    production_id: str | None = None,
) -> RunResult:
    """Run every source of an input set into the ledger at ``database_url``.

    Payroll also yields its fringes (posted as a derived batch) and, with ``remittance_dir``, the
    per-fund remittance files. Every row is written as production.yaml's ``production_id`` (the
    ledger's tenant); ``production_id`` (``--production``) must agree with it when given.
    """
    from prodlib.ledger import Ledger, post_batch

    inputs: InputSet = load_input_set(location)
    production = inputs.production
    chart = get_chart(production.chart or None)
    rules = load_rules(production)  # the run's one rule book: every check, fringe and remittance reads it
    for note in rules.replaced:
        if progress:
            progress(f"rules: {note}")
    if production_id and production_id != production.production_id:
        raise InputError("--production", f"{production_id!r} is not this input's production: production.yaml "
                                         f"says {production.production_id!r} (a run posts as its production.yaml's id)")
    led = Ledger.open(database_url, production_id=production.production_id)
    rates = load_rate_table(inputs.root, production.currency)  # fx_rates.csv, once per run
    context = run_context(inputs, production, chart, rules)
    held, seen_bank = context.held_days, context.seen_bank_transactions  # filled as the files are read
    timecards: list[pd.DataFrame] = []
    invoices = PostedInvoices(led)
    runs: list[SourceRun] = []
    errors: list[str] = []
    specs = sorted(inputs.sources, key=lambda s: (KIND_ORDER.index(s.kind), s.id))
    for kind in KIND_ORDER:
        read: list[Stage] = []
        for spec in (s for s in specs if s.kind == kind):
            if progress:
                progress(f"{spec.kind:<15} {spec.display_path}")
            data = _file_bytes(spec)  # read once: hashed here, parsed below
            file_hash = None if data is None else file_sha256(data)
            if file_hash is not None and led.posted_file(file_hash) is not None:
                # the same bytes were posted: skipped before any parsing
                runs.append(SourceRun(source_id=spec.id, kind=kind, file=spec.display_path, file_hash=file_hash,
                                      rows_read=0, accepted=0, quarantined=0, skipped=True))
                continue
            try:  # a file that cannot be read is refused with its message; the other files still run
                stage = start(read_source(spec, spec.currency or production.currency, data))
            except InputError as exc:
                errors.append(str(exc))
                continue
            read.append(skip_posted(stage, led.posted_row_keys(kind, stage.row_keys.tolist())))
        for stage in validate_stages(read, production):
            spec = stage.ingest.spec
            stage = after_validation(stage, led, chart, rates, context, invoices.posted)
            if kind == "timecard":
                timecards.append(stage.good)
                held.update(held_timecard_days(stage))
            if kind == "bank":
                seen_bank.update(stage.good["transaction_id"].astype("string").str.strip().dropna())
            if kind == "payroll":
                stage = guild_stage(stage, pd.concat(timecards, ignore_index=True) if timecards else pd.DataFrame(),
                                    production, chart, context)
                stage.check_conservation()
            contents = batch_contents(stage, production)
            entries = contents.pop("postings", None)
            # One transaction per file: a payroll batch and its fringe batch commit together or not at all.
            with led.transaction() as conn:
                result = post_batch(conn, led.scope, spec.id, spec.display_path, stage.ingest.file_hash, kind,
                                    entries, quarantine_with_amounts(stage), stage.ingest.rows_read,
                                    **contents, row_keys=stage.good_keys(), already_posted=stage.already_posted)
                if kind == "payroll":
                    if result.rows_already_posted != stage.already_posted and not result.already_posted:
                        # Another run posted some of these lines meanwhile: the fringes below would be
                        # theirs too. Roll the file back; the next run sets those lines aside first.
                        raise LedgerError(f"{spec.display_path}: {result.rows_already_posted - stage.already_posted} "
                                          "payroll lines were posted by another run meanwhile; run again")
                    # Fringes of the rows this batch posted only: rows already posted had theirs then.
                    runs.append(post_fringes(conn, led.scope, spec, stage, production, chart, remittance_dir,
                                             rules=rules))
            if kind == "invoice":
                invoices.record(result, entries)
            reasons = stage.quarantine["reason"].value_counts().to_dict() if len(stage.quarantine) else {}
            runs.append(
                SourceRun(
                    source_id=spec.id, kind=kind, file=spec.display_path, file_hash=stage.ingest.file_hash,
                    rows_read=result.rows_read, accepted=result.rows_posted, quarantined=result.rows_quarantined,
                    already_posted=result.rows_already_posted, reasons={str(k): int(v) for k, v in reasons.items()},
                    skipped=result.already_posted,
                )
            )
    return RunResult(production=production, sources=tuple(runs), errors=tuple(errors), rules_replaced=rules.replaced)


def after_validation(stage: Stage, led: LedgerView, chart: ChartOfAccounts, rates: RateTable,
                     context: CheckContext,
                     posted: Callable[[set[tuple[str, str]]], set[tuple[str, str]]] | None = None) -> Stage:
    """A validated file through the rest of the run's stages: foreign currency, classification, the
    kind's document rules against what ``led`` already posted (invoice numbers; a re-export's repeated
    receipts), the guild-phase rules (:func:`finish_source`). The run and a correction
    (:func:`recheck`) both take this one path. ``posted`` answers which (vendor, invoice number) are
    posted (the run passes :meth:`PostedInvoices.posted`; default: the ledger's index lookup)."""
    kind = stage.ingest.spec.kind
    if posted is None:
        def posted(documents: set[tuple[str, str]]) -> set[tuple[str, str]]:
            return led.posted_documents("invoice", documents)
    posted_invoices = posted(invoice_documents(stage.good)) if kind == "invoice" else set()
    if kind == "petty_cash" and stage.set_aside is not None and len(stage.set_aside):
        context = replace(context, posted_receipts=frozenset(receipt_keys(stage.set_aside)))
    return finish_source(fx_stage(stage, rates), chart, posted_invoices, context)


def invoice_documents(good: pd.DataFrame) -> set[tuple[str, str]]:
    """The (vendor, invoice number) pairs of an invoice file's rows: its distinct pairs only (an
    invoice has many lines), as Python strings (both are required: validation refused blank ones)."""
    pairs = good[["vendor_id", "invoice_number"]].drop_duplicates()
    return set(zip(column_values(pairs, "vendor_id"), column_values(pairs, "invoice_number"), strict=True))


def recheck(ingest: IngestResult, led: LedgerView, production: Production, chart: ChartOfAccounts,
            rules: RuleBook, rates: RateTable,
            envelope_cash: dict[str, tuple[int, int]] | None = None) -> Stage:
    """One file (a corrected row, :mod:`prodlib.exceptions.correct`) through the run's own stages, as
    :func:`run` takes each file of its kind: rows already posted set aside, the kind's suite, then
    :func:`after_validation`. Payroll's guild phase needs the run's timecards: not for here.
    ``envelope_cash``: the input set's petty cash envelopes (:func:`register_envelope_cash`), so a
    held envelope's lines, sent back together, are balanced as the run balances them."""
    context = replace(make_context(production, chart=chart, rules=rules), held_days={}, seen_bank_transactions=set(),
                      envelope_cash=envelope_cash)
    stage = start(ingest)
    stage = skip_posted(stage, led.posted_row_keys(ingest.spec.kind, stage.row_keys.tolist()))
    return after_validation(validate_stage(stage, production), led, chart, rates, context)


def quarantine_with_amounts(stage: Stage) -> pd.DataFrame:
    """The stage's quarantine with each row's ``amount`` where ingest read one (the exception queue
    keeps the money at stake; a row refused for its amount, or by ingest, has none)."""
    q, frame = stage.quarantine, stage.ingest.frame
    if not len(q) or "amount" not in frame or frame.index.has_duplicates:
        return q
    return q.assign(amount=frame["amount"].reindex(q.index).to_numpy(dtype=object))


class PostedInvoices:
    """(vendor, invoice number) of the invoices in the ledger, for the duplicate-invoice rule.

    Looked up by index per file (``LedgerView.posted_documents``), except while every invoice batch
    of the ledger is one this run posted (a fresh ledger: a studio's first run): then the answer is
    this run's own posted invoices, kept here, the same set without a query per file. Exact: the
    moment the ledger holds an invoice batch this run did not post (another run's), it looks up again.
    """

    def __init__(self, led: LedgerView) -> None:
        self.led = led
        self.mine: set[tuple[str, str]] = set()
        self.batches = 0
        self.alone = led.batch_count("invoice") == 0

    def posted(self, documents: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of ``documents`` ((vendor, invoice number)) are posted."""
        if self.alone and self.led.batch_count("invoice") == self.batches:
            return documents & self.mine
        self.alone = False
        return self.led.posted_documents("invoice", documents)

    def record(self, result: BatchResult, entries: pd.DataFrame | None) -> None:
        """A file's invoice batch was posted (``result``) with these posting rows."""
        if result.already_posted:
            return  # the file was in the ledger already: no batch was written
        self.batches += 1
        if entries is not None and len(entries):
            pairs = entries[["party_id", "document_no"]].drop_duplicates()  # an invoice has many lines
            self.mine.update(zip(column_values(pairs, "party_id"), column_values(pairs, "document_no"),
                                 strict=True))


def _file_bytes(spec: SourceSpec) -> bytes | None:
    """The file's bytes; None when it cannot be read (``read_source`` then refuses it, naming the file)."""
    try:
        return spec.path.read_bytes()
    except OSError:
        return None


def batch_contents(stage: Stage, production: Production) -> dict[str, Any]:
    """What a file's accepted rows become in the ledger, as keyword arguments of ``Ledger.post_batch``:
    journal entries (invoices, petty cash, payroll), commitments (POs), a budget version, or rows
    used but not journaled (timecards for the payroll rules, bank lines for reconciliation)."""
    kind = stage.ingest.spec.kind
    if kind in CREDIT_ACCOUNT:
        return {"postings": postings(stage)}
    if kind == "purchase_order":
        return {"purchase_orders": stage.good.assign(status=stage.good["status"].str.lower())}
    if kind == "budget":
        lines = stage.good[["cost_code", "description", "amount"]].reset_index(drop=True)
        return {"budget": {"version_id": production.budget_version, "lines": lines,
                           "locked_on": production.budget_locked_on, "author": production.budget_author,
                           "reason": "locked budget"}}
    return {"accepted": len(stage.good)}


def post_fringes(
    conn: sa.Connection, scope: Scope, spec: SourceSpec, stage: Stage, production: Production,
    chart: ChartOfAccounts, remittance_dir: Path | None, *, rules: RuleBook | None = None,
) -> SourceRun:
    """Fringes of a payroll batch, posted as their own batch (debit x900 fringe, credit FRINGE_PAYABLE:plan)
    in the caller's transaction ``conn``, the one that posts the payroll batch; priced by ``rules`` (the
    run's rule book; default: the production's).

    Only the lines this batch posts are priced (``stage.good``: lines already posted were priced
    with their own batch). Per-person caps (the Social Security wage base, FUTA, SUI) count the lines
    handed to the engine, i.e. this file's new lines: caps are per file, as they were before row keys."""
    from prodlib.fringes import compute_fringes, fringe_postings
    from prodlib.ledger import post_batch
    from prodlib.remittance import remittance_reports

    rules = rules or load_rules(production)
    fringes = compute_fringes(stage.good, production, plans=rules.plans, scale=rules.scale, chart=chart)
    frame = fringe_postings(fringes)
    file_hash = f"{stage.ingest.file_hash}:fringes"
    result = post_batch(
        conn, scope, f"{spec.id}:fringes", f"{spec.display_path} (fringes)", file_hash, "fringe", frame, None,
        len(frame),
    )
    if remittance_dir is not None:
        remittance_reports(fringes, production, remittance_dir, plans=rules.plans)
    return SourceRun(
        source_id=f"{spec.id}:fringes", kind="fringe", file=f"{spec.display_path} (fringes)", file_hash=file_hash,
        rows_read=result.rows_read, accepted=result.rows_posted, quarantined=0,
        already_posted=result.rows_already_posted, skipped=result.already_posted,
    )

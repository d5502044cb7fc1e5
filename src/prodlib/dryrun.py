"""``prodlib check``: what a run would post and quarantine, and why, with no database at all.

The dry run is the run's own stages (:mod:`prodlib.pipeline`: read, validate, classify, duplicate
invoices, guild rules, fringes) in :func:`pipeline.run`'s order, against an empty ledger (no
invoice posted before), stopping before the write: nothing is opened, created or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from prodlib.fx import load_rate_table
from prodlib.ingest import FileRegion, read_source
from prodlib.pipeline import (
    KIND_ORDER,
    Stage,
    finish_source,
    fx_stage,
    guild_stage,
    held_timecard_days,
    run_context,
    start,
    validate_stages,
)
from prodlib.rules import load_rules
from prodlib.sources import InputError, Production, load_input_set
from prodlib.taxonomy import get_chart


@dataclass(frozen=True)
class FileCheck:
    """One file as a run would treat it.

    Attributes:
      source_id, kind, file: the source (``file`` as sources.yaml shows it).
      rows_read: records read (preamble and footer lines are not records).
      would_post: rows a run would accept.
      quarantine: the rows a run would quarantine (QUARANTINE_COLUMNS: line, reason, field, detail).
      skipped: the preamble and footer lines the source's layout declares.
      fringe_lines: for payroll, the fringe lines a run would post with it.
    """

    source_id: str
    kind: str
    file: str
    rows_read: int
    would_post: int
    quarantine: pd.DataFrame
    skipped: tuple[FileRegion, ...] = ()
    fringe_lines: int = 0


@dataclass(frozen=True)
class CheckResult:
    """A whole input folder checked.

    Attributes:
      production: production.yaml, parsed.
      files: every file that could be read, in the run's order.
      errors: files that could not be read at all, each message naming file, line and field.
    """

    production: Production
    files: tuple[FileCheck, ...]
    errors: tuple[str, ...]


def dry_run(location: str | Path) -> CheckResult:
    """Every source of the input set through the run's stages, without a ledger.

    A bad sources.yaml or production.yaml raises :class:`prodlib.errors.ConfigError` (exit 2).
    """
    from prodlib.fringes import compute_fringes, fringe_postings

    inputs = load_input_set(location)
    production = inputs.production
    chart = get_chart(production.chart or None)
    rules = load_rules(production)
    rates = load_rate_table(inputs.root, production.currency)
    context = run_context(inputs, production, chart, rules)  # as pipeline.run builds it
    held, seen_bank = context.held_days, context.seen_bank_transactions
    posted_invoices: set[tuple[str, str]] = set()
    timecards: list[pd.DataFrame] = []
    files: list[FileCheck] = []
    errors: list[str] = []
    specs = sorted(inputs.sources, key=lambda s: (KIND_ORDER.index(s.kind), s.id))
    for kind in KIND_ORDER:
        read: list[Stage] = []
        for spec in (s for s in specs if s.kind == kind):
            try:
                read.append(start(read_source(spec, spec.currency or production.currency)))
            except InputError as exc:
                errors.append(str(exc))
        for stage in validate_stages(read, production):
            stage = finish_source(fx_stage(stage, rates), chart, posted_invoices, context)
            fringe_lines = 0
            if kind == "timecard":
                timecards.append(stage.good)
                held.update(held_timecard_days(stage))
            if kind == "bank" and "transaction_id" in stage.good:
                seen_bank.update(stage.good["transaction_id"].astype("string").str.strip().dropna())
            if kind == "payroll":
                stage = guild_stage(stage, pd.concat(timecards, ignore_index=True) if timecards else pd.DataFrame(),
                                    production, chart, context)
                stage.check_conservation()
                fringe_lines = len(fringe_postings(compute_fringes(stage.good, production, plans=rules.plans,
                                                                   scale=rules.scale, chart=chart)))
            if kind == "invoice":
                posted_invoices |= set(zip(stage.good["vendor_id"], stage.good["invoice_number"], strict=True))
            spec = stage.ingest.spec
            files.append(FileCheck(
                source_id=spec.id, kind=kind, file=spec.display_path, rows_read=stage.ingest.rows_read,
                would_post=len(stage.good), quarantine=stage.quarantine.sort_values("source_line", kind="stable"),
                skipped=stage.ingest.skipped, fringe_lines=fringe_lines,
            ))
    return CheckResult(production=production, files=tuple(files), errors=tuple(errors))


def report_lines(result: CheckResult, examples: int = 3) -> list[str]:
    """The check as a user reads it: per file the counts, then per reason its first ``examples`` rows."""
    out = [f"{result.production.title}: a run would post (into an empty ledger; nothing was written):"]
    for f in result.files:
        fringes = f" (+ {f.fringe_lines:,} fringe lines)" if f.fringe_lines else ""
        out.append(f"{f.file} [{f.source_id}, {f.kind}]: read {f.rows_read:,}, would post {f.would_post:,}{fringes}, "
                   f"would quarantine {len(f.quarantine):,}")
        for region in f.skipped:
            out.append(f"  lines {region.first_line}-{region.last_line}: not rows (the source's header_row/footer)")
        for reason, rows in f.quarantine.groupby("reason", sort=True):
            out.append(f"  {reason}: {len(rows):,}")
            for _, row in rows.head(examples).iterrows():
                field = f" {row['field']}" if row["field"] else ""
                out.append(f"    line {row['source_line']}{field}: {row['detail']}")
    for err in result.errors:
        out.append(f"cannot read: {err}")
    return out

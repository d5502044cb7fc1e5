"""``prodlib``: the scheduler's commands. Exit codes: 0 ok, 1 data problems found, 2 bad input/config, 3 bug.

Heavy imports (pandas, Great Expectations, papermill) happen inside each command, so ``prodlib --help``
answers at once.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from prodlib.errors import EXIT_BUG, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK

#: The database every command uses without --db or $PRODLIB_DATABASE_URL: the one ``make reports`` builds
#: (the Makefile's ``DB``; tests/test_packaging.py checks they agree).
DEFAULT_DB = "sqlite:///var/sample.db"

#: ``prodlib sample --scale`` choices: the names of ``prodlib.sample.catalog.SCALES``, repeated here so
#: that ``--help`` does not import pandas (tests/test_exit_codes.py checks they agree).
SAMPLE_SCALES = ("indie", "feature", "studio")

#: ``prodlib inspect --kind`` choices: ``prodlib.sources.KINDS``, repeated so that ``--help`` stays light
#: (tests/test_inspect.py checks they agree).
INPUT_KINDS = ("invoice", "purchase_order", "timecard", "payroll", "petty_cash", "bank", "budget", "check_register")


#: ``prodlib report --role`` choices: ``prodlib.reports.audience.ROLE_IDS``, repeated so that ``--help`` stays
#: light (tests/test_report_roles.py checks they agree).
ROLE_CHOICES = ("production_accountant", "payroll_processor", "department_head", "line_producer", "upm",
                "studio_executive", "bond_rep", "auditor")


def database_url(arg: str | None, *, write: bool = True) -> str:
    """--db, else $PRODLIB_DATABASE_URL, else the embedded SQLite file var/prodlib.db.

    A relative SQLite path becomes absolute (report notebooks run in their own working directory); a
    SQLite URI (``sqlite:///file:x.db?mode=ro&uri=true``) is kept as written. A read command
    (``write=False``) creates nothing here: opening the ledger read-only says if there is none. A
    writing command gets a place it can write: a relative path's folder is created (var/ by default);
    an absolute path's folder must exist, and a read-only file or folder is refused
    (DatabaseLocationError, exit 2). Messages show the URL with its password hidden.
    """
    import sqlalchemy as sa

    from prodlib.errors import DatabaseLocationError
    from prodlib.ledger.connection import render_url

    url = arg or os.environ.get("PRODLIB_DATABASE_URL") or DEFAULT_DB
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise DatabaseLocationError("--db", "is not a database URL (e.g. sqlite:///var/prodlib.db)") from None
    db = parsed.database
    if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:":
        return url
    if db.startswith("file:"):  # a SQLite URI: the user's own open mode, honoured as written
        if write and parsed.query.get("mode") == "ro":
            raise DatabaseLocationError(render_url(url), "is opened read-only (mode=ro); this command writes")
        return url
    path = Path(db)
    relative = not path.is_absolute()
    path = path.resolve()
    url = parsed.set(database=str(path)).render_as_string(hide_password=False)
    if not write:
        return url
    if not path.parent.is_dir():
        if not relative:
            raise DatabaseLocationError(render_url(url), f"the folder {path.parent} does not exist")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseLocationError(render_url(url), f"cannot create the folder {path.parent} "
                                                         f"({exc.strerror})") from None
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseLocationError(render_url(url), "the database file is read-only; this command writes")
    if not os.access(path.parent, os.W_OK):
        raise DatabaseLocationError(render_url(url), f"the folder {path.parent} is read-only; this command writes")
    return url


def named_database(arg: str | None) -> str:
    """The database a command uses, as the user named it (--db, else $PRODLIB_DATABASE_URL, else
    :data:`DEFAULT_DB`), with its password hidden: what the commands print, never a credential."""
    from prodlib.reports.load import redact_url

    return redact_url(arg or os.environ.get("PRODLIB_DATABASE_URL") or DEFAULT_DB)


def positive_int(text: str) -> int:
    """argparse type of ``--jobs``: a whole number of at least 1."""
    if not re.fullmatch(r"\d+", text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def iso_date(text: str) -> str:
    """argparse type of ``--as-of``: a real calendar date written YYYY-MM-DD, returned as that text."""
    from datetime import date

    refused = argparse.ArgumentTypeError(f"{text!r} is not a calendar date written YYYY-MM-DD")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise refused
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:  # 2026-02-31: the right shape, no such day
        raise refused from None


class Parser(argparse.ArgumentParser):
    """argparse with the house's error format: one line, ``error: <which option>: <what>``, exit 2.

    argparse's own format prints the usage first (two or more lines); a scheduler's log wants the one
    line that says what to fix (``prodlib <command> --help`` shows the usage).
    """

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"error: {self.prog}: {message}\n")


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cmd_sample(args: argparse.Namespace) -> int:
    from prodlib.sample import generate

    t0 = time.perf_counter()
    manifest = generate(Path(args.out), scale=args.scale, seed=args.seed, invoice_lines=args.invoice_lines)
    rows = sum(f.rows for f in manifest.files.values())
    print(f"sample production ({args.scale}, seed {args.seed}) written to {args.out}: "
          f"{len(manifest.files)} files, {rows:,} rows, {len(manifest.faults)} injected faults "
          f"in {time.perf_counter() - t0:.1f} s")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from prodlib.pipeline import run
    from prodlib.progress import bar_enabled, progress_bar
    from prodlib.sources import load_input_set

    t0 = time.perf_counter()
    url = database_url(args.db)
    files = len(load_input_set(args.input).sources) if bar_enabled() else None
    with progress_bar(files, "run", unit="file") as bar:
        def progress(msg: str) -> None:
            if not msg.startswith("rules:"):
                bar.update(1)
            if args.quiet:
                return
            if bar.disable:
                _say(msg)
            else:
                bar.write(msg, file=sys.stderr)  # above the bar

        result = run(args.input, url, progress=progress,
                     remittance_dir=Path(args.remittance_out) if args.remittance_out else None,
                     production_id=args.production)
    width = max([len(s.file) for s in result.sources] + [4])
    print(f"{'file':<{width}}  {'kind':<14} {'read':>9} {'accepted':>9} {'quarant.':>9} {'skipped':>9}  reasons")
    for s in result.sources:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(s.reasons.items()))
        note = "  (already posted: skipped, not read)" if s.skipped else ""
        counts = f"{s.rows_read:>9,} {s.accepted:>9,} {s.quarantined:>9,} {s.already_posted:>9,}"
        print(f"{s.file:<{width}}  {s.kind:<14} {counts}  {reasons}{note}")
    total = result.accepted + result.quarantined + result.already_posted
    terms = "accepted + quarantined + already posted" if result.already_posted else "accepted + quarantined"
    print(f"{'total':<{width}}  {'':<14} {result.rows_read:>9,} {result.accepted:>9,} {result.quarantined:>9,} "
          f"{result.already_posted:>9,}  (read = {terms}: {result.rows_read == total})")
    if result.already_posted or result.skipped:  # the "skipped" column: rows already in the ledger
        print(f"already posted: {result.already_posted:,} rows; {len(result.skipped)} files already posted "
              "whole were skipped unread")
    for err in result.errors:
        print(f"error: {err}", file=sys.stderr)
    if not args.no_reconcile:
        night_after_run(url, args.input, result)
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return EXIT_INPUT if result.errors else EXIT_OK  # findings of the night never change it


def night_after_run(url: str, input_dir: str, result) -> None:
    """``prodlib run``'s reconciliation after posting (``reconcile.night.run_night``): its summary on
    stdout. Skipped when a file could not be read (the night would read it too), and when the run
    posted nothing new (every file already posted: the night over the whole ledger would find what the
    last one found, at the cost of a fresh run; ``prodlib reconcile`` runs it on demand). Otherwise
    only the reconciliations whose inputs changed since the last recorded night run
    (``reconcile.night.run_night_after``); the others' findings stay in the queue as they are."""
    if result.errors:
        print(f"reconcile   skipped: {len(result.errors)} file(s) could not be read")
        return
    if result.accepted + result.quarantined == 0:
        print("reconcile skipped: nothing new posted")
        return
    from prodlib.ledger import Ledger
    from prodlib.progress import progress_bar
    from prodlib.reconcile.night import NIGHT_STEPS, run_night_after, summary_lines

    with production_env(result.production.production_id):
        with Ledger.open(url) as led, progress_bar(len(NIGHT_STEPS), "reconcile") as bar:
            night = run_night_after(led, input_dir, result.production.reconcile, lambda _: bar.update(1))
        queued = record_findings(url, night, by="prodlib run")  # into the exception queue, as the night does
    for line in summary_lines(night) + queued.lines():
        print(line)


def cmd_check(args: argparse.Namespace) -> int:
    from prodlib.dryrun import dry_run, report_lines

    result = dry_run(args.input)  # a bad sources.yaml or production.yaml: ConfigError, exit 2
    for line in report_lines(result):
        print(line)
    return EXIT_INPUT if result.errors else EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    from prodlib.inspect import inspect_file

    print(inspect_file(Path(args.file), source_id=args.id, kind=args.kind, sheet=args.sheet).yaml, end="")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from prodlib.reports.render import ReportError, render_all

    params: dict[str, str] = {}
    named = args.production
    if args.input:
        from prodlib.sources import load_input_set

        production = load_input_set(args.input).production
        params = {"production_title": production.title, "chart": production.chart,
                  "budget_version": production.budget_version, "rules_dir": production.rules or ""}
        named = named or production.production_id
    params.update({k: v for k, v in {"budget_version": args.budget_version, "as_of": args.as_of}.items() if v})
    from prodlib.ledger import LedgerView

    url = database_url(args.db, write=False)
    with LedgerView.open(url, production_id=named) as view:  # no ledger, no such production: exit 2 now
        named = view.production_id
    t0 = time.perf_counter()
    try:
        with production_env(named):  # the notebooks' kernels read this production only
            paths = render_all(url, Path(args.out), params, role=args.role, person=args.person or "",
                               accounts=report_member_scope(args, named), jobs=args.jobs)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    for p in paths:
        print(p)
    print(f"rendered {len(paths)} files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return EXIT_OK


def report_member_scope(args: argparse.Namespace, production_id: str) -> tuple[str, ...]:
    """``prodlib report --person P --role R``: with ``--input``, P must hold R on the production in its
    roles.yaml (exit 2 if not); returns P's department accounts (a department head's reports are cut
    to them). Without roles.yaml the person is taken as named (the README says so)."""
    if not args.person or not args.input:
        return ()
    from prodlib.access.roles import roles_path
    from prodlib.reports.audience import member_scope

    path = roles_path(args.input)
    return member_scope(path, args.person, args.role, production_id) if path.is_file() else ()


def in_production(func):
    """``func(args)`` with $PRODLIB_PRODUCTION set to ``args.production`` when given (see production_env)."""
    def run(args: argparse.Namespace) -> int:
        with production_env(args.production):
            return func(args)
    return run


@contextmanager
def production_env(production_id: str | None) -> Iterator[None]:
    """$PRODLIB_PRODUCTION set to ``production_id`` for the block (what every ledger opened inside reads)."""
    from prodlib.ledger.tenants import PRODUCTION_ENV

    before = os.environ.get(PRODUCTION_ENV)
    if production_id:
        os.environ[PRODUCTION_ENV] = production_id
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PRODUCTION_ENV, None)
        else:
            os.environ[PRODUCTION_ENV] = before


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from prodlib.ledger import verify_chain

    result = verify_chain(database_url(args.db, write=False))  # read-only: creates and migrates nothing
    print(result.message)
    return EXIT_OK if result.ok else EXIT_FINDINGS


def cmd_audit_queries(args: argparse.Namespace) -> int:
    """The query log (bond representatives' and auditors' reads), oldest first; ``--out`` writes it as CSV."""
    from prodlib.ledger.connection import open_readonly_engine
    from prodlib.ledger.querylog import query_log_frame

    engine = open_readonly_engine(database_url(args.db, write=False))  # read-only: creates and migrates nothing
    try:
        with engine.connect() as conn:
            log = query_log_frame(conn, args.person)
    finally:
        engine.dispose()
    if args.out:
        from prodlib.reports.export import write_csv

        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        print(write_csv(log.astype(str), Path(args.out)))
    else:
        print(f"{'id':>6}  {'logged at (UTC)':<27} {'person':<14} {'role':<10} {'rows':>8}  fingerprint       scope")
        for r in log.itertuples(index=False):
            print(f"{r.log_id:>6}  {r.logged_at:<27} {r.person_id:<14} {r.role:<10} {r.row_count:>8,}  "
                  f"{r.fingerprint[:16]}  {r.scope}")
    who = f" by {args.person}" if args.person else ""
    print(f"{len(log):,} logged queries{who}", file=sys.stderr)
    return EXIT_OK


def cmd_export_beancount(args: argparse.Namespace) -> int:
    from prodlib.ledger import export_beancount

    with production_env(args.production):
        path = export_beancount(database_url(args.db, write=False), Path(args.out))  # read-only open
    print(path)
    return EXIT_OK


def cmd_reconcile(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from datetime import date

    from prodlib.errors import DatabaseLocationError
    from prodlib.progress import progress_bar
    from prodlib.reconcile.night import NIGHT_STEPS, night_state, run_night, write_outputs
    from prodlib.reports.load import open_ledger

    t0 = time.perf_counter()
    named = args.production
    if args.input and not named:
        from prodlib.sources import load_input_set

        named = load_input_set(args.input).production.production_id
    try:
        with production_env(named):
            led = open_ledger(database_url(args.db, write=False))
    except FileNotFoundError as exc:
        raise DatabaseLocationError(named_database(args.db), str(exc)) from None
    with led, progress_bar(len(NIGHT_STEPS), "reconcile") as bar:
        # the state first (the ledger's last ids before the night reads), recorded with the findings
        state = night_state(led, args.input, _settings(args.input), None) if args.input else None
        result = run_night(led, args.input, None, date.fromisoformat(args.as_of) if args.as_of else None,
                           lambda _: bar.update(1))
    if state is not None:
        result = replace(result, state={**state, "as_of": result.as_of.isoformat() if result.as_of else None,
                                        "derived": args.as_of is None})
    with production_env(named):  # the same production the night read
        queued = record_findings(args.db, result, by=args.by, dry_run=args.dry_run)  # into the exception queue
    paths = write_outputs(result, Path(args.out))
    inv = result.invoices.matches
    how = inv["how"].value_counts().to_dict()
    print(f"reconcile as of {result.as_of or 'the latest entry'}"
          + (" (dry run: nothing written to the ledger)" if args.dry_run else ""))
    print(f"invoice     {len(inv):,} lines: {how.get('po_number', 0):,} matched by PO number, "
          f"{how.get('vendor_code_amount', 0):,} by vendor + cost code + amount; "
          f"{len(result.invoices.positions):,} POs; ledger's open commitments "
          f"{'agree' if result.ledger_agrees else 'DISAGREE'} PO by PO")
    if result.timecards is not None:
        st = result.timecards.days["status"].value_counts().to_dict()
        print(f"timecard    {len(result.timecards.days):,} employee-days: " + ", ".join(
            f"{st[k]:,} {k}" for k in sorted(st)))
    if result.cash is None:
        print("bank        skipped: no --input folder (bank feeds and check register)")
        print("petty_cash  skipped: no --input folder (advances and returned cash)")
    else:
        c = result.cash
        groups = sorted(set(c.how))
        by_ref = sum(1 for g in groups if c.how[g] == "reference")
        print(f"bank        {len(c.bank):,} bank lines, {len(c.book):,} book items: {len(groups):,} matches "
              f"({by_ref:,} by reference, {len(groups) - by_ref:,} by amount); unmatched: "
              f"{int((c.bank['group'] < 0).sum()):,} bank, {int((c.book['group'] < 0).sum()):,} book")
        env = result.envelopes.envelopes if result.envelopes is not None else None
        if env is not None:
            counts = env["status"].value_counts().to_dict()
            print(f"petty_cash  {len(env):,} envelopes: " + ", ".join(f"{counts[k]} {k}" for k in sorted(counts)))
        for b in result.balances:
            print(f"balance     {b.bank_account} {b.statement_date}: bank {b.bank_balance} + in transit "
                  f"{b.deposits_in_transit} - outstanding {b.outstanding_checks} = {b.adjusted_bank}; books "
                  f"{b.book_balance} + bank-only {b.bank_only} = {b.adjusted_book}; difference {b.difference}")
        if result.balances:
            last = result.balances[-1]
            print(f"bank reconciliation {last.bank_account} as of {last.statement_date}:")
            for label, amount in last.lines():
                print(f"  {label:<28} {amount:>16}")
    print(f"findings    {len(result.findings):,}")
    for kind, reason, n, amount in result.by_reason():
        print(f"  {kind:<10} {reason:<26} {n:>6,}  at stake {amount}")
    for line in queued.lines():
        print(line)
    for p in paths:
        print(p)
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return EXIT_OK


def _settings(input_dir: str):
    """The input folder's reconciliation settings (production.yaml ``reconcile:``), as the night reads them."""
    from prodlib.sources import load_input_set

    return load_input_set(input_dir).production.reconcile


def record_findings(db: str | None, result, *, by: str, dry_run: bool = False):
    """The night's findings into the exception queue, in one transaction (``dry_run``: counted against
    the queue, nothing written): :func:`prodlib.exceptions.findings.sync_findings`."""
    from prodlib.exceptions.findings import kinds_run, sync_findings
    from prodlib.ledger import Ledger, LedgerView

    night = result.as_of.isoformat() if result.as_of else None
    if dry_run:
        with LedgerView.open(database_url(db, write=False)) as view, view.engine.connect() as conn:
            from prodlib.ledger.journal import Scope

            return sync_findings(conn, Scope(view.production_id), result.findings, kinds_run(result), night,
                                 by=by, dry_run=True)
    led = Ledger.open(database_url(db))
    try:
        with led.transaction() as conn:
            synced = sync_findings(conn, led.scope, result.findings, kinds_run(result), night, by=by,
                                   judged=result.in_scope if getattr(result, "vendors", None) is not None else None)
            from prodlib.ledger.normalize import stamp
            from prodlib.reconcile.night import NO_STATE, record_state

            # what this night reconciled, the next run's start; a night without one (no input folder)
            # records that the queue no longer holds a recorded night's findings
            record_state(conn, led.scope, getattr(result, "state", None) or NO_STATE, stamp(led.scope.clock()))
            return synced
    finally:
        led.close()


def cmd_rules_coverage(args: argparse.Namespace) -> int:
    from datetime import date

    from prodlib.rules import load_rules
    from prodlib.rules.coverage import rules_coverage
    from prodlib.sources import load_input_set

    inputs = load_input_set(args.input)
    rules = load_rules(inputs.production)
    report = rules_coverage(inputs, rules, date.fromisoformat(args.today) if args.today else date.today())
    p = inputs.production
    medium = p.medium + (f" ({p.program_length})" if p.program_length else "")
    print(f"{p.title}: {medium}, window {p.window_start} .. {p.window_end}, PP {p.pp_date}, "
          f"states {', '.join(p.states) or '-'};"
          f" {report.lines:,} payroll lines, {report.shapes} line shapes; rules: {rules.folder or 'shipped only'}")
    for note in report.replaced:
        print(f"replaced: {note}")
    for gap in report.gaps:
        print(f"NO SCHEDULE: {gap}")
    for today in report.today:
        print(f"today ({report.on}): {today}")
    print(f"{len(report.gaps)} gap(s): " + ("a run would quarantine the lines that need them (NO_SCHEDULE_IN_FORCE, "
                                            "UNKNOWN_CLASSIFICATION)" if report.gaps
                                            else "every plan, fund and minimum has a schedule in force"))
    return EXIT_FINDINGS if report.gaps else EXIT_OK


# --- prodlib exceptions: the exception queue (issue 10, item 6) ---------------------------------

#: ``--state`` choices of ``prodlib exceptions list``: the lifecycle's states (prodlib.exceptions.lifecycle,
#: repeated so that ``--help`` stays light; tests/exceptions/test_cli.py checks they agree), "waiting"
#: (open or in review: the default) and "all".
EXCEPTION_STATES = ("open", "in_review", "corrected", "released", "written_off", "superseded")


def _queue_read(args: argparse.Namespace):
    from prodlib.ledger import LedgerView

    return LedgerView.open(database_url(args.db, write=False))


def cmd_exceptions_list(args: argparse.Namespace) -> int:
    from datetime import date

    from prodlib.exceptions.queue import exception_rows, filter_queue

    with _queue_read(args) as led, led.engine.connect() as conn:
        frame = exception_rows(conn, led.production_id)
    shown = filter_queue(frame, kind=args.kind, reason=args.reason, state=args.state, source=args.source,
                         min_amount=args.min_amount, older_than=args.older_than, today=date.today())
    print(f"{'id':>6}  {'kind':<14} {'reason':<26} {'state':<11} {'amount':>14} {'age':>5}  {'assignee':<12} source")
    for r in shown.itertuples(index=False):
        print(f"{r.exception_id:>6}  {r.kind:<14} {r.current_reason:<26} {r.state:<11} {r.amount_text:>14} "
              f"{r.age_days:>4}d  {r.assignee or '':<12} {r.where}")
    total = sum(abs(int(c)) for c in shown["amount_cents"].dropna()) if len(shown) else 0  # at stake: sizes
    from prodlib.money import from_cents

    print(f"{len(shown):,} of {len(frame):,} exceptions ({args.state}); at stake {from_cents(total)}")
    return EXIT_OK


def cmd_exceptions_show(args: argparse.Namespace) -> int:
    from prodlib.exceptions.queue import show_lines

    with _queue_read(args) as led, led.engine.connect() as conn:
        for line in show_lines(conn, led.production_id, args.id):
            print(line)
    return EXIT_OK


def _queue_write(args: argparse.Namespace, fn) -> list[int]:
    from prodlib.ledger import Ledger

    led = Ledger.open(database_url(args.db))
    try:
        with led.transaction() as conn:
            return fn(conn, led.scope)
    finally:
        led.close()


def cmd_exceptions_assign(args: argparse.Namespace) -> int:
    from prodlib.ledger import exceptions as queue

    why = args.why or f"assigned to {args.to}"
    _queue_write(args, lambda conn, scope: queue.change(conn, scope, [args.id], "assign", actor=args.by, why=why,
                                                        assignee=args.to))
    print(f"exception {args.id}: in_review, assigned to {args.to} by {args.by}")
    return EXIT_OK


def cmd_exceptions_write_off(args: argparse.Namespace) -> int:
    from prodlib.ledger import exceptions as queue

    _queue_write(args, lambda conn, scope: queue.change(conn, scope, [args.id], "write_off", actor=args.by,
                                                        why=args.reason))
    print(f"exception {args.id}: written_off by {args.by} ({args.reason})")
    return EXIT_OK


def cmd_exceptions_correct(args: argparse.Namespace) -> int:
    from prodlib.errors import QueueError
    from prodlib.exceptions.correct import correct
    from prodlib.ledger import Ledger

    changes: dict[str, str] = {}
    for item in args.set or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise QueueError(f"--set {item!r}: write it field=value (e.g. --set amount=1234.50)")
        changes[name.strip()] = value
    led = Ledger.open(database_url(args.db))
    try:
        res = correct(led, args.input, args.id, by=args.by, changes=changes or None,
                      corrected_file=Path(args.file) if args.file else None, why=args.why)
    finally:
        led.close()
    if res.posted:
        print(f"exception {args.id}: corrected: validated again and posted as batch {res.batch_id}, "
              f"entry {res.entry_id}")
    elif res.state == "superseded":
        print(f"exception {args.id}: superseded: the corrected row is already posted")
    else:
        print(f"exception {args.id}: still {res.state}: validated again, refused {res.reason}: {res.detail}")
    return EXIT_OK if res.posted or res.state == "superseded" else EXIT_FINDINGS


def cmd_exceptions_conservation(args: argparse.Namespace) -> int:
    from prodlib.exceptions.conservation import conservation

    with _queue_read(args) as led, led.engine.connect() as conn:
        c = conservation(conn, led.production_id)
    print(c.line())
    return EXIT_OK if c.holds else EXIT_FINDINGS


def add_exceptions_parser(sub) -> None:
    """``prodlib exceptions list|show|assign|correct|write-off|conservation``."""
    x = sub.add_parser("exceptions", help="the exception queue: list, show, assign, correct, write off")
    xs = x.add_subparsers(dest="exceptions_command", required=True)

    def cmd(name: str, func, help_: str, write: bool):
        p = xs.add_parser(name, help=help_)
        p.add_argument("--db", default=None, help=DB_HELP)
        p.add_argument("--production", default=None, help=QUEUE_PRODUCTION_HELP)
        if write:
            p.add_argument("--by", required=True, help="who acts (recorded in the audit chain)")
        p.set_defaults(func=in_production(func))
        return p

    ls = cmd("list", cmd_exceptions_list, "the queue, filtered", False)
    ls.add_argument("--kind", default=None, help="ingest, validation, classification, duplicate, guild, invoice, "
                                                  "bank, petty_cash, ...")
    ls.add_argument("--reason", default=None, help="a reason code (prodlib.reasons)")
    ls.add_argument("--state", default="waiting", choices=(*EXCEPTION_STATES, "waiting", "all"),
                    help="default: waiting (open or in_review)")
    ls.add_argument("--source", default=None, help="a source id of sources.yaml (or a prefix of its file)")
    ls.add_argument("--min-amount", default=None, type=_amount, help="at least this much at stake (e.g. 100.00)")
    ls.add_argument("--older-than", default=None, type=int, help="opened more than DAYS days ago")
    sh = cmd("show", cmd_exceptions_show, "one exception: its raw payload, amounts and history", False)
    sh.add_argument("id", type=int)
    a = cmd("assign", cmd_exceptions_assign, "give an exception to a person (state in_review)", True)
    a.add_argument("id", type=int)
    a.add_argument("--to", required=True, help="the person who works it")
    a.add_argument("--why", default=None)
    c = cmd("correct", cmd_exceptions_correct, "edit the raw row and validate it again: posts if it passes", True)
    c.add_argument("id", type=int)
    c.add_argument("--set", action="append", metavar="FIELD=VALUE",
                   help="a field of the row (the export's header or the canonical name); repeatable")
    c.add_argument("--file", default=None, help="the corrected row as a CSV: the export's header and the row")
    c.add_argument("--input", default="var/sample", help="folder holding sources.yaml (the row's source)")
    c.add_argument("--why", default=None)
    w = cmd("write-off", cmd_exceptions_write_off, "close an exception by a recorded decision", True)
    w.add_argument("id", type=int)
    w.add_argument("--reason", required=True, help="the decision, in words")
    cmd("conservation", cmd_exceptions_conservation, "rows read = posted + the queue by state, whole history",
        False)


def _amount(text: str) -> str:
    """argparse type of ``--min-amount``: money written 1234.50 (no float ever)."""
    from prodlib.money import money

    try:
        return str(money(text))
    except (ValueError, ArithmeticError):
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount written 1234.50") from None


# --- access: roles.yaml into the database (prodlib.access) ---------------------------------------

def _role_book(input_dir: str):
    """The input folder's roles.yaml, its departments checked against the production's chart."""
    from prodlib.access.roles import load_roles
    from prodlib.sources import load_input_set
    from prodlib.taxonomy import get_chart

    production = load_input_set(input_dir).production
    return load_roles(Path(input_dir), chart=get_chart(production.chart or None))


def cmd_access_sync(args: argparse.Namespace) -> int:
    from prodlib.access.grants import sync_grants
    from prodlib.ledger import Ledger

    book = _role_book(args.input)
    with Ledger.open(database_url(args.db)) as led:  # migrated: the access tables exist
        result = sync_grants(led.engine, book)
    print(f"{book.source}: {result.members} people, {result.grants} grants written to the database")
    for login, group in result.memberships:
        print(f"login {login} is a member of {group}")
    for login in result.missing_logins:
        print(f"login {login} does not exist on the server: create it, then sync again", file=sys.stderr)
    return EXIT_FINDINGS if result.missing_logins else EXIT_OK


def cmd_access_show(args: argparse.Namespace) -> int:
    book = _role_book(args.input)
    for m in book.members.values():
        if args.person and m.id != args.person:
            continue
        for g in m.grants:
            depts = f" departments {', '.join(g.departments)}" if g.departments else ""
            print(f"{m.id:<10} {m.name:<24} {g.role:<22} {', '.join(g.productions)}{depts}")
    return EXIT_OK


# --- emergency overrides (issue 11): prodlib override request|approve|reject|withdraw|execute|audit|expire|... ---


def _override_context(args: argparse.Namespace, *, read: bool = False):
    """(ledger, role book, production id the role book knows, production) for an override command."""
    from prodlib.access.roles import load_roles
    from prodlib.ledger import Ledger
    from prodlib.sources import load_input_set

    inputs = load_input_set(args.input) if getattr(args, "input", None) else None
    book = load_roles(inputs.root) if inputs is not None else None
    led = Ledger.open(database_url(args.db, write=not read), readonly=read)
    return led, book, inputs.production.production_id if inputs else None, inputs.production if inputs else None


def _print_override(o, *, detail: bool = False) -> None:
    deadline = f", execute by {o.deadline.isoformat()}" if o.state == "approved" else ""
    print(f"override {o.override_id}: {o.state}  {o.rule}  {o.amount}  rows {','.join(map(str, o.q_ids))}  "
          f"requested by {o.requester}  {o.justification_code}{deadline}")
    if detail:
        print(f"  justification: {o.justification_text}")
        for tr in o.transitions:
            print(f"  #{tr.transition_id} {tr.at} {tr.event:<8} {tr.from_state or '-'} -> {tr.to_state}  by {tr.actor}"
                  f"  {tr.hash[:16]}")


def cmd_override(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from prodlib.errors import OverrideError
    from prodlib.money import MoneyFormatError, parse_money
    from prodlib.overrides import store

    now = datetime.now(UTC)
    action = args.override_command
    led, book, role_pid, production = _override_context(args, read=action in ("list", "show", "routing", "rows"))
    with led:
        if action in ("list", "show", "routing", "rows"):
            with led.engine.connect() as conn:
                pid = led.production_id
                if action == "rows":
                    for r in store.open_rows(conn, pid, args.reason):
                        print(f"{r.q_id:>6}  {r.source_file}, line {r.source_line}  {r.reason}  {r.detail or ''}"
                              f"\n        row: {r.payload or '(no cells)'}")
                    return EXIT_OK
                if action == "routing":
                    for r in store.routing(conn, pid, args.id):
                        print(f"{r.recorded_at}  to {r.addressee:<22} {r.subject}")
                    return EXIT_OK
                ids = [args.id] if action == "show" else store.all_ids(conn, pid)
                if not ids:
                    print(f"no overrides in production {pid}")
                for oid in ids:
                    o = store.load(conn, pid, oid)
                    if action == "show" or args.state is None or o.state == args.state:
                        _print_override(o, detail=action == "show")
            return EXIT_OK
        if action == "execute":
            from prodlib.overrides.execute import execute

            o = execute(led, args.id, args.by, book, role_pid, args.input, now)
            _print_override(o)
            return EXIT_OK
        with led.transaction() as conn:
            sc = led.scope
            if action == "request":
                try:
                    amount = parse_money(args.amount, "us", production.currency)
                except MoneyFormatError:
                    raise OverrideError(f"--amount {args.amount!r} is not an amount in {production.currency} "
                                        "(e.g. 1250.00 or 1,250.00)") from None
                try:
                    rows = [int(x) for x in args.rows.split(",") if x.strip()]
                except ValueError:
                    raise OverrideError(f"--rows {args.rows!r} is not a list of quarantine ids (e.g. 12,13)") from None
                o = store.request(conn, sc, q_ids=rows, amount=amount, justification_code=args.code,
                                  justification_text=args.text, requester=args.requester or args.by, operator=args.by,
                                  policy_now=production.overrides, now=now, roles=book, role_production=role_pid,
                                  rule=args.rule)
            elif action == "approve":
                o = store.approve(conn, sc, args.id, args.by, book, role_pid, now)
            elif action == "reject":
                o = store.reject(conn, sc, args.id, args.by, book, role_pid, now, args.note or "")
            elif action == "withdraw":
                o = store.withdraw(conn, sc, args.id, args.by, now, args.note or "")
            elif action == "audit":
                o = store.audit(conn, sc, args.id, args.by, book, role_pid, now, args.note or "")
            else:
                o = store.expire(conn, sc, args.id, args.by, now)
        _print_override(o)
    return EXIT_OK


def add_override_parser(sub) -> None:
    """``prodlib override ...``: its own block (issue 11)."""
    ov = sub.add_parser("override", help="emergency overrides: release quarantined rows past one rule, approved")
    osub = ov.add_subparsers(dest="override_command", required=True)

    def cmd(name: str, help_: str, *, by: bool = True, oid: bool = True, input_: bool = True, note: bool = False):
        c = osub.add_parser(name, help=help_)
        if oid:
            c.add_argument("id", type=int, help="the override's id")
        c.add_argument("--db", default=None, help=DB_HELP)
        c.add_argument("--production", default=None, help=QUEUE_PRODUCTION_HELP)
        if by:
            c.add_argument("--by", required=True, help="the person doing it (their id in roles.yaml)")
        if input_:
            c.add_argument("--input", default="var/sample",
                           help="folder with sources.yaml, production.yaml, roles.yaml")
        if note:
            c.add_argument("--note", default=None, help="a remark recorded with the event")
        c.set_defaults(func=in_production(cmd_override))
        return c

    r = cmd("request", "ask to release quarantined rows past the rule that quarantined them", oid=False)
    r.add_argument("--rows", required=True, help="quarantine ids, comma-separated (`prodlib override rows` lists them)")
    r.add_argument("--rule", default=None, help="the reason code bypassed (default: the rows' one reason)")
    r.add_argument("--amount", required=True, help="the amount released, e.g. 1250.00")
    r.add_argument("--code", required=True, help="justification code (prodlib.overrides.policy.JUSTIFICATIONS)")
    r.add_argument("--text", required=True, help="the justification: what happened and why it cannot wait")
    r.add_argument("--requester", default=None, help="who asks for it (default: --by, who keys it in)")
    cmd("approve", "approve (production accountant; line producer or UPM; above the threshold studio or bond)")
    cmd("reject", "reject a requested override", note=True)
    cmd("withdraw", "withdraw (the requester or the operator), before execution", input_=False, note=True)
    cmd("execute", "post the approved override's rows (production accountant, within the window)")
    cmd("audit", "record the auditor's review of an executed override", note=True)
    cmd("expire", "record that an approved override's window passed", input_=False)
    ls = cmd("list", "every override and its state", by=False, oid=False, input_=False)
    ls.add_argument("--state", default=None, help="only overrides in this state")
    cmd("show", "one override with every transition and its hash", by=False, input_=False)
    rows = cmd("rows", "the quarantined rows an override may name: id, file, line, reason, detail", by=False, oid=False,
               input_=False)
    rows.add_argument("--reason", default=None, help="only rows quarantined for this reason code")
    rt = osub.add_parser("routing", help="routing records to the production accountant and the completion guarantor")
    rt.add_argument("id", type=int, nargs="?", default=None, help="one override's records (default: all)")
    rt.add_argument("--db", default=None, help=DB_HELP)
    rt.add_argument("--production", default=None, help=QUEUE_PRODUCTION_HELP)
    rt.set_defaults(func=in_production(cmd_override))


DB_HELP = f"database URL (default $PRODLIB_DATABASE_URL, else {DEFAULT_DB})"
PRODUCTION_HELP = ("the production (tenant) to read: default $PRODLIB_PRODUCTION, else --input's production.yaml, "
                   "else the database's only one")
#: ``--production`` of ``prodlib exceptions`` and ``prodlib override`` (their --input names the sources,
#: not the tenant: a queue of another production is never picked by a folder's default).
QUEUE_PRODUCTION_HELP = "the production (tenant): default $PRODLIB_PRODUCTION, else the database's only one"


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="prodlib", description="Production accounting for film and television.")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("sample", help="write a sample production's raw exports (deterministic)")
    s.add_argument("--out", default="var/sample")
    s.add_argument("--scale", default="indie", choices=SAMPLE_SCALES)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--invoice-lines", type=int, default=None, help="override the scale's invoice line count")
    s.set_defaults(func=cmd_sample)

    r = sub.add_parser("run", help="ingest, validate, classify and post every source of sources.yaml")
    r.add_argument("--input", default="var/sample", help="folder holding sources.yaml (or the file)")
    r.add_argument("--db", default=None, help=DB_HELP)
    r.add_argument("--remittance-out", default="reports/remittance",
                   help="folder for the per-fund P&H remittance CSVs ('' for none)")
    r.add_argument("--quiet", action="store_true")
    r.add_argument("--production", default=None, help="must equal production.yaml's production_id")
    r.add_argument("--no-reconcile", action="store_true",
                   help="post only: skip the night's reconciliation after posting (prodlib reconcile runs it)")
    r.set_defaults(func=cmd_run)

    c = sub.add_parser("check", help="what a run would post and quarantine, and why: writes nothing")
    c.add_argument("--input", default="var/sample", help="folder holding sources.yaml (or the file)")
    c.set_defaults(func=cmd_check)

    i = sub.add_parser("inspect", help="propose a sources.yaml entry for an export prodlib has never seen")
    i.add_argument("file", help="the export (delimited text or an .xlsx workbook)")
    i.add_argument("--id", default=None, help="the entry's id (default: the file's name)")
    i.add_argument("--kind", default=None, choices=INPUT_KINDS, help="input kind (default: guessed from the headers)")
    i.add_argument("--sheet", default=None, help="a workbook's sheet, by name (default: the first)")
    i.set_defaults(func=cmd_inspect)

    rep = sub.add_parser("report", help="render every report notebook to HTML in --out")
    rep.add_argument("--db", default=None, help=DB_HELP)
    rep.add_argument("--input", default=None, help="folder with sources.yaml: title, chart and budget version")
    rep.add_argument("--out", default="reports")
    rep.add_argument("--budget-version", default=None)
    rep.add_argument("--production", default=None, help=PRODUCTION_HELP)
    rep.add_argument("--as-of", default=None, type=iso_date, help="YYYY-MM-DD: the books as they stood that day")
    rep.add_argument("--jobs", default=1, type=positive_int,
                     help="notebooks rendered at once, each in its own process (default 1)")
    rep.add_argument("--role", default="production_accountant", choices=ROLE_CHOICES,
                     help="render only what this role may see (default: production_accountant, everything)")
    rep.add_argument("--person", default=None,
                     help="the person the reports are for (bond_rep, auditor: required; their queries are logged)")
    rep.set_defaults(func=cmd_report)

    rc = sub.add_parser("reconcile", help="nightly reconciliation: invoices vs POs, bank vs books, petty cash; "
                                          "its findings into the exception queue")
    rc.add_argument("--db", default=None, help=DB_HELP)
    rc.add_argument("--as-of", default=None, type=iso_date,
                    help="YYYY-MM-DD: the night (default: the last bank line's date, else the latest entry)")
    rc.add_argument("--input", default=None,
                    help="folder with sources.yaml: its bank feeds and check register (without it: invoices only)")
    rc.add_argument("--out", default="reports", help="folder for the reconcile_*.csv files")
    rc.add_argument("--dry-run", action="store_true",
                    help="write nothing to the ledger: say what the exception queue would open and close")
    rc.add_argument("--by", default="prodlib reconcile", help="who runs the night (recorded on each event)")
    rc.add_argument("--production", default=None, help=PRODUCTION_HELP)
    rc.set_defaults(func=cmd_reconcile)

    a = sub.add_parser("audit", help="auditor's checks")
    asub = a.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", help="walk the hash chain; name the first broken entry")
    v.add_argument("--db", default=None, help=DB_HELP)
    v.set_defaults(func=cmd_audit_verify)
    aq = asub.add_parser("queries", help="the query log: every query of a bond representative or an auditor")
    aq.add_argument("--db", default=None, help=DB_HELP)
    aq.add_argument("--person", default=None, help="only this person's queries")
    aq.add_argument("--out", default=None, help="write the log as CSV to this file (default: print it)")
    aq.set_defaults(func=cmd_audit_queries)

    ru = sub.add_parser("rules", help="the production's rule book")
    rusub = ru.add_subparsers(dest="rules_command", required=True)
    rc = rusub.add_parser("coverage", help="plans, funds and minimums the payroll needs with no schedule in force")
    rc.add_argument("--input", default="var/sample", help="folder holding sources.yaml (or the file)")
    rc.add_argument("--today", default=None, type=iso_date, help="YYYY-MM-DD: the day 'in force today' means")
    rc.set_defaults(func=cmd_rules_coverage)

    add_exceptions_parser(sub)
    ac = sub.add_parser("access", help="roles and their members (roles.yaml): show them, sync them to the database")
    acsub = ac.add_subparsers(dest="access_command", required=True)
    acs = acsub.add_parser("sync", help="write roles.yaml's grants to the database (row-level security reads them)")
    acs.add_argument("--input", default="var/sample", help="folder holding roles.yaml and sources.yaml")
    acs.add_argument("--db", default=None, help=DB_HELP)
    acs.set_defaults(func=cmd_access_sync)
    acw = acsub.add_parser("show", help="who holds which role on which production")
    acw.add_argument("--input", default="var/sample", help="folder holding roles.yaml and sources.yaml")
    acw.add_argument("--person", default=None, help="one person's id")
    acw.set_defaults(func=cmd_access_show)

    e = sub.add_parser("export", help="export the books")
    esub = e.add_subparsers(dest="export_command", required=True)
    b = esub.add_parser("beancount", help="the ledger as a Beancount file (bean-check accepts it)")
    b.add_argument("--db", default=None, help=DB_HELP)
    b.add_argument("--out", default="reports/ledger.beancount")
    b.add_argument("--production", default=None, help=PRODUCTION_HELP)
    b.set_defaults(func=cmd_export_beancount)
    add_override_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    from sqlalchemy import exc as sa_exc

    from prodlib.errors import ProdlibError

    try:
        code = func(args)
        if "db" in vars(args):  # every command that touches a database says which one, on stderr
            _say(f"database: {named_database(args.db)}")
        return code
    except ProdlibError as exc:
        if args.debug:
            raise
        label = "internal error" if exc.exit_code == EXIT_BUG else "error"
        print(f"{label}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:  # the database went away or refused us
        if args.debug:
            raise
        where = named_database(getattr(args, "db", None))
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        print(f"error: {where}: the database failed the command ({reason}); nothing of an unfinished write "
              "was kept: run again", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - the user gets one clear line, the developer --debug
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())

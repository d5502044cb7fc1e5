"""Where report inputs come from: the ledger store, or the built-in demo. The one I/O edge of reports.

Every call to :mod:`prodlib.ledger` made by a report notebook goes through this module, so a change
of the store's API is adjusted here once. Each loader returns the frames and a :class:`DataStamp`
naming what the report was built from.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from prodlib.reports import demo
from prodlib.reports.audience import DEFAULT_ROLE, Audience, RoleError, audience
from prodlib.reports.pnh import PAYABLE_PREFIX
from prodlib.rules.book import rules_in
from prodlib.rules.plans import PlanSet

DEMO_URLS = ("", "demo")


@dataclass(frozen=True)
class DataStamp:
    """What a report was built from, printed at its top and written beside its CSV.

    It identifies the books by their content (the hash chains' heads), never by where they live: no
    database URL, path or credential is ever part of a stamp (issue 8).

    Attributes:
      source: "ledger", "demo", or for the P&H report "ledger + N remittance files".
      budget_version: the budget version the figures use ("" when the report has none).
      as_of: ISO date the books were cut at, or "all postings".
      title: the production's title.
      chart: the chart of accounts the report is laid out on ("" when it has none).
      inputs_sha256: over the report's input frames, canonical text: same data, same digest.
      batches: (source_file as given in sources.yaml, file_hash, rows_posted) of every posted file.
      demo: the built-in demo production, not a ledger.
      journal_entries: the production's entries in the ledger's journal chain when the report read it.
      journal_head: the hash of the production's last journal entry: the same books, the same head.
      audit_events: the production's events in the audit chain (batches, quarantine seals, budgets...).
      audit_head: the hash of the production's last audit event.
      role: the role the report was rendered for (:mod:`prodlib.reports.audience`).
      person: the person it was rendered for ("" when not named).
    """

    source: str
    budget_version: str
    as_of: str
    title: str
    chart: str = ""
    inputs_sha256: str = ""
    batches: tuple[tuple[str, str, int], ...] = field(default=())
    demo: bool = False
    journal_entries: int = 0
    journal_head: str = ""
    audit_events: int = 0
    audit_head: str = ""
    role: str = DEFAULT_ROLE
    person: str = ""

    def to_dict(self) -> dict:
        """JSON-ready: batches as records."""
        d = asdict(self)
        d["batches"] = [{"source_file": f, "file_hash": h, "rows_posted": n} for f, h, n in self.batches]
        return d


@dataclass(frozen=True, eq=False)
class CostReportInputs:
    """What the cost report reads from the ledger (money columns are MONEY_DTYPE).

    Attributes:
      budget: the budget version's lines: cost_code, amount
      actuals: posted actuals: cost_code, amount
      commitments: open commitments: cost_code, amount (None: none recorded)
      efc: estimates at completion where given: account, amount (None: none)
      stamp: what data the report was built from
    """

    budget: pd.DataFrame  # cost_code, amount
    actuals: pd.DataFrame  # cost_code, amount
    commitments: pd.DataFrame | None  # cost_code, amount
    efc: pd.DataFrame | None  # account, amount
    stamp: DataStamp


def frames_digest(**frames: pd.DataFrame | None) -> str:
    """SHA-256 over frames as sorted canonical text lines (name|col=value|...): order-independent."""
    h = hashlib.sha256()
    for name in sorted(frames):
        frame = frames[name]
        if frame is None:
            h.update(f"{name}:none\n".encode())
            continue
        lines = sorted(_canonical_lines(frame))
        h.update(f"{name}:{len(lines)}\n".encode())
        if lines:
            h.update(("\n".join(lines) + "\n").encode())
    return h.hexdigest()


def _canonical_lines(frame: pd.DataFrame) -> list[str]:
    """Each row of ``frame`` as ``col=value|col=value...`` (columns sorted, missing as ``<NA>``): the
    text :func:`frames_digest` hashes. Built a column at a time (Arrow string concatenation), not a
    row at a time: the P&H ledger lines are 150,000 rows."""
    cols = sorted(frame.columns)
    if not cols:
        return [""] * len(frame)
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [pa.array(f"{c}=" + frame[c].astype("string").fillna("<NA>"), pa.string()) for c in cols]
    return pc.binary_join_element_wise(*parts, "|").to_pylist()


def redact_url(url: str) -> str:
    """The URL with its password hidden, for a message (never for a report: stamps name no location)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL that does not parse may still hold a password: print none of it
        return "(a database URL that does not parse)"


def _as_of(as_of: str | date | None) -> date | None:
    if as_of is None or as_of == "":
        return None
    return as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))


def open_ledger(url: str, reader: Audience | None = None, scope: str = ""):
    """Open the store read-only for a report: nothing is created, nothing migrated.

    A place without a current ledger is an error here, not a new empty ledger. A ``reader`` whose
    role is logged (bond representative, auditor) gets a session whose every query is written to the
    query log (:mod:`prodlib.ledger.querylog`) as that person, with ``scope`` (e.g. "report cost_report").
    """
    from prodlib.errors import DatabaseLocationError
    from prodlib.ledger import LedgerView  # lazy: the demo path needs no store

    try:
        view = LedgerView.open(url)  # which production: named, $PRODLIB_PRODUCTION, or the database's only one
        if reader is None or not reader.logged:
            return view
        from prodlib.ledger.querylog import QuerySession, open_logged_engine

        view.close()
        pid = view.production_id
        engine, writer = open_logged_engine(url, QuerySession(reader.person, reader.role, pid, scope))
        logged = LedgerView(engine, pid)
        logged.close = lambda: (engine.dispose(), writer.dispose())  # type: ignore[method-assign]
        return logged
    except DatabaseLocationError:  # the notebooks' contract: a missing ledger is a missing file
        # no location in the text: it reaches the report's index page (the CLI names the database)
        raise FileNotFoundError("no ledger database at the URL given; run the pipeline first") from None


def reader_of(role: str = "", person: str = "", report: str = "", accounts: str = "") -> Audience:
    """The :class:`Audience` a loader reads for (RoleError, exit 2): a logged role must name its person,
    the report must be one rendered for the role, and a department-scoped role needs its ``accounts``
    (comma-separated, as roles.yaml gives them: :func:`prodlib.reports.audience.member_scope`)."""
    scope = tuple(a.strip() for a in accounts.split(",") if a.strip())
    aud = audience(role or DEFAULT_ROLE, person, accounts=scope)
    if aud.logged and not person:
        raise RoleError("--person", f"the {aud.role} role's queries are logged by person: name the person")
    if report and not aud.sees(report):
        raise RoleError("--role", f"the {report} report is not rendered for the {aud.role} role "
                                  f"(it sees: {', '.join(aud.reports)})")
    if aud.department_scope and not scope:
        raise RoleError("--person", f"the {aud.role} role sees its department's accounts only: name the person "
                                    "and the input folder whose roles.yaml gives their department")
    return aud


def _scoped(frame: pd.DataFrame | None, key: str, reader: Audience) -> pd.DataFrame | None:
    """The rows of ``frame`` whose ``key`` (cost code or account) the reader's scope covers."""
    if frame is None or not reader.department_scope:
        return frame
    return frame[[reader.covers(str(c)) for c in frame[key]]].reset_index(drop=True)


def chain_stamp(led) -> dict[str, int | str]:
    """The production's place in the ledger's two chains as :class:`DataStamp` fields: its entries and
    events and the hash of its last one (which changes with any entry or event of it added), without
    saying where the database is, nor anything of another production in the same database."""
    import sqlalchemy as sa

    out: dict[str, int | str] = {}
    with led.engine.connect() as conn:
        for table, key, hash_col, name in (("journal_entries", "entry_id", "entry_hash", "journal"),
                                           ("audit_events", "event_id", "event_hash", "audit")):
            n, last = conn.execute(sa.text(
                f"SELECT COUNT(*), MAX({key}) FROM {table} WHERE production_id = :p"), {"p": led.production_id}).one()
            head = "" if last is None else conn.execute(
                sa.text(f"SELECT {hash_col} FROM {table} WHERE {key} = :k"), {"k": last}).scalar_one()
            out[f"{name}_{'entries' if name == 'journal' else 'events'}"] = int(n)
            out[f"{name}_head"] = str(head)
    return out


def _with_posting_days(led, current: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``posted_at``: the recorded day of each exception's batch (the one that quarantined it) and of
    each event's batch (a correction's), for the trend's nights (reports.exceptions.trend_nights)."""
    frame = led.batches_frame()
    days = {int(b): str(r)[:10] for b, r in zip(frame["batch_id"], frame["recorded_at"], strict=True)}

    def day(b):
        return None if b is None or pd.isna(b) else days.get(int(b))

    return (current.assign(posted_at=[day(b) for b in current["batch_id"]]),
            events.assign(posted_at=[day(b) for b in events["batch_id"]]))


def _batches(led) -> tuple[tuple[str, str, int], ...]:
    frame = led.batches_frame()
    if frame is None or len(frame) == 0:
        return ()
    hash_col = next((c for c in ("file_hash", "content_hash", "sha256") if c in frame.columns), None)
    rows_col = next((c for c in ("rows_posted", "posted") if c in frame.columns), None)
    out = []
    for rec in frame.to_dict("records"):
        out.append((str(rec.get("source_file", rec.get("source_id", ""))),
                    str(rec[hash_col]) if hash_col else "", int(rec[rows_col]) if rows_col else 0))
    return tuple(sorted(out))


def _read(led, query: str, *args):
    """``report_queries.<query>(conn, production_id, *args)`` (:mod:`prodlib.ledger.report_queries`) on
    ``led``'s engine: a logged reader's queries are logged like the view's own."""
    from prodlib.ledger import report_queries

    with led.engine.connect() as conn:
        return getattr(report_queries, query)(conn, led.production_id, *args)


def _two_columns(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame[[key, "amount"]].reset_index(drop=True)


def load_cost_report_inputs(
    url: str, budget_version: str = "", as_of: str | date | None = None, title: str = "", chart: str = "",
    known_at: str = "", role: str = "", person: str = "", report: str = "cost_report", accounts: str = "",
) -> CostReportInputs:
    """Budget, actuals, commitments and EFC for a cost report, with the stamp of where they came from.

    ``url`` "" or "demo" gives the built-in demo production. Otherwise the ledger at ``url`` is read:
    ``led.budget(budget_version)`` (empty: the version in force on ``as_of``), ``led.actuals(as_of)``,
    and, where the store offers them, ``led.commitments(as_of)`` and ``led.efc(as_of)``. ``known_at``
    (a recorded-at timestamp) reads the books as they were known then, to rebuild a past report exactly.
    ``role``/``person``: who it is rendered for (:func:`reader_of`; a logged role's reads are logged);
    a department head's figures are cut to ``accounts``, their department's.
    """
    reader = reader_of(role, person, report, accounts)
    when = _as_of(as_of)
    if url in DEMO_URLS:
        budget, actuals = demo.demo_budget(), demo.demo_actuals()
        commitments, efc = demo.demo_commitments(), demo.demo_efc()
        source, version, batches, chains = "demo", budget_version or demo.DEMO_BUDGET_VERSION, (), {}
        title = title or demo.DEMO_TITLE
    else:
        with open_ledger(url, reader, f"report {report}") as led:
            known = known_at or None
            lines = led.budget(budget_version or None, as_of=when, known_at=known)
            budget = _two_columns(lines, "cost_code")
            actuals = _two_columns(led.actuals(when, known), "cost_code")
            commitments = (_two_columns(led.commitments(when, known), "cost_code")
                           if hasattr(led, "commitments") else None)
            efc = _two_columns(led.efc(when, known), "account") if hasattr(led, "efc") else None
            batches, chains = _batches(led), chain_stamp(led)
        source, version = "ledger", budget_version or lines.attrs.get("version_id", "")
    budget, actuals = _scoped(budget, "cost_code", reader), _scoped(actuals, "cost_code", reader)
    commitments, efc = _scoped(commitments, "cost_code", reader), _scoped(efc, "account", reader)
    digest = frames_digest(budget=budget, actuals=actuals, commitments=commitments, efc=efc)
    as_of_text = when.isoformat() if when else "all postings"
    if known_at:
        as_of_text += f" (as known at {known_at})"
    if source == "demo":
        as_of_text = "all postings (the demo is undated)"
    stamp = DataStamp(source=source, budget_version=version, as_of=as_of_text,
                      title=title or "Untitled production", chart=chart, inputs_sha256=digest, batches=batches,
                      demo=source == "demo", role=reader.role, person=reader.person, **chains)
    return CostReportInputs(budget, actuals, commitments, efc, stamp)


def load_fx_entries(url: str, as_of: str | date | None = None, known_at: str = "", role: str = "",
                    person: str = "", accounts: str = "") -> pd.DataFrame:
    """The ledger's foreign-currency entries (:meth:`LedgerView.fx_frame`) for the exposure table;
    the demo production has none (an empty frame)."""
    reader = reader_of(role, person, "cost_report", accounts)
    if url in DEMO_URLS:
        return pd.DataFrame(columns=["entry_id", "entry_date", "kind", "account", "currency", "original_amount",
                                     "fx_rate", "amount"])
    with open_ledger(url, reader, "report cost_report (foreign-currency exposure)") as led:
        return _scoped(led.fx_frame(_as_of(as_of), known_at or None), "account", reader)


def load_exceptions(url: str, title: str = "", role: str = "",
                    person: str = "") -> tuple[pd.DataFrame, pd.DataFrame, DataStamp]:
    """The exception queue: (each exception with its state now, every state-change event, the stamp);
    "" or "demo" gives the demo's queue (:func:`prodlib.reports.demo.demo_exceptions`).

    ``role``/``person``: who it is rendered for (:func:`reader_of`; a logged role's reads are logged).
    For a role without row detail (:attr:`Audience.exception_rows` false) no exception's payload,
    detail, place or assignee, nor any event's actor, assignee or words, leaves the loader (the digest
    is taken first: it names the books, whoever reads them)."""
    reader = reader_of(role, person, "exceptions")
    if url in DEMO_URLS:
        (current, events), source, batches = demo.demo_exceptions(), "demo", ()
        title, chains = title or demo.DEMO_TITLE, {}
    else:
        from prodlib.ledger import exceptions as queue

        with open_ledger(url, reader, "report exceptions") as led, led.engine.connect() as conn:
            current = queue.current_frame(conn, led.production_id)
            events = queue.events_frame(conn, led.production_id)
            batches, chains = _batches(led), chain_stamp(led)
            current, events = _with_posting_days(led, current, events)
        source = "ledger"
    # content only: the events' recorded_at is part of it (the trend is by recorded day)
    cols = ["exception_id", "action", "state", "reason", "assignee", "actor", "why", "recorded_at"]
    digest = frames_digest(exceptions=current[["exception_id", "kind", "reason", "state", "amount_cents"]]
                           if len(current) else None, events=events[cols] if len(events) else None)
    if not reader.exception_rows:
        current = current.assign(**{c: None for c in EXCEPTION_ROW_DETAIL if c in current.columns})
        events = events.assign(**{c: None for c in ("assignee", "actor", "why") if c in events.columns})
    last = max((str(v)[:10] for v in current["last_at"]), default="")
    stamp = DataStamp(source=source, budget_version="", as_of=last or "no exceptions", title=title
                      or "Untitled production", inputs_sha256=digest, batches=batches, demo=source == "demo",
                      role=reader.role, person=reader.person, **chains)
    return current, events, stamp


#: An exception's columns a role without row detail never receives (names, pay, documents, places).
EXCEPTION_ROW_DETAIL = ("payload", "detail", "figures", "source_file", "source_line", "assignee", "fingerprint")


LEDGER_LINE_COLUMNS = ["entry_id", "entry_date", "kind", "account", "amount", "document_no"]


@dataclass(frozen=True, eq=False)
class PnhInputs:
    """What the P&H remittance report reads: the remittance files and the ledger's fringe-payable lines.

    Attributes:
      totals: every <plan>__<fund>__totals.csv row, as text
      detail: every <plan>__<fund>.csv row, as text (None: no detail read)
      ledger_lines: every line of the entries touching FRINGE_PAYABLE:*
      notes: findings that become exception lines (no folder, no files)
      files: (file name, sha256, data rows) of the remittance files read
      as_of: the date late charges and outstanding amounts are computed at
      stamp: what data the report was built from
      plans: the plans whose remittance terms (due dates, late charges) the report applies: the
        shipped ones with the production's rules folder laid over them (``rules_dir``)
    """

    totals: pd.DataFrame  # every <plan>__<fund>__totals.csv row, as text
    detail: pd.DataFrame | None  # every <plan>__<fund>.csv row, as text (None: no detail read)
    ledger_lines: pd.DataFrame  # every line of the entries touching FRINGE_PAYABLE:*
    notes: tuple[str, ...]  # findings that become exception lines (no folder, no files)
    files: tuple[tuple[str, str, int], ...]  # (file name, sha256, data rows) of the remittance files read
    as_of: date
    stamp: DataStamp
    plans: PlanSet = field(default_factory=lambda: rules_in(None).plans)


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


def load_pnh_inputs(url: str, remittance_dir: str | Path = "", as_of: str | date | None = None,
                    title: str = "", rules_dir: str | Path = "", role: str = "", person: str = "") -> PnhInputs:
    """Remittance files and the ledger's FRINGE_PAYABLE entries, with the stamp of where they came from.

    ``url`` "" or "demo": the built-in demo (its as-of date 2026-04-30 unless one is given). Otherwise
    every posting of the ledger at ``url`` (contributions of any date; payments are cut at ``as_of`` by
    the builder) and the CSV files in ``remittance_dir``. ``as_of`` empty: the date of the ledger's
    latest entry, so the same books give the same report whatever day it is rendered (pass today's
    date for today's late-payment exposure). ``rules_dir``: the production's rules folder
    (production.yaml's ``rules:``); its plan files' remittance terms replace the shipped ones, as the
    run that wrote the remittance files used them; "" : the shipped rules only. The remittance detail
    is per person: a role without person-level pay is refused (RoleError), whatever the report list says.
    """
    reader = reader_of(role, person, "pnh_remittance")
    if not reader.person_pay:
        raise RoleError("--role", f"the P&H remittance is per person; the {reader.role} role sees no person-level pay")
    when = _as_of(as_of)
    plans = rules_in(rules_dir).plans  # a broken rules folder stops here, before the ledger is read
    if url in DEMO_URLS:
        totals, detail = demo.demo_remittance_totals(), demo.demo_remittance_detail()
        lines, notes, files, batches, chains = demo.demo_fringe_ledger_lines(), (), (), (), {}
        source, when, title = "demo", when or demo.DEMO_AS_OF, title or demo.DEMO_TITLE
    else:
        if str(remittance_dir):
            totals, detail, notes, files = read_remittance_dir(remittance_dir)
        else:
            totals, detail, notes, files = pd.DataFrame(), pd.DataFrame(), ("no remittance folder given",), ()
        # the entries touching FRINGE_PAYABLE:*, selected in the database
        with open_ledger(url, reader, "report pnh_remittance") as led:
            lines = _read(led, "lines_touching", PAYABLE_PREFIX)
            latest = led.latest_entry_date() if when is None else None
            batches, chains = _batches(led), chain_stamp(led)
        source = f"ledger + {len(files)} remittance files"  # each file's name and SHA-256: PnhInputs.files
        if str(rules_dir):
            source += f"; rules {Path(rules_dir).name}/"
        if when is None:
            when = latest if latest is not None else date.today()
    digest = frames_digest(totals=totals, detail=detail,
                           ledger=lines[["entry_id", "entry_date", "account", "amount", "document_no"]])
    stamp = DataStamp(source=source, budget_version="", as_of=when.isoformat(), title=title or "Untitled production",
                      inputs_sha256=digest, batches=batches, demo=source == "demo", role=reader.role,
                      person=reader.person, **chains)
    return PnhInputs(totals, detail if len(detail) else None, lines, notes, files, when, stamp, plans)


@dataclass(frozen=True, eq=False)
class ContingencyInputs:
    """What the contingency report reads from the ledger.

    Attributes:
      versions: Ledger.budget_versions_frame()
      budgets: lines of each version in the lineage of the version in force
      version_in_force: the budget version in force on the as-of date
      cost: budget (version in force), actuals, commitments, EFC, and the stamp
      stamp: what data the report was built from
    """

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
                            chart: str = "", known_at: str = "", role: str = "",
                            person: str = "") -> ContingencyInputs:
    """Budget versions, the lines of each version in the lineage of the one in force, and the cost inputs.

    ``url`` "" or "demo": the built-in demo (three versions, the last in force). Otherwise the ledger:
    ``budget_version`` empty means the version in force on ``as_of`` (:meth:`Ledger.budget_version_at`).
    """
    reader = reader_of(role, person, "contingency")
    if url in DEMO_URLS:
        versions, budgets = demo.demo_budget_versions(), demo.demo_budget_lines()
        vid = budget_version or str(versions["version_id"].iloc[-1])
        budget = budgets[vid]
        digest = frames_digest(budget=budget, actuals=demo.demo_actuals(), commitments=demo.demo_commitments(),
                               efc=demo.demo_efc(), versions=versions[["version_id", "kind", "parent_version_id"]])
        stamp = DataStamp(source="demo", budget_version=vid, as_of="all postings (the demo is undated)",
                          title=title or demo.DEMO_TITLE, chart=chart, inputs_sha256=digest, demo=True,
                          role=reader.role, person=reader.person)
        cost = CostReportInputs(budget, demo.demo_actuals(), demo.demo_commitments(), demo.demo_efc(), stamp)
        return ContingencyInputs(versions, {v: budgets[v] for v in _lineage_ids(versions, vid)}, vid, cost, stamp)
    cost = load_cost_report_inputs(url, budget_version, as_of, title, chart, known_at, role, person, "contingency")
    vid = cost.stamp.budget_version
    with open_ledger(url, reader, "report contingency") as led:
        versions = led.budget_versions_frame()
        budgets = {v: led.budget(v)[["cost_code", "amount"]] for v in _lineage_ids(versions, vid)}
    content = versions[["version_id", "kind", "parent_version_id", "effective_date", "content_hash"]]
    stamp = dataclasses.replace(cost.stamp, inputs_sha256=frames_digest(
        budget=cost.budget, actuals=cost.actuals, commitments=cost.commitments, efc=cost.efc, versions=content))
    return ContingencyInputs(versions, budgets, vid, cost, stamp)


@dataclass(frozen=True, eq=False)
class CashFlowInputs:
    """What the cash-flow view reads: sums per day from the ledger, never an entry.

    Attributes:
      cost_by_day: [entry_date, stream, amount_cents]: :meth:`LedgerView.cost_by_day_and_stream`
      cash_by_day: [entry_date, amount_cents]: :meth:`LedgerView.cash_paid_by_day`
      budget_total: the budget version in force (or the one named), summed
      stamp: what data the report was built from
    """

    cost_by_day: pd.DataFrame
    cash_by_day: pd.DataFrame
    budget_total: object  # Decimal
    stamp: DataStamp


def load_cash_flow_inputs(url: str, budget_version: str = "", as_of: str | date | None = None, title: str = "",
                          known_at: str = "", role: str = "", person: str = "") -> CashFlowInputs:
    """Cost per day and stream, cash paid per day and the budget total, with the stamp.

    ``url`` "" or "demo": the demo production's actuals, all dated on its as-of day, against AP."""
    from prodlib.money import sum_money

    reader = reader_of(role, person, "cash_flow")
    when = _as_of(as_of)
    if url in DEMO_URLS:
        actuals = demo.demo_actuals()
        cost = pd.DataFrame({"entry_date": [demo.DEMO_AS_OF] * len(actuals), "stream": ["AP"] * len(actuals),
                             "amount_cents": [int(a * 100) for a in actuals["amount"]]})
        cash = pd.DataFrame(columns=["entry_date", "amount_cents"])
        budget, version, batches, chains = demo.demo_budget(), demo.DEMO_BUDGET_VERSION, (), {}
        source, title = "demo", title or demo.DEMO_TITLE
    else:
        with open_ledger(url, reader, "report cash_flow") as led:
            known = known_at or None
            budget = led.budget(budget_version or None, as_of=when, known_at=known)
            version = budget_version or budget.attrs.get("version_id", "")
            cost, cash = led.cost_by_day_and_stream(when, known), led.cash_paid_by_day(when, known)
            batches, chains = _batches(led), chain_stamp(led)
        source = "ledger"
    total = sum_money(budget["amount"])
    digest = frames_digest(cost=cost.astype({"entry_date": str}), cash=cash.astype({"entry_date": str}),
                           budget=budget[["cost_code", "amount"]])
    as_of_text = when.isoformat() if when else "all postings"
    stamp = DataStamp(source=source, budget_version=version, as_of=as_of_text, title=title or "Untitled production",
                      inputs_sha256=digest, batches=batches, demo=source == "demo", role=reader.role,
                      person=reader.person, **chains)
    return CashFlowInputs(cost, cash, total, stamp)

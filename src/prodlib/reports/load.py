"""Where report inputs come from: the ledger store, or the built-in demo. The one I/O edge of reports.

Every call to :mod:`prodlib.ledger` made by a report notebook goes through this module, so a change
of the store's API is adjusted here once. Each loader returns the frames and a :class:`DataStamp`
naming what the report was built from.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from prodlib.reports import demo

DEMO_URLS = ("", "demo")


@dataclass(frozen=True)
class DataStamp:
    """What a report was built from, printed at its top and written beside its CSV."""

    source: str  # database URL with the password hidden, or "demo"
    budget_version: str
    as_of: str  # ISO date, or "all postings"
    title: str
    chart: str = ""
    inputs_sha256: str = ""  # over the report's input frames, canonical text: same data, same digest
    batches: tuple[tuple[str, str, int], ...] = field(default=())  # (source_file, file_hash, rows_posted)
    demo: bool = False

    def to_dict(self) -> dict:
        """JSON-ready: batches as records."""
        d = asdict(self)
        d["batches"] = [{"source_file": f, "file_hash": h, "rows_posted": n} for f, h, n in self.batches]
        return d


@dataclass(frozen=True, eq=False)
class CostReportInputs:
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
        cols = sorted(frame.columns)
        text = frame[cols].astype("string").fillna("<NA>")
        lines = sorted("|".join(f"{c}={v}" for c, v in zip(cols, row, strict=True))
                       for row in text.itertuples(index=False))
        h.update(f"{name}:{len(lines)}\n".encode())
        for line in lines:
            h.update(line.encode() + b"\n")
    return h.hexdigest()


def redact_url(url: str) -> str:
    """The URL with its password hidden, for printing in a report."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is reported by the open that follows
        return url


def _as_of(as_of: str | date | None) -> date | None:
    if as_of is None or as_of == "":
        return None
    return as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))


def open_ledger(url: str):
    """Open the store read for a report; a missing SQLite file is an error, not a new empty ledger."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            raise FileNotFoundError(f"no ledger database at {path} (from {url}); run the pipeline first")
    from prodlib.ledger import Ledger  # lazy: the demo path needs no store

    return Ledger.open(url)


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


def _two_columns(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame[[key, "amount"]].reset_index(drop=True)


def load_cost_report_inputs(
    url: str, budget_version: str = "", as_of: str | date | None = None, title: str = "", chart: str = "",
    known_at: str = "",
) -> CostReportInputs:
    """Budget, actuals, commitments and EFC for a cost report, with the stamp of where they came from.

    ``url`` "" or "demo" gives the built-in demo production. Otherwise the ledger at ``url`` is read:
    ``led.budget(budget_version)`` (empty: the version in force on ``as_of``), ``led.actuals(as_of)``,
    and, where the store offers them, ``led.commitments(as_of)`` and ``led.efc(as_of)``. ``known_at``
    (a recorded-at timestamp) reads the books as they were known then, to rebuild a past report exactly.
    """
    when = _as_of(as_of)
    if url in DEMO_URLS:
        budget, actuals = demo.demo_budget(), demo.demo_actuals()
        commitments, efc = demo.demo_commitments(), demo.demo_efc()
        source, version, batches = "demo", budget_version or demo.DEMO_BUDGET_VERSION, ()
        title = title or demo.DEMO_TITLE
    else:
        with open_ledger(url) as led:
            known = known_at or None
            lines = led.budget(budget_version or None, as_of=when, known_at=known)
            budget = _two_columns(lines, "cost_code")
            actuals = _two_columns(led.actuals(when, known), "cost_code")
            commitments = (_two_columns(led.commitments(when, known), "cost_code")
                           if hasattr(led, "commitments") else None)
            efc = _two_columns(led.efc(when, known), "account") if hasattr(led, "efc") else None
            batches = _batches(led)
        source, version = redact_url(url), budget_version or lines.attrs.get("version_id", "")
    digest = frames_digest(budget=budget, actuals=actuals, commitments=commitments, efc=efc)
    as_of_text = when.isoformat() if when else "all postings"
    if known_at:
        as_of_text += f" (as known at {known_at})"
    if source == "demo":
        as_of_text = "all postings (the demo is undated)"
    stamp = DataStamp(source=source, budget_version=version, as_of=as_of_text,
                      title=title or "Untitled production", chart=chart, inputs_sha256=digest, batches=batches,
                      demo=source == "demo")
    return CostReportInputs(budget, actuals, commitments, efc, stamp)


def load_quarantine(url: str, title: str = "") -> tuple[pd.DataFrame, DataStamp]:
    """The quarantine (exception queue) and its stamp; "" or "demo" gives the demo's queue."""
    if url in DEMO_URLS:
        frame, source, batches, title = demo.demo_quarantine(), "demo", (), title or demo.DEMO_TITLE
    else:
        with open_ledger(url) as led:
            frame, source, batches = led.quarantine_frame(), redact_url(url), _batches(led)
    # content only: no payload (large), no recorded_at (wall-clock) nor batch ids
    cols = [c for c in ("source_id", "source_file", "source_line", "row_hash", "reason", "field", "detail")
            if c in frame.columns]
    digest = frames_digest(quarantine=frame[cols]) if len(frame) else frames_digest(quarantine=None)
    stamp = DataStamp(source=source, budget_version="", as_of="all postings", title=title or "Untitled production",
                      inputs_sha256=digest, batches=batches, demo=source == "demo")
    return frame, stamp


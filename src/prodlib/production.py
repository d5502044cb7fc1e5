"""The production: the one model of ``production.yaml`` that every rule, engine and report reads.

A production's facts (its window, PP dates, employer code, budget version, WGA budget tier, chart)
are parsed once, here, into the frozen :class:`Production`; nothing else reads production.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import field_validator

from prodlib.config import Figure, IsoDate, Strict, Text, Whole, load_model, refuse_number, shown
from prodlib.errors import ConfigError
from prodlib.money import MoneyFormatError, parse_money
from prodlib.reconcile.findings import ReconcileSettings
from prodlib.rules.plans import Medium, ProgramLength
from prodlib.rules.scale import load_scale
from prodlib.taxonomy import chart_file, chart_location, get_chart


@dataclass(frozen=True)
class Episode:
    """A TV episode with its own principal photography date.

    Attributes:
      id: the episode id as payroll writes it in its ``episode`` column (``E101``).
      pp_date: the date its principal photography began; picks its SAG-AFTRA rates.
      program_length: its length when it differs from the production's (``half_hour``, ``one_hour``,
        ...); None: the production's ``program_length``.
    """

    id: str
    pp_date: date | None
    program_length: str | None = None


@dataclass(frozen=True)
class OverridePolicy:
    """How emergency overrides (:mod:`prodlib.overrides`) are approved: production.yaml's ``overrides:``.

    Attributes:
      third_approval_above: an override of more than this amount also needs a studio executive or
        the bond representative (a third approver).
      execute_within_hours: an approved override not executed within this many hours of its
        approval can only expire.
    """

    third_approval_above: Decimal = Decimal("25000.00")
    execute_within_hours: int = 48


@dataclass(frozen=True)
class Production:
    """The production's facts that rules, fringes and reports depend on.

    Attributes:
      production_id: the production's stable id (the ledger's tenant key).
      title: the title, as reports and remittance files print it.
      employer_code: the signatory's code, as the guild trust funds know it.
      chart: the chart of accounts: a shipped chart's name, or the absolute path of a chart file
        (production.yaml's ``chart:`` resolved against its folder; without one, $PRODLIB_CHART
        resolved against the working directory, else the shipped sample).
      currency: the production currency (ISO 4217).
      window_start, window_end: prep start .. wrap; dated rows outside are DATE_OUT_OF_WINDOW.
      pp_date: principal photography date (picks SAG-AFTRA rates); never guessed: lines that need it
        are quarantined MISSING_PP_DATE when it is None.
      budget_version: the budget version a budget file posts as and the cost report compares with.
      budget_locked_on, budget_author: when and by whom that version was locked.
      states: the states the production works in.
      episodes: TV episodes, each with its own PP date; empty for a feature.
      budget_tier: the WGA theatrical tier (low | high), declared or derived from ``budget_total``;
        None when neither is declared (tiered lines are then BUDGET_TIER_MISSING, never defaulted).
      budget_total: the total budget, when declared.
      rules: the production's own rules folder (production.yaml's ``rules:`` resolved against its
        folder, absolute), laid over the shipped rule files by id; None: the shipped rules only.
      medium: what it is made for: ``theatrical`` or ``television``; a rate entry limited to a
        medium (``media:`` in a plan file, e.g. SAG-AFTRA's TV ceilings) is levied only on it.
      program_length: a television production's program length (``half_hour``, ``one_hour``,
        ``ninety_minutes``, ``two_hours``, ``over_two_hours``); an episode may declare its own.
        None: not declared (a rate limited to program lengths then has no schedule for its lines).
      reconcile: the nightly reconciliation's settings (production.yaml's ``reconcile:`` block, one key
        per field of :class:`prodlib.reconcile.findings.ReconcileSettings`; absent keys: its samples).
      overrides: how emergency overrides are approved (threshold of the third approver, window).
    """

    production_id: str = ""
    title: str = ""
    employer_code: str = ""
    chart: str = "feature_us_sample"
    currency: str = "USD"
    window_start: date | None = None
    window_end: date | None = None
    pp_date: date | None = None
    budget_version: str = ""
    budget_locked_on: date | None = None
    budget_author: str = ""
    states: tuple[str, ...] = ()
    episodes: tuple[Episode, ...] = ()
    budget_tier: str | None = None
    budget_total: Decimal | None = None
    rules: str | None = None
    medium: str = "theatrical"
    program_length: str | None = None
    reconcile: ReconcileSettings = field(default_factory=ReconcileSettings)
    overrides: OverridePolicy = OverridePolicy()

    def program_length_for(self, episode: str | None) -> str | None:
        """The program length that selects a line's TV rates: its episode's, else the production's."""
        if episode and self.episodes:
            own = next((e.program_length for e in self.episodes if e.id == str(episode)), None)
            if own is not None:
                return own
        return self.program_length

    def pp_date_for(self, episode: str | None) -> date | None:
        """The PP date that prices a line: its episode's when the production has episodes."""
        if episode and self.episodes:
            return next((e.pp_date for e in self.episodes if e.id == str(episode)), None)
        return self.pp_date


class _Window(Strict):
    start: IsoDate
    end: IsoDate


class _Budget(Strict):
    version: Text = ""
    locked_on: IsoDate | None = None
    author: Text = ""


class _Episode(Strict):
    entry_key: ClassVar[str | None] = "id"
    id: Text
    pp_date: IsoDate | None = None
    program_length: ProgramLength | None = None


_RS = ReconcileSettings()


class _Reconcile(Strict):
    """production.yaml's ``reconcile:`` block: one key per field of ReconcileSettings (figures quoted).

    Attributes:
      over_invoice_abs, over_invoice_pct, no_po_threshold, po_match_days, bank_match_days,
      stale_days: see :class:`prodlib.reconcile.findings.ReconcileSettings`.
    """

    over_invoice_abs: Figure = _RS.over_invoice_abs
    over_invoice_pct: Figure = _RS.over_invoice_pct
    no_po_threshold: Figure = _RS.no_po_threshold
    po_match_days: Whole = _RS.po_match_days
    bank_match_days: Whole = _RS.bank_match_days
    stale_days: Whole = _RS.stale_days


def reconcile_settings(block: _Reconcile) -> ReconcileSettings:
    """The settings a ``reconcile:`` block declares (ValueError: a negative figure or count)."""
    return ReconcileSettings(**{f.name: getattr(block, f.name) for f in fields(ReconcileSettings)})


class _Overrides(Strict):
    third_approval_above: Figure = Decimal("25000.00")
    execute_within_hours: Whole = 48


class ProductionFile(Strict):
    """production.yaml as written (see :class:`Production` for what each key means).

    Attributes:
      production_id, title, employer_code, chart, currency, window, principal_photography,
      budget_version, budget, budget_tier, budget_total, states, episodes, rules, medium,
      program_length, reconcile, overrides: the file's keys.
    """

    production_id: Text
    title: Text
    employer_code: Text = ""
    chart: Text = ""
    currency: Text = "USD"
    window: _Window
    principal_photography: IsoDate | None = None
    budget_version: Text = ""
    budget: _Budget = _Budget()
    budget_tier: Text | None = None
    budget_total: Text | None = None
    states: tuple[Text, ...] = ()
    episodes: tuple[_Episode, ...] = ()
    rules: Text | None = None
    medium: Medium | None = None
    program_length: ProgramLength | None = None
    reconcile: _Reconcile = _Reconcile()
    overrides: _Overrides = _Overrides()

    @field_validator("budget_total", mode="before")
    @classmethod
    def _quoted_total(cls, value: Any) -> Any:
        refuse_number(value, "amounts")
        return value


def budget_tier_of(path: str | Path, doc: dict[str, Any]) -> tuple[str | None, Decimal | None]:
    """(budget tier, budget total) from production.yaml's ``budget_tier`` and/or ``budget_total``.

    The tier names and the $5,000,000 line are rule data (data/rules/scale_minimums.yaml). Neither
    declared gives (None, None): never a default tier. A bad value, or a tier its total contradicts,
    is an :class:`InputError` naming the field.
    """
    scale = load_scale()
    total: Decimal | None = None
    raw_total = doc.get("budget_total")
    if raw_total is not None and raw_total != "":
        try:
            total = parse_money(str(raw_total))
        except MoneyFormatError:
            raise ConfigError(path, f"{shown(raw_total)} is not an amount (e.g. \"4500000.00\")",
                              field="budget_total") from None
        if total < 0:
            raise ConfigError(path, f"{shown(raw_total)} is negative", field="budget_total")
    raw_tier = doc.get("budget_tier")
    tier: str | None = None
    if raw_tier is not None and raw_tier != "":
        tier = str(raw_tier).strip().lower()
        if tier not in scale.tier_names:
            raise ConfigError(path, f"{shown(raw_tier)} is not one of {', '.join(scale.tier_names)}",
                              field="budget_tier")
    if total is not None:
        derived = scale.tier_for(total)
        if tier is not None and tier != derived:
            raise ConfigError(path, f"{tier!r} contradicts budget_total {total} (a {derived}-budget production)",
                              field="budget_tier")
        tier = derived
    return tier, total


def load_production(path: Path) -> Production:
    """Parse production.yaml strictly; every mistake is a :class:`ConfigError` naming file, line and key.

    ``chart:`` is resolved here, once: a path relative to production.yaml's folder becomes absolute,
    so that no caller (pipeline, reports, notebooks running elsewhere) needs to know the folder.
    """
    path = Path(path)
    doc, located = load_model(path, ProductionFile)
    for key in ("production_id", "title"):
        if not getattr(doc, key).strip():
            raise located.error("is required", (key,), ProductionFile)
    if doc.window.end < doc.window.start:
        raise located.error(f"window ends ({doc.window.end}) before it starts ({doc.window.start})",
                            ("window",), ProductionFile)
    try:
        budget_tier, budget_total = budget_tier_of(path, {"budget_tier": doc.budget_tier,
                                                          "budget_total": doc.budget_total})
    except ConfigError as exc:  # the same error, with the line of its key
        raise located.error(exc.message, (exc.field or "",), ProductionFile) from None
    if doc.episodes and doc.medium is None:
        raise located.error("a production with episodes must say its medium (medium: television, or theatrical): "
                            "SAG-AFTRA's television rates and per-episode ceilings are not the theatrical ones",
                            ("episodes",), ProductionFile)
    medium = doc.medium or "theatrical"
    if medium != "television" and (doc.program_length or any(e.program_length for e in doc.episodes)):
        raise located.error("program lengths are television's: say medium: television", ("program_length",)
                            if doc.program_length else ("episodes",), ProductionFile)
    chart = chart_location(doc.chart, path.parent)
    if not chart_file(chart).is_file():
        if doc.chart:
            raise located.error(f"chart {shown(doc.chart)} not found (a shipped chart's name, or a file relative "
                                "to this file's folder)", ("chart",), ProductionFile)
        raise ConfigError("$PRODLIB_CHART", f"chart {shown(chart)} not found")
    get_chart(chart)  # a broken chart stops here, before anything is read or posted
    rules = None
    if doc.rules:
        folder = (path.parent / doc.rules).resolve()
        if not folder.is_dir():
            raise located.error(f"rules folder {shown(doc.rules)} not found (a folder relative to this file's folder)",
                                ("rules",), ProductionFile)
        rules = str(folder)
    try:
        settings = reconcile_settings(doc.reconcile)
    except ValueError as exc:  # a negative tolerance, threshold or day count
        name = str(exc).split(" ", 1)[0]
        raise located.error(str(exc), ("reconcile", name), ProductionFile) from None
    o = doc.overrides
    if o.third_approval_above < 0 or o.third_approval_above != o.third_approval_above.quantize(Decimal("0.01")):
        raise located.error(f"{o.third_approval_above} is not an amount in cents (e.g. \"25000.00\")",
                            ("overrides", "third_approval_above"), ProductionFile)
    if o.execute_within_hours < 1:
        raise located.error("must be at least 1 hour", ("overrides", "execute_within_hours"), ProductionFile)
    return Production(
        production_id=doc.production_id,
        title=doc.title,
        employer_code=doc.employer_code,
        chart=chart,
        currency=doc.currency,
        window_start=doc.window.start,
        window_end=doc.window.end,
        pp_date=doc.principal_photography,
        budget_version=doc.budget.version or doc.budget_version,
        budget_locked_on=doc.budget.locked_on,
        budget_author=doc.budget.author,
        states=doc.states,
        episodes=tuple(Episode(e.id, e.pp_date, e.program_length) for e in doc.episodes),
        budget_tier=budget_tier,
        budget_total=budget_total,
        rules=rules,
        medium=medium,
        program_length=doc.program_length,
        reconcile=settings,
        overrides=OverridePolicy(o.third_approval_above, o.execute_within_hours),
    )


def production_document(production: Production) -> dict[str, Any]:
    """``production`` as production.yaml's mapping: what :func:`load_production` reads back equal."""
    doc: dict[str, Any] = {
        "production_id": production.production_id,
        "title": production.title,
        "employer_code": production.employer_code,
        "chart": production.chart,
        "currency": production.currency,
        "window": {"start": production.window_start, "end": production.window_end},
        "principal_photography": production.pp_date,
        "medium": production.medium,
    }
    if production.program_length is not None:
        doc["program_length"] = production.program_length
    if production.budget_tier is not None:
        doc["budget_tier"] = production.budget_tier
    if production.budget_total is not None:
        doc["budget_total"] = str(production.budget_total)
    doc["budget_version"] = production.budget_version
    doc["budget"] = {"version": production.budget_version, "locked_on": production.budget_locked_on,
                     "author": production.budget_author}
    doc["states"] = list(production.states)
    doc["episodes"] = [{"id": e.id, "pp_date": e.pp_date,
                        **({"program_length": e.program_length} if e.program_length else {})}
                       for e in production.episodes]
    if production.rules is not None:
        doc["rules"] = production.rules
    rs = production.reconcile
    doc["reconcile"] = {f.name: (str(getattr(rs, f.name)) if isinstance(getattr(rs, f.name), Decimal)
                                 else getattr(rs, f.name)) for f in fields(ReconcileSettings)}
    if production.overrides != OverridePolicy():
        doc["overrides"] = {"third_approval_above": str(production.overrides.third_approval_above),
                            "execute_within_hours": production.overrides.execute_within_hours}
    return doc


def write_production(production: Production, path: Path) -> Path:
    """Write production.yaml for ``production`` (the sample uses this, never a raw dict).

    A chart file inside the destination folder is written relative to it, so the folder can move.
    """
    doc = production_document(production)
    chart = Path(production.chart)
    if chart.is_absolute() and chart.is_relative_to(path.parent.resolve()):
        doc["chart"] = chart.relative_to(path.parent.resolve()).as_posix()
    rules = Path(production.rules) if production.rules else None
    if rules is not None and rules.is_absolute() and rules.is_relative_to(path.parent.resolve()):
        doc["rules"] = rules.relative_to(path.parent.resolve()).as_posix()
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path

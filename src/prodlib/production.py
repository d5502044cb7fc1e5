"""The production: the one model of ``production.yaml`` that every rule, engine and report reads.

A production's facts (its window, PP dates, employer code, budget version, WGA budget tier, chart)
are parsed once, here, into the frozen :class:`Production`; nothing else reads production.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from prodlib.errors import InputError
from prodlib.money import MoneyFormatError, parse_money
from prodlib.rules.scale import load_scale


@dataclass(frozen=True)
class Episode:
    """A TV episode with its own principal photography date.

    Attributes:
      id: the episode id as payroll writes it in its ``episode`` column (``E101``).
      pp_date: the date its principal photography began; picks its SAG-AFTRA rates.
    """

    id: str
    pp_date: date | None


@dataclass(frozen=True)
class Production:
    """The production's facts that rules, fringes and reports depend on.

    Attributes:
      production_id: the production's stable id (the ledger's tenant key).
      title: the title, as reports and remittance files print it.
      employer_code: the signatory's code, as the guild trust funds know it.
      chart: the chart of accounts: a shipped chart's name or a path (resolved against production.yaml).
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

    def pp_date_for(self, episode: str | None) -> date | None:
        """The PP date that prices a line: its episode's when the production has episodes."""
        if episode and self.episodes:
            return next((e.pp_date for e in self.episodes if e.id == str(episode)), None)
        return self.pp_date


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                         line=None if mark is None else mark.line + 1) from None


def _date(path: Path, value: Any, name: str, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise InputError(path, "is required", field=name)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(path, f"{value!r} is not a date (YYYY-MM-DD)", field=name) from None


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
            raise InputError(path, f"{raw_total!r} is not an amount (e.g. \"4500000.00\")",
                             field="budget_total") from None
        if total < 0:
            raise InputError(path, f"{raw_total!r} is negative", field="budget_total")
    raw_tier = doc.get("budget_tier")
    tier: str | None = None
    if raw_tier is not None and raw_tier != "":
        tier = str(raw_tier).strip().lower()
        if tier not in scale.tier_names:
            raise InputError(path, f"{raw_tier!r} is not one of {', '.join(scale.tier_names)}", field="budget_tier")
    if total is not None:
        derived = scale.tier_for(total)
        if tier is not None and tier != derived:
            raise InputError(path, f"{tier!r} contradicts budget_total {total} (a {derived}-budget production)",
                             field="budget_tier")
        tier = derived
    return tier, total


def load_production(path: Path) -> Production:
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        raise InputError(path, "expected a mapping of production facts")
    window = doc.get("window") or {}
    budget = doc.get("budget") or {}
    for key in ("production_id", "title"):
        if not doc.get(key):
            raise InputError(path, "is required", field=key)
    start = _date(path, window.get("start"), "window.start")
    end = _date(path, window.get("end"), "window.end")
    assert start is not None and end is not None
    if end < start:
        raise InputError(path, f"window ends ({end}) before it starts ({start})", field="window")
    episodes = tuple(
        Episode(str(e["id"]), _date(path, e.get("pp_date"), f"episodes[{i}].pp_date"))  # type: ignore[arg-type]
        for i, e in enumerate(doc.get("episodes") or [])
    )
    budget_tier, budget_total = budget_tier_of(path, doc)
    return Production(
        production_id=str(doc["production_id"]),
        title=str(doc["title"]),
        employer_code=str(doc.get("employer_code", "")),
        chart=str(doc.get("chart", "feature_us_sample")),
        currency=str(doc.get("currency", "USD")),
        window_start=start,
        window_end=end,
        pp_date=_date(path, doc.get("principal_photography"), "principal_photography", required=False),
        budget_version=str(budget.get("version") or doc.get("budget_version") or ""),
        budget_locked_on=_date(path, budget.get("locked_on"), "budget.locked_on", required=False),
        budget_author=str(budget.get("author", "")),
        states=tuple(str(s) for s in doc.get("states") or ()),
        episodes=episodes,
        budget_tier=budget_tier,
        budget_total=budget_total,
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
    }
    if production.budget_tier is not None:
        doc["budget_tier"] = production.budget_tier
    if production.budget_total is not None:
        doc["budget_total"] = str(production.budget_total)
    doc["budget_version"] = production.budget_version
    doc["budget"] = {"version": production.budget_version, "locked_on": production.budget_locked_on,
                     "author": production.budget_author}
    doc["states"] = list(production.states)
    doc["episodes"] = [{"id": e.id, "pp_date": e.pp_date} for e in production.episodes]
    return doc


def write_production(production: Production, path: Path) -> Path:
    """Write production.yaml for ``production`` (the sample uses this, never a raw dict)."""
    path.write_text(yaml.safe_dump(production_document(production), sort_keys=False), encoding="utf-8")
    return path

"""Where the raw exports are and how to read them: ``sources.yaml`` and ``production.yaml``.

A user points prodlib at real exports by writing one ``sources.yaml`` beside them (see
docs/ARCHITECTURE.md). Every mistake in it is reported as an :class:`InputError` naming the file,
the entry and the field, never as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from prodlib.errors import InputError

KINDS = ("invoice", "purchase_order", "timecard", "payroll", "petty_cash", "bank", "budget")


@dataclass(frozen=True)
class SourceSpec:
    """One raw export and its mapping to a canonical input kind."""

    id: str
    kind: str
    path: Path
    columns: dict[str, str]
    date_format: str = "%Y-%m-%d"
    money_locale: str = "us"
    delimiter: str = ","
    encoding: str = "utf-8"
    constants: dict[str, str] = field(default_factory=dict)
    default_cost_code: str | None = None
    display_path: str = ""  # the path as sources.yaml wrote it: what messages and the quarantine show


@dataclass(frozen=True)
class Episode:
    id: str
    pp_date: date


@dataclass(frozen=True)
class Production:
    """The production's facts that rules depend on (window, PP date, employer, budget version)."""

    production_id: str
    title: str
    employer_code: str
    chart: str
    currency: str
    window_start: date
    window_end: date
    pp_date: date | None
    budget_version: str
    budget_locked_on: date | None = None
    budget_author: str = ""
    states: tuple[str, ...] = ()
    episodes: tuple[Episode, ...] = ()
    budget_tier: str | None = None  # WGA budget tier (low | high), declared or derived from budget_total
    budget_total: Decimal | None = None


@dataclass(frozen=True)
class InputSet:
    root: Path
    production: Production
    sources: tuple[SourceSpec, ...]

    def of_kind(self, kind: str) -> tuple[SourceSpec, ...]:
        return tuple(s for s in self.sources if s.kind == kind)


def _read_yaml(path: Path) -> Any:
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
    from prodlib.money import MoneyFormatError, parse_money
    from prodlib.rules.scale import load_scale  # lazy: prodlib.rules imports this module

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
    doc = _read_yaml(path)
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


def load_input_set(location: str | Path) -> InputSet:
    """Read ``sources.yaml`` (a folder holding one, or the file itself) and its production file."""
    path = Path(location)
    if path.is_dir():
        path = path / "sources.yaml"
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list):
        raise InputError(path, "expected 'sources:' with a list of exports")
    root = path.parent
    production = load_production(root / str(doc.get("production", "production.yaml")))
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(doc["sources"]):
        where = f"sources[{i}]"
        if not isinstance(entry, dict):
            raise InputError(path, "expected a mapping", field=where)
        sid = str(entry.get("id") or "")
        if not sid:
            raise InputError(path, "every source needs an id", field=f"{where}.id")
        if sid in seen:
            raise InputError(path, f"source id {sid!r} is used twice", field=f"{where}.id")
        seen.add(sid)
        kind = entry.get("kind")
        if kind not in KINDS:
            raise InputError(path, f"kind {kind!r} is not one of {', '.join(KINDS)}", field=f"{sid}.kind")
        locale = entry.get("money_locale", "us")
        if locale not in ("us", "eu"):
            raise InputError(path, f"money_locale {locale!r} is not 'us' or 'eu'", field=f"{sid}.money_locale")
        columns = entry.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise InputError(path, "needs 'columns:' mapping canonical names to headers", field=f"{sid}.columns")
        if not entry.get("path"):
            raise InputError(path, "is required", field=f"{sid}.path")
        specs.append(
            SourceSpec(
                id=sid,
                kind=kind,
                path=(root / str(entry["path"])).resolve(),
                display_path=str(entry["path"]),
                columns={str(k): str(v) for k, v in columns.items()},
                date_format=str(entry.get("date_format", "%Y-%m-%d")),
                money_locale=locale,
                delimiter=str(entry.get("delimiter", ",")),
                encoding=str(entry.get("encoding", "utf-8")),
                constants={str(k): str(v) for k, v in (entry.get("constants") or {}).items()},
                default_cost_code=None if entry.get("default_cost_code") is None else str(entry["default_cost_code"]),
            )
        )
    return InputSet(root=root.resolve(), production=production, sources=tuple(specs))

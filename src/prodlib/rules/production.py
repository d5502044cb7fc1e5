"""Production facts the rules need: the PP date(s), the employer code, the title, the states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from prodlib.sources import Production, budget_tier_of


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class ProductionFacts:
    """What production.yaml says that fringes and guild rules depend on.

    ``pp_date`` picks SAG-AFTRA rates (the date principal photography began); a TV episode uses
    its own PP date from ``episodes``. A missing PP date is never guessed: the lines that need it
    are quarantined with MISSING_PP_DATE. ``budget_tier`` (low | high) picks the WGA theatrical
    minimums; None when production.yaml declares neither it nor ``budget_total`` (tiered lines are
    then quarantined with BUDGET_TIER_MISSING, never priced at a default tier).
    """

    production_id: str = ""
    title: str = ""
    employer_code: str = ""
    pp_date: date | None = None
    states: tuple[str, ...] = ()
    episodes: Mapping[str, date | None] = field(default_factory=dict)
    chart: str | None = None
    budget_tier: str | None = None

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any], path: str | Path = "production.yaml") -> ProductionFacts:
        """From production.yaml's parsed mapping (keys per docs/ARCHITECTURE.md); ``path`` names the
        file in an InputError (a bad budget_tier or budget_total)."""
        eps: dict[str, date | None] = {}
        for ep in doc.get("episodes") or []:
            eps[str(ep["id"])] = _as_date(ep.get("pp_date"))
        return cls(
            production_id=str(doc.get("production_id", "")),
            title=str(doc.get("title", "")),
            employer_code=str(doc.get("employer_code", "")),
            pp_date=_as_date(doc.get("principal_photography", doc.get("pp_date"))),
            states=tuple(str(s) for s in (doc.get("states") or [])),
            episodes=eps,
            chart=doc.get("chart"),
            budget_tier=budget_tier_of(path, dict(doc))[0],
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> ProductionFacts:
        return cls.from_mapping(yaml.safe_load(Path(path).read_text(encoding="utf-8")), path)

    def pp_date_for(self, episode: str | None) -> date | None:
        """The PP date that prices a line: its episode's when the production has episodes."""
        if episode and self.episodes:
            return self.episodes.get(str(episode))
        return self.pp_date


def as_facts(production: ProductionFacts | Production | Mapping[str, Any]) -> ProductionFacts:
    """Accept the pipeline's :class:`prodlib.sources.Production`, this dataclass, or production.yaml's mapping."""
    if isinstance(production, ProductionFacts):
        return production
    if isinstance(production, Production):
        return ProductionFacts(
            production_id=production.production_id, title=production.title,
            employer_code=production.employer_code, pp_date=production.pp_date, states=production.states,
            episodes={e.id: e.pp_date for e in production.episodes}, chart=production.chart,
            budget_tier=production.budget_tier,
        )
    return ProductionFacts.from_mapping(production)

"""Scale minimums and where each position may be charged, from ``data/rules/scale_minimums.yaml``.

Some minimums depend on the production's budget tier (WGA theatrical: low under $5,000,000, high at
$5,000,000 and over): such an entry carries ``budget_tier``; an entry without one applies at every
tier. Looking up a tiered minimum without a tier is an error, never a guess: the guild rules
quarantine the line first (BUDGET_TIER_MISSING).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

SCALE_FILE = Path(__file__).resolve().parent.parent / "data" / "rules" / "scale_minimums.yaml"


@dataclass(frozen=True)
class ScaleMinimum:
    union: str
    classification: str
    unit: str  # hour | day | week | flat
    minimum: Decimal
    sections: frozenset[str]
    accounts: frozenset[str]
    effective_from: date
    effective_to: date | None
    budget_tier: str | None = None  # None: applies at every tier
    source: str = ""
    verified: bool = False

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def may_charge(self, section: str, account: str) -> bool:
        return section in self.sections or account in self.accounts


@dataclass(frozen=True)
class BudgetTier:
    name: str
    below: Decimal | None  # the tier holds budgets under this total; None: no upper bound


@dataclass(frozen=True)
class ScaleTable:
    entries: tuple[ScaleMinimum, ...]
    source: str
    verified: bool
    tiers: tuple[BudgetTier, ...] = ()  # ascending by ``below``
    aliases: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (union, classification) -> work type

    def canonical(self, union: str, classification: str) -> str:
        """The classification the entries use (an alias such as WGA "Writer" resolved)."""
        return self.aliases.get((union, classification), classification)

    def _of(self, union: str, classification: str) -> list[ScaleMinimum]:
        cls = self.canonical(union, classification)
        return [e for e in self.entries if e.union == union and e.classification == cls]

    def known(self, union: str, classification: str) -> bool:
        return bool(self._of(union, classification))

    def charge_rule(self, union: str, classification: str) -> ScaleMinimum:
        """An entry of the classification (all of its entries share where it may be charged)."""
        return self._of(union, classification)[0]

    def needs_tier(self, union: str, classification: str, on: date) -> bool:
        """True when the minimum in force on ``on`` depends on the production's budget tier."""
        return any(e.budget_tier is not None and e.in_force(on) for e in self._of(union, classification))

    def lookup(self, union: str, classification: str, on: date, budget_tier: str | None = None) -> ScaleMinimum | None:
        """The minimum in force on ``on`` at ``budget_tier``; None when the classification is unknown or
        none is in force. Raises ValueError when the minimum is tiered and no tier is given."""
        if budget_tier is None and self.needs_tier(union, classification, on):
            raise ValueError(f"the {union}/{classification} minimum on {on} depends on the budget tier; none given")
        hits = [e for e in self._of(union, classification)
                if e.in_force(on) and (e.budget_tier is None or e.budget_tier == budget_tier)]
        if len(hits) > 1:
            raise ValueError(f"two scale minimums for {union}/{classification} on {on} (tier {budget_tier})")
        return hits[0] if hits else None

    @property
    def tier_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    def tier_for(self, budget_total: Decimal) -> str:
        """The budget tier of a production whose total budget is ``budget_total``."""
        for t in self.tiers:
            if t.below is None or budget_total < t.below:
                return t.name
        raise ValueError(f"no budget tier holds {budget_total}")


def _date(v: object) -> date | None:
    if v is None:
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v))


@cache
def load_scale(path: str | None = None) -> ScaleTable:
    p = Path(path or SCALE_FILE)
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    tiers = tuple(BudgetTier(str(t["tier"]), None if t.get("below") is None else Decimal(str(t["below"])))
                  for t in (doc.get("budget_tiers") or {}).get("tiers", []))
    bounds = [t.below for t in tiers[:-1]]
    if (tiers and tiers[-1].below is not None) or None in bounds or bounds != sorted(bounds):  # type: ignore[type-var]
        raise ValueError(f"{p}: budget_tiers must ascend by 'below', the last one open-ended")
    out = []
    for c in doc["classifications"]:
        charge = c.get("charge_to") or {}
        tier = c.get("budget_tier")
        if tier is not None and str(tier) not in {t.name for t in tiers}:
            raise ValueError(f"{p}: {c['classification']}: unknown budget_tier {tier!r}")
        out.append(ScaleMinimum(
            union=str(c["union"]), classification=str(c["classification"]), unit=str(c["unit"]),
            minimum=Decimal(str(c["minimum"])),
            sections=frozenset(charge.get("sections", [])),
            accounts=frozenset(str(a) for a in charge.get("accounts", [])),
            effective_from=_date(c.get("effective_from", doc["effective_from"])),
            effective_to=_date(c.get("effective_to", doc.get("effective_to"))),
            budget_tier=None if tier is None else str(tier),
            source=str(c.get("source", doc["source"])),
            verified=bool(c.get("verified", doc["verified"])),
        ))
        if out[-1].unit not in ("hour", "day", "week", "flat"):
            raise ValueError(f"{p}: {c['classification']}: unknown unit {c['unit']!r}")
    aliases = {(str(a["union"]), str(a["classification"])): str(a["means"]) for a in doc.get("aliases") or []}
    for (union, cls), means in aliases.items():
        if not any(e.union == union and e.classification == means for e in out):
            raise ValueError(f"{p}: alias {union}/{cls} means {means!r}, which has no entry")
        if any(e.union == union and e.classification == cls for e in out):
            raise ValueError(f"{p}: {union}/{cls} is both an alias and a classification")
    return ScaleTable(tuple(out), str(doc["source"]), bool(doc["verified"]), tiers, aliases)

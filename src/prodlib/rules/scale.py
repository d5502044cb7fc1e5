"""Scale minimums and where each position may be charged, from ``data/rules/scale_minimums.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
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

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def may_charge(self, section: str, account: str) -> bool:
        return section in self.sections or account in self.accounts


@dataclass(frozen=True)
class ScaleTable:
    entries: tuple[ScaleMinimum, ...]
    source: str
    verified: bool

    def known(self, union: str, classification: str) -> bool:
        return any(e.union == union and e.classification == classification for e in self.entries)

    def lookup(self, union: str, classification: str, on: date) -> ScaleMinimum | None:
        """The minimum in force on ``on``; None when the classification is unknown or none is in force."""
        hits = [e for e in self.entries if e.union == union and e.classification == classification and e.in_force(on)]
        if len(hits) > 1:
            raise ValueError(f"two scale minimums for {union}/{classification} on {on}")
        return hits[0] if hits else None


def _date(v: object) -> date | None:
    if v is None:
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v))


@cache
def load_scale(path: str | None = None) -> ScaleTable:
    p = Path(path or SCALE_FILE)
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    out = []
    for c in doc["classifications"]:
        charge = c.get("charge_to") or {}
        out.append(ScaleMinimum(
            union=str(c["union"]), classification=str(c["classification"]), unit=str(c["unit"]),
            minimum=Decimal(str(c["minimum"])),
            sections=frozenset(charge.get("sections", [])),
            accounts=frozenset(str(a) for a in charge.get("accounts", [])),
            effective_from=_date(c.get("effective_from", doc["effective_from"])),
            effective_to=_date(c.get("effective_to", doc.get("effective_to"))),
        ))
        if out[-1].unit not in ("hour", "day", "week", "flat"):
            raise ValueError(f"{p}: {c['classification']}: unknown unit {c['unit']!r}")
    return ScaleTable(tuple(out), str(doc["source"]), bool(doc["verified"]))

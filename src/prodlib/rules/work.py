"""Timecard rules (daily overtime bands, 6th/7th day, meals, rest, DGA AD tables) from work_rules.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

WORK_FILE = Path(__file__).resolve().parent.parent / "data" / "rules" / "work_rules.yaml"


@dataclass(frozen=True)
class Band:
    start: Decimal  # hours
    end: Decimal | None
    multiplier: Decimal
    earning_type: str


@dataclass(frozen=True)
class WorkRules:
    hourly_unions: frozenset[str]
    bands: dict[str, tuple[Band, ...]]  # normal | sixth_day | seventh_day
    sixth_day_index: int
    seventh_day_index: int
    meal_within: Decimal
    meal_steps: tuple[Decimal, ...]
    meal_each_further: Decimal
    rest_min: Decimal
    invaded_multiplier: Decimal
    dga_classifications: frozenset[str]
    dga_extended: tuple[tuple[Decimal, Decimal], ...]  # (over_hours, day_fraction)
    dga_turnaround_rest: Decimal
    dga_turnaround_fraction: Decimal
    dga_paid_as: frozenset[str]
    effective_from: date
    source: str
    verified: bool


@cache
def load_work_rules(path: str | None = None) -> WorkRules:
    p = Path(path or WORK_FILE)
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    h = doc["hourly"]
    bands = {
        name: tuple(
            Band(Decimal(b["from"]), None if b["to"] is None else Decimal(b["to"]), Decimal(b["multiplier"]),
                 str(b["earning_type"]))
            for b in rows
        )
        for name, rows in h["bands"].items()
    }
    d = doc["dga_ad"]
    eff = doc["effective_from"]
    return WorkRules(
        hourly_unions=frozenset(h["unions"]), bands=bands,
        sixth_day_index=int(h["sixth_day_index"]), seventh_day_index=int(h["seventh_day_index"]),
        meal_within=Decimal(h["meals"]["within_hours"]),
        meal_steps=tuple(Decimal(x) for x in h["meals"]["penalty_steps"]),
        meal_each_further=Decimal(h["meals"]["penalty_each_further"]),
        rest_min=Decimal(h["rest"]["min_hours"]), invaded_multiplier=Decimal(h["rest"]["invaded_multiplier"]),
        dga_classifications=frozenset(d["classifications"]),
        dga_extended=tuple((Decimal(x["over_hours"]), Decimal(x["day_fraction"])) for x in d["extended_workday"]),
        dga_turnaround_rest=Decimal(d["turnaround"]["min_rest_hours"]),
        dga_turnaround_fraction=Decimal(d["turnaround"]["day_fraction"]),
        dga_paid_as=frozenset(d["paid_as"]),
        effective_from=eff if isinstance(eff, date) else date.fromisoformat(str(eff)),
        source=str(doc["source"]), verified=bool(doc["verified"]),
    )

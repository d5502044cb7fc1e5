"""The generator's outputs as small frozen dataclasses: production facts and the manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from prodlib.rules.scale import load_scale
from prodlib.sample.catalog import SCALES, Scale

GENERATED_BY = "prodlib.sample 0.1"
#: Principal photography of every sample scale: a Monday.
PP_DATE = date(2026, 3, 2)


@dataclass(frozen=True)
class ProductionFacts:
    """What production.yaml says: the window every date must fall in, the PP date, the budget version."""

    production_id: str
    title: str
    employer_code: str
    chart: str
    currency: str
    window_start: date  # prep start
    window_end: date  # wrap
    principal_photography: date
    shoot_end: date  # last shoot day (a Friday)
    budget_version: str
    budget_locked_on: date
    states: tuple[str, ...]
    budget_tier: str  # WGA budget tier (low | high) of the scale's budget_total, per the scale rules

    def to_yaml_dict(self) -> dict[str, Any]:
        return {
            "production_id": self.production_id,
            "title": self.title,
            "employer_code": self.employer_code,
            "chart": self.chart,
            "currency": self.currency,
            "window": {"start": self.window_start, "end": self.window_end},
            "principal_photography": self.principal_photography,
            "budget_tier": self.budget_tier,
            "budget_version": self.budget_version,
            "budget": {"version": self.budget_version, "locked_on": self.budget_locked_on,
                       "author": "Line producer"},
            "states": list(self.states),
            "episodes": [],
        }


def production_facts(scale: str | Scale = "indie") -> ProductionFacts:
    """The sample production's facts for a scale (window = prep start .. wrap, PP on 2026-03-02)."""
    sc = SCALES[scale] if isinstance(scale, str) else scale
    start = PP_DATE - timedelta(weeks=sc.prep_weeks)
    return ProductionFacts(
        production_id=f"SAMPLE-{sc.name.upper()}",
        title=f"The Long Take (sample, {sc.name})",
        employer_code="SAMPLE-EMP-001",
        chart="feature_us_sample",
        currency="USD",
        window_start=start,
        window_end=PP_DATE + timedelta(days=7 * (sc.shoot_weeks + sc.wrap_weeks) - 3),
        principal_photography=PP_DATE,
        shoot_end=PP_DATE + timedelta(days=7 * sc.shoot_weeks - 3),
        budget_version="BV-1-LOCKED",
        budget_locked_on=start - timedelta(days=3),
        states=("CA",),
        budget_tier=load_scale().tier_for(Decimal(sc.budget_total)),
    )


@dataclass(frozen=True)
class FileInfo:
    source_id: str
    kind: str
    rows: int  # data rows (the header not counted)


@dataclass(frozen=True)
class Fault:
    """One injected fault: one row, one problem, the reason the pipeline must give it."""

    source_id: str
    file: str  # relative to the output folder, as in sources.yaml
    line: int  # physical line: header = 1, first data row = 2
    fault: str  # lowercase reason name, e.g. "malformed_amount"
    reason: str  # a prodlib.reasons.Reason value
    field: str  # canonical column at fault ("" when the row as a whole is)


@dataclass(frozen=True)
class Manifest:
    """What was generated (manifest.json): every file with its row count and every injected fault."""

    seed: int
    scale: str
    invoice_lines: int
    generated_by: str
    files: dict[str, FileInfo]
    faults: tuple[Fault, ...]
    fault_rates: dict[str, dict[str, float]]

    def fault_counts(self) -> dict[tuple[str, str], int]:
        """(kind, fault) -> number of rows, for reports and tests."""
        out: dict[tuple[str, str], int] = {}
        for f in self.faults:
            key = (self.files[f.file].kind, f.fault)
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "scale": self.scale,
            "invoice_lines": self.invoice_lines,
            "generated_by": self.generated_by,
            "files": {k: {"source_id": v.source_id, "kind": v.kind, "rows": v.rows} for k, v in self.files.items()},
            "fault_rates": self.fault_rates,
            "faults": [
                {"source_id": f.source_id, "file": f.file, "line": f.line, "fault": f.fault,
                 "reason": f.reason, "field": f.field}
                for f in self.faults
            ],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            seed=doc["seed"], scale=doc["scale"], invoice_lines=doc["invoice_lines"],
            generated_by=doc["generated_by"],
            files={k: FileInfo(**v) for k, v in doc["files"].items()},
            faults=tuple(Fault(**f) for f in doc["faults"]),
            fault_rates=doc["fault_rates"],
        )

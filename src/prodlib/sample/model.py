"""The generator's outputs as small frozen dataclasses: the sample production and the manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from prodlib.production import Production
from prodlib.rules import load_scale
from prodlib.sample.catalog import PP_DATE, SCALES, Scale

GENERATED_BY = "prodlib.sample 0.1"


@dataclass(frozen=True)
class SampleProduction:
    """The production the sample generates: production.yaml's facts plus the shoot only the generator plans.

    Attributes:
      production: what production.yaml says (the one model, :class:`prodlib.production.Production`).
      scale: how big the sample is (weeks, head counts, volumes).
      shoot_end: the last shoot day (a Friday); production.yaml does not carry it.
    """

    production: Production
    scale: Scale
    shoot_end: date


def sample_production(scale: str | Scale = "indie") -> SampleProduction:
    """The sample production of a scale: window = prep start .. wrap, PP on 2026-03-02, WGA tier of its budget."""
    sc = SCALES[scale] if isinstance(scale, str) else scale
    start = PP_DATE - timedelta(weeks=sc.prep_weeks)
    production = Production(
        production_id=f"SAMPLE-{sc.name.upper()}",
        title=f"The Long Take (sample, {sc.name})",
        employer_code="SAMPLE-EMP-001",
        chart="feature_us_sample",
        currency="USD",
        window_start=start,
        window_end=PP_DATE + timedelta(days=7 * (sc.shoot_weeks + sc.wrap_weeks) - 3),
        pp_date=PP_DATE,
        budget_version="BV-1-LOCKED",
        budget_locked_on=start - timedelta(days=3),
        budget_author="Line producer",
        states=("CA",),
        # The tier of the scale's target budget; budget_total stays undeclared: the written budget's
        # total is near the target, not equal to it.
        budget_tier=load_scale().tier_for(Decimal(sc.budget_total)),
    )
    return SampleProduction(production, sc, PP_DATE + timedelta(days=7 * sc.shoot_weeks - 3))


def production_facts(scale: str | Scale = "indie") -> Production:
    """What the sample's production.yaml says for a scale, without writing it."""
    return sample_production(scale).production


@dataclass(frozen=True)
class FileInfo:
    """One written export.

    Attributes:
      source_id: its sources.yaml id.
      kind: its input kind (invoice, payroll, ...).
      rows: data rows (the header not counted).
    """

    source_id: str
    kind: str
    rows: int


@dataclass(frozen=True)
class Fault:
    """One injected fault: one row, one problem, the reason the pipeline must give it.

    Attributes:
      source_id: the export's sources.yaml id.
      file: relative to the output folder, as in sources.yaml.
      line: physical line: header = 1, first data row = 2.
      fault: lowercase reason name, e.g. "malformed_amount".
      reason: the :class:`prodlib.reasons.Reason` value the pipeline must give the row.
      field: canonical column at fault ("" when the row as a whole is).
    """

    source_id: str
    file: str
    line: int
    fault: str
    reason: str
    field: str


@dataclass(frozen=True)
class ExpectedFinding:
    """One injected cash fault: a row that posts (or is accepted) but that the nightly reconciliation
    must report (``prodlib.reconcile``), with the finding it must give.

    Attributes:
      source_id, file, line: the row, as in :class:`Fault`.
      fault: lowercase fault name, e.g. "bank_service_charge".
      reason: the :class:`prodlib.reasons.Reason` value of the finding.
      document: the document the finding must name, as a ``Finding.documents`` entry ("bank <id>",
        "envelope PC-0003").
    """

    source_id: str
    file: str
    line: int
    fault: str
    reason: str
    document: str


@dataclass(frozen=True)
class Manifest:
    """What was generated (manifest.json): every file with its row count and every injected fault.

    Attributes:
      seed, scale, invoice_lines: the arguments that generated it (same arguments, same bytes).
      generated_by: the generator's name and version.
      files: relative path -> the export written there.
      faults: every injected fault, by file and line.
      fault_rates: the rates used, per input kind and fault.
      findings: every injected fault the nightly reconciliation must find (cash, petty cash, timecards).
    """

    seed: int
    scale: str
    invoice_lines: int
    generated_by: str
    files: dict[str, FileInfo]
    faults: tuple[Fault, ...]
    fault_rates: dict[str, dict[str, float]]
    findings: tuple[ExpectedFinding, ...] = ()

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
            "findings": [
                {"source_id": f.source_id, "file": f.file, "line": f.line, "fault": f.fault, "reason": f.reason,
                 "document": f.document}
                for f in self.findings
            ],
        }

    @classmethod
    def read(cls, path: Path) -> Manifest:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            seed=doc["seed"], scale=doc["scale"], invoice_lines=doc["invoice_lines"],
            generated_by=doc["generated_by"],
            files={k: FileInfo(**v) for k, v in doc["files"].items()},
            faults=tuple(Fault(**f) for f in doc["faults"]),
            fault_rates=doc["fault_rates"],
            findings=tuple(ExpectedFinding(**f) for f in doc.get("findings", [])),
        )

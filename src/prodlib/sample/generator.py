"""Generate the sample production: raw exports as real systems write them, plus the mappings.

Every component draws from its own random stream (``SeedSequence(seed, spawn_key=(k,))``), so the
same seed and scale give byte-identical files, and changing the invoice count leaves payroll alone.
Random draws use floats to *pick* values; every amount that lands in a file is an integer number of
cents, and payroll amounts are computed exactly (integer half-up, equal to ``money.round_cents``).
Each concern is its own module: people (roster, timecards, payroll), invoices, purchases (POs,
petty cash), budget, bank, faults (every kind's injected faults), writers (every file).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from prodlib.sample import people
from prodlib.sample.bank import bank
from prodlib.sample.budget import locked_budget, write_budget
from prodlib.sample.catalog import FAULT_RATES, SCALES
from prodlib.sample.faults import payroll_faults
from prodlib.sample.invoices import invoices
from prodlib.sample.model import GENERATED_BY, Manifest, sample_production
from prodlib.sample.purchases import petty_cash, purchase_orders
from prodlib.sample.writers import ExportFolder, write_manifest, write_production, write_roles, write_sources
from prodlib.taxonomy import get_chart

#: Random stream of each component (8: payroll faults, 9: timecard faults). The bank feed (7) draws
#: nothing; its number stays reserved so that no other stream moves.
STREAMS = {"roster": 1, "work": 2, "budget": 3, "invoices": 4, "po": 5, "petty": 6, "bank": 7, "pfaults": 8,
           "tfaults": 9}


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAMS[stream],)))


def _rates(overrides: dict[str, float] | None) -> dict[str, dict[str, float]]:
    rates = {kind: dict(r) for kind, r in FAULT_RATES.items()}
    for name, value in (overrides or {}).items():
        hit = False
        for r in rates.values():
            if name in r:
                r[name] = float(value)  # float-ok: a fault rate, not an amount
                hit = True
        if not hit:
            raise ValueError(f"unknown fault {name!r}")
    return rates


def generate(out_dir: Path | str, scale: str = "indie", seed: int = 7, invoice_lines: int | None = None,
             fault_rates: dict[str, float] | None = None) -> Manifest:
    """Write the sample production under ``out_dir`` and return its manifest (also manifest.json).

    A folder holding an earlier sample (it has a manifest.json) is cleared first.

    ``scale`` names a row of :data:`SCALES`; ``invoice_lines`` overrides its invoice row count;
    ``fault_rates`` overrides default rates by fault name (e.g. ``{"malformed_amount": 0.01}``).
    Same arguments, same bytes.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    sp = sample_production(scale)
    n_inv = sp.scale.invoice_lines if invoice_lines is None else int(invoice_lines)
    rates = _rates(fault_rates)
    root = Path(out_dir)
    if (root / "manifest.json").exists():  # a previous sample: clear it so no stale file survives
        for sub in ("budget", "invoices", "purchase_orders", "timecards", "payroll", "petty_cash", "bank"):
            shutil.rmtree(root / sub, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    out = ExportFolder(root)
    chart = get_chart(sp.production.chart)

    roster = people.roster(_rng(seed, "roster"), sp)
    tc, pay = people.work(_rng(seed, "work"), sp, roster)
    pay = payroll_faults(_rng(seed, "pfaults"), sp, roster, pay, rates["payroll"])
    budget = locked_budget(_rng(seed, "budget"), chart, sp.scale, pay)
    write_budget(out, chart, sp, budget)
    inv = invoices(_rng(seed, "invoices"), out, chart, sp, n_inv, budget, rates["invoice"])
    purchase_orders(_rng(seed, "po"), out, chart, sp, inv, rates["purchase_order"])
    people.write_people(out, _rng(seed, "tfaults"), roster, tc, pay, rates)
    petty = petty_cash(_rng(seed, "petty"), out, chart, sp, roster, rates["petty_cash"])
    bank(out, sp, inv, pay, petty, roster)

    write_production(root, sp.production)
    write_sources(root, out.sources)
    write_roles(root, sp.production.production_id)
    manifest = Manifest(
        seed=seed, scale=scale, invoice_lines=n_inv, generated_by=GENERATED_BY,
        files=dict(sorted(out.files.items())),
        faults=tuple(sorted(out.faults, key=lambda f: (f.file, f.line))),
        fault_rates=rates,
        findings=tuple(sorted(out.findings, key=lambda f: (f.file, f.line))),
    )
    write_manifest(root, manifest)
    return manifest

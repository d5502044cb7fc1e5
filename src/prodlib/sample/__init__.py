"""prodlib.sample: a realistic, deterministic sample production to run the whole pipeline on.

``generate(out_dir, scale="indie", seed=7, invoice_lines=None)`` writes raw exports the way real
systems write them (three-plus invoice formats, a European vendor, a payroll register, weekly
timecards, a PO register, petty cash envelopes, a bank feed and the locked budget), the
``sources.yaml`` and ``production.yaml`` that map them, and ``manifest.json`` listing every injected
fault with its file, physical line, field and expected :class:`prodlib.reasons.Reason`.

Scales (:data:`SCALES`): "indie" (about 400 invoice lines, 2-week shoot, ~16 crew), "feature"
(40,000 lines), "studio" (1,000,000 lines). Fault rates (:data:`FAULT_RATES`) are per input kind,
0.1-0.5% of rows per fault, with at least one row of every fault at every scale.
"""

from prodlib.sample.catalog import FAULT_RATES, ROLES, SCALES, STYLES, VENDORS, Scale
from prodlib.sample.generator import generate
from prodlib.sample.model import PP_DATE, Fault, FileInfo, Manifest, ProductionFacts, production_facts

__all__ = [
    "FAULT_RATES", "PP_DATE", "ROLES", "SCALES", "STYLES", "VENDORS", "Fault", "FileInfo", "Manifest",
    "ProductionFacts", "Scale", "generate", "production_facts",
]

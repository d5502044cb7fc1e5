"""prodlib.sample: a realistic, deterministic sample production to run the whole pipeline on.

``generate(out_dir, scale="indie", seed=7, invoice_lines=None, fault_rates=None) -> Manifest`` writes
raw exports the way real systems write them, the ``sources.yaml`` and ``production.yaml`` that map
them (docs/ARCHITECTURE.md), and ``manifest.json``: every injected fault with its file, physical
line (header = 1), canonical field and expected :class:`prodlib.reasons.Reason`. Same seed and
scale, same bytes. ``production_facts(scale)`` gives production.yaml's facts (the one model,
:class:`prodlib.production.Production`) without writing; ``sample_production(scale)`` adds the shoot
dates only the generator needs (:class:`SampleProduction`).

Scales (:data:`SCALES`; ``invoice_lines`` overrides the count):

=========  =============  =======  ==========================  ================
scale      invoice lines  vendors  prep / shoot / wrap weeks   budget (target)
=========  =============  =======  ==========================  ================
indie      400            4        2 / 2 / 4  (~16 crew)       $1.5M
feature    40,000         12       8 / 8 / 9                   $35M
studio     1,000,000      24       8 / 16 / 14                 $150M
=========  =============  =======  ==========================  ================

Faults (:data:`FAULT_RATES`, share of each input kind's rows, at least one row of each at every
scale; one fault per row; duplicates are extra rows, the second occurrence is the fault):

- invoice: unknown_cost_code .2%, ambiguous_cost_code .1%, malformed_amount .2%, missing_field .2%
  (invoice number, date or amount blank), duplicate_invoice .2%, date_out_of_window .1% (a year
  off), malformed_date .1%.
- purchase_order, petty_cash: the same without duplicates, .5% each (POs: only on POs no invoice
  references).
- timecard: missing_field (call or wrap blank), malformed_date, malformed_value (a bad time), .2% each.
- payroll: below_scale (80% of the scale minimum), overtime_underpaid (OT_1_5 paid at 1.0x),
  misclassified_position (performer on a crew account or crew on 1400-01), unknown_classification,
  .2% each; negative_gross .1% (a voided weekly DGA check in a wrap week, the person's only line).
- budget and bank feed: none.

What ingest must know (all of it is declared in sources.yaml, nothing is to be guessed):

- Invoice styles: us_dollar (``%m/%d/%Y``, ``$1,234.56`` / ``-$1,234.56``, codes ``2100-01``, CRLF),
  plain_iso (``%Y-%m-%d``, ``1234.5`` with trailing zeros dropped / ``-1234.5``, codes ``2100.01``, LF),
  excel_dmy (``%d-%b-%y`` with an unpadded day ``4-Mar-26``, ``1,234.56`` / ``(1,234.56)``, codes
  ``210001``, UTF-8 with BOM = encoding ``utf-8-sig``, CRLF), eu (``;``, ``%d.%m.%Y``, ``1.234,56``,
  encoding ``cp1252`` with umlauts and en dashes in descriptions, CRLF). Fields are quoted only when
  needed. Unmapped extra columns ("Terms", "Waehrung") are present. Descriptions of credits start
  "Credit: ". One row per invoice; monthly vendors send one file per month (invoices/<slug>/...).
- Lines without a cost code: vendors with ``default_cost_code`` in sources.yaml (Acme), or
  keyword-rule descriptions ("Catering lunch 25 ppl"), each matching exactly one chart rule.
- Duplicates sit in the same file as their original, later in it.
- Timecards: weekly files, ``%Y-%m-%d``, times ``HH:MM`` counted past midnight ("25:30", even meals);
  meal 2 columns blank when there was no second meal.
- Payroll register: ``%m/%d/%Y``; ``Rate`` with 4 decimals is the BASE rate in the rate card's unit
  (hour, day, week, flat) and amount = round_cents(hours * rate * multiplier of the earning type);
  ``Hours`` blank (FLAT, PER_DIEM, KIT_RENTAL, MILEAGE) means one unit: amount = rate. Negative
  amounts are "-6500.00". Periods end on Saturdays; weekly and flat lines have no work date.
- Petty cash: ``%m/%d/%y`` (two-digit year), plain ``12.50``.
- PO register: ``%m/%d/%Y``, ``2,300.00``; statuses lowercase approved/draft/cancelled/closed.
- Bank feed: ``%Y%m%d`` dates, money out written with a TRAILING minus ("1234.56-"), an extra
  "Running Balance" column. Budget: ``1234.00``, whole dollars.
"""

from prodlib.sample.catalog import FAULT_RATES, PP_DATE, ROLES, SCALES, STYLES, VENDORS, Scale
from prodlib.sample.generator import generate
from prodlib.sample.model import Fault, FileInfo, Manifest, SampleProduction, production_facts, sample_production

__all__ = [
    "FAULT_RATES", "PP_DATE", "ROLES", "SCALES", "STYLES", "VENDORS", "Fault", "FileInfo", "Manifest",
    "SampleProduction", "Scale", "generate", "production_facts", "sample_production",
]

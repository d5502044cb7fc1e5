"""Quarantine reason codes: the one vocabulary for why a row did not reach the ledger.

Every stage (ingest, classify, validate, guild rules, fringes) quarantines with one of these.
Add a code here, with its description, before using it anywhere.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # ingest / schema
    MISSING_FIELD = "MISSING_FIELD"
    MALFORMED_AMOUNT = "MALFORMED_AMOUNT"
    MALFORMED_DATE = "MALFORMED_DATE"
    MALFORMED_VALUE = "MALFORMED_VALUE"
    SCHEMA_VIOLATION = "SCHEMA_VIOLATION"
    # classification
    UNKNOWN_COST_CODE = "UNKNOWN_COST_CODE"
    AMBIGUOUS_COST_CODE = "AMBIGUOUS_COST_CODE"
    MISSING_COST_CODE = "MISSING_COST_CODE"
    # business rules
    DUPLICATE_INVOICE = "DUPLICATE_INVOICE"
    DATE_OUT_OF_WINDOW = "DATE_OUT_OF_WINDOW"
    # payroll and guild rules
    BELOW_SCALE = "BELOW_SCALE"
    OVERTIME_UNDERPAID = "OVERTIME_UNDERPAID"
    MEAL_PENALTY_UNPAID = "MEAL_PENALTY_UNPAID"
    MISCLASSIFIED_POSITION = "MISCLASSIFIED_POSITION"
    UNKNOWN_CLASSIFICATION = "UNKNOWN_CLASSIFICATION"
    NEGATIVE_GROSS = "NEGATIVE_GROSS"
    MISSING_PP_DATE = "MISSING_PP_DATE"
    NO_SCHEDULE_IN_FORCE = "NO_SCHEDULE_IN_FORCE"
    BUDGET_TIER_MISSING = "BUDGET_TIER_MISSING"
    INVADED_REST = "INVADED_REST"
    SIXTH_SEVENTH_DAY_UNPAID = "SIXTH_SEVENTH_DAY_UNPAID"
    DGA_EXTENDED_WORKDAY_UNPAID = "DGA_EXTENDED_WORKDAY_UNPAID"
    DGA_TURNAROUND_UNPAID = "DGA_TURNAROUND_UNPAID"
    # fringe pricing (prodlib.checks.priceable): what the fringe engines would otherwise refuse
    NO_HOURLY_SCALE = "NO_HOURLY_SCALE"
    # ingest: currency, bounds and file structure (issue 8)
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    AMOUNT_OUT_OF_BOUNDS = "AMOUNT_OUT_OF_BOUNDS"
    MALFORMED_FILE_REGION = "MALFORMED_FILE_REGION"
    # reconciliation findings (prodlib.reconcile): what the nightly reconciliation finds in rows that
    # posted; not quarantine reasons of the pipeline, but the same vocabulary
    OVER_INVOICED = "OVER_INVOICED"
    INVOICE_WITHOUT_PO = "INVOICE_WITHOUT_PO"
    INVOICE_PO_UNKNOWN = "INVOICE_PO_UNKNOWN"
    INVOICE_PO_NOT_APPROVED = "INVOICE_PO_NOT_APPROVED"
    INVOICE_PO_CLOSED = "INVOICE_PO_CLOSED"
    PO_RELIEVED_STILL_OPEN = "PO_RELIEVED_STILL_OPEN"
    PO_RELIEF_UNRECORDED = "PO_RELIEF_UNRECORDED"
    LIKELY_DUPLICATE_INVOICE = "LIKELY_DUPLICATE_INVOICE"
    BANK_ONLY_ITEM = "BANK_ONLY_ITEM"
    STALE_BOOK_ITEM = "STALE_BOOK_ITEM"
    CASH_AMOUNT_MISMATCH = "CASH_AMOUNT_MISMATCH"
    ENVELOPE_UNBALANCED = "ENVELOPE_UNBALANCED"
    # --- helper "night" (issue 10 items 1-5): timecards vs payroll vs rates (prodlib.reconcile.timecards)
    TIMECARD_WITHOUT_PAY = "TIMECARD_WITHOUT_PAY"
    PAY_WITHOUT_TIMECARD = "PAY_WITHOUT_TIMECARD"
    GROSS_NOT_TIMECARD = "GROSS_NOT_TIMECARD"
    # --- end of helper "night"'s block
    # foreign currency (issue 9)
    FX_RATE_MISSING = "FX_RATE_MISSING"
    # data faults accepted before issue 8 (prodlib.checks: one rule module each)
    NEGATIVE_HOURS = "NEGATIVE_HOURS"
    AMOUNT_NOT_HOURS_TIMES_RATE = "AMOUNT_NOT_HOURS_TIMES_RATE"
    TIMECARD_UNREADABLE = "TIMECARD_UNREADABLE"
    TIMECARD_QUARANTINED = "TIMECARD_QUARANTINED"
    IMPOSSIBLE_TIMECARD = "IMPOSSIBLE_TIMECARD"
    DUPLICATE_RECEIPT = "DUPLICATE_RECEIPT"
    DUPLICATE_BANK_TRANSACTION = "DUPLICATE_BANK_TRANSACTION"
    DUPLICATE_BUDGET_LINE = "DUPLICATE_BUDGET_LINE"
    # rules9 (issue 9 item 6): a flat deal whose amount the register does not give
    DEAL_AMOUNT_MISSING = "DEAL_AMOUNT_MISSING"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


DESCRIPTIONS: dict[Reason, str] = {
    # rules9 (issue 9 item 6)
    Reason.DEAL_AMOUNT_MISSING: (
        "installments of a flat deal (WGA) add up to less than the scale minimum and the register gives no "
        "deal_amount (nor a rate): the deal cannot be compared with scale; declare the deal's amount"
    ),
    Reason.MISSING_FIELD: "a required field is empty",
    Reason.MALFORMED_AMOUNT: "an amount is not money in the source's declared format",
    Reason.MALFORMED_DATE: "a date does not match the source's declared format",
    Reason.MALFORMED_VALUE: "a value is not of its field's type",
    Reason.SCHEMA_VIOLATION: "the row breaks an expectation of its input kind's suite",
    Reason.UNKNOWN_COST_CODE: "the cost code is not in the chart of accounts",
    Reason.AMBIGUOUS_COST_CODE: "the cost code or description could mean more than one detail code",
    Reason.MISSING_COST_CODE: "no cost code, no vendor default and no keyword rule",
    Reason.DUPLICATE_INVOICE: "the vendor's invoice number was already seen",
    Reason.DATE_OUT_OF_WINDOW: "the date falls outside the production's window",
    Reason.BELOW_SCALE: "a rate is below the guild scale minimum for the classification",
    Reason.OVERTIME_UNDERPAID: "overtime recomputed from the timecard exceeds what was paid",
    Reason.MEAL_PENALTY_UNPAID: "a meal penalty is due by the timecard and was not paid",
    Reason.MISCLASSIFIED_POSITION: "the position is charged to an account of the wrong kind",
    Reason.UNKNOWN_CLASSIFICATION: "the union classification is not in the rules",
    Reason.NEGATIVE_GROSS: "gross earnings are negative",
    Reason.MISSING_PP_DATE: "no principal photography date to pick the rate schedule",
    Reason.NO_SCHEDULE_IN_FORCE: "no rate schedule is in force on the date",
    Reason.BUDGET_TIER_MISSING: (
        "the scale minimum depends on the budget tier (WGA low/high) and production.yaml declares neither "
        "budget_tier nor budget_total"
    ),
    Reason.INVADED_REST: (
        "the rest period before the day was invaded and the invaded hours were not paid at the premium"
    ),
    Reason.SIXTH_SEVENTH_DAY_UNPAID: "the 6th or 7th day worked in the workweek was not paid its premium",
    Reason.DGA_EXTENDED_WORKDAY_UNPAID: "a DGA assistant director's extended workday payment is due and was not paid",
    Reason.DGA_TURNAROUND_UNPAID: "a DGA assistant director's short turnaround payment is due and was not paid",
    # fringe pricing
    Reason.NO_HOURLY_SCALE: (
        "a percent-of-scale fringe is levied on the hourly scale, and the classification has no hourly scale "
        "minimum (or no multiplier for the earning type) on the rate's date"
    ),
    # ingest: currency, bounds and file structure (issue 8)
    Reason.CURRENCY_MISMATCH: "a value carries the sign or code of a currency that is not the source's",
    Reason.AMOUNT_OUT_OF_BOUNDS: (
        "an amount is beyond the bound every line must keep (prodlib.money.AMOUNT_BOUND) so that no total overflows"
    ),
    Reason.MALFORMED_FILE_REGION: (
        "a region of the file's lines does not parse as records (an unclosed quote, say); the detail names its "
        "line range and reading resumed at the next line that is a full record"
    ),
    # reconciliation findings
    Reason.OVER_INVOICED: "invoiced against a PO beyond its amount by more than the production's tolerance",
    Reason.INVOICE_WITHOUT_PO: "an invoice above the production's PO threshold matches no purchase order",
    Reason.INVOICE_PO_UNKNOWN: "an invoice line names a PO number the PO register does not hold",
    Reason.INVOICE_PO_NOT_APPROVED: "an invoice line is charged to a draft or cancelled PO",
    Reason.INVOICE_PO_CLOSED: "an invoice line dated after its PO was closed",
    Reason.PO_RELIEVED_STILL_OPEN: "a PO fully relieved by its invoices is still approved (open)",
    Reason.PO_RELIEF_UNRECORDED: (
        "an invoice line carries no PO number and was matched to a PO by vendor, cost code and amount: the PO is "
        "relieved by the match (never counted as actual and open commitment both); the invoice should name it"
    ),
    Reason.LIKELY_DUPLICATE_INVOICE: (
        "an invoice the exact-number check let through: the same number spelled otherwise, or the same "
        "vendor, amount and date under another number"
    ),
    Reason.BANK_ONLY_ITEM: "a bank line no book entry of the check register matches (a charge to book, or an error)",
    Reason.STALE_BOOK_ITEM: "a check or deposit of the books has not cleared the bank within the stale-item days",
    Reason.CASH_AMOUNT_MISMATCH: "a bank line and a book entry share a reference or check number but not the amount",
    Reason.ENVELOPE_UNBALANCED: (
        "a petty cash envelope's receipts plus returned cash differ from its advance: its lines are held together "
        "(the pipeline's rule envelope_balance) until it balances"
    ),
    # helper "night": timecards vs payroll vs rates
    Reason.TIMECARD_WITHOUT_PAY: "an hourly worker's timecard day has no hourly pay line in the payroll",
    Reason.PAY_WITHOUT_TIMECARD: "hourly pay lines (with hours) of an employee-day have no timecard for the day",
    Reason.GROSS_NOT_TIMECARD: (
        "the day's hourly gross differs by more than a cent from what the timecard's hours earn at the person's "
        "REG rate through the work-rule bands in force (the overtime rules' calculator)"
    ),
    # foreign currency (issue 9)
    Reason.FX_RATE_MISSING: (
        "the amount is in a foreign currency and fx_rates.csv has no rate in force on its document date (the "
        "latest rate on or before it, at most prodlib.fx.MAX_RATE_AGE_DAYS old)"
    ),
    # data faults accepted before issue 8
    Reason.NEGATIVE_HOURS: (
        "hours are negative on a line that is not a reversal (a reversal carries negative hours and a negative "
        "amount; a negative quantity on a positive or zero amount is a keying error)"
    ),
    Reason.AMOUNT_NOT_HOURS_TIMES_RATE: (
        "the amount of an hourly earning line is not its hours x its base rate x the earning type's multiplier "
        "(work_rules.yaml bands) within a cent"
    ),
    Reason.TIMECARD_UNREADABLE: (
        "the timecard cannot be read by the timecard rules (a meal with only one of its out / in times), so "
        "no day rule could check the pay lines of the day"
    ),
    Reason.TIMECARD_QUARANTINED: (
        "the employee-day's timecard is in the quarantine: the day's pay lines wait with it until it is fixed "
        "(the detail names the timecard's file and line)"
    ),
    Reason.IMPOSSIBLE_TIMECARD: (
        "the timecard describes a day that cannot have happened: a meal that ends before it starts, a span "
        "beyond work_rules.yaml's max_span_hours, meals longer than the day, or a meal after wrap"
    ),
    Reason.DUPLICATE_RECEIPT: (
        "the same envelope, receipt date, amount and description as an earlier line of the file: the second "
        "copy waits (an override releases a genuine second receipt)"
    ),
    Reason.DUPLICATE_BANK_TRANSACTION: (
        "the bank transaction id was already read for this bank feed (earlier in the file or in an earlier file)"
    ),
    Reason.DUPLICATE_BUDGET_LINE: (
        "the cost code is listed more than once in one budget: every line of the code waits, since no one can "
        "tell which figure is the budget"
    ),
}

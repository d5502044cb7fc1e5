"""P&H (and statutory fringe) remittance report: what each trust fund is owed, when, and whether it ties.

Per plan, fund and period: gross subject, contribution and due date from the remittance totals that
``prodlib run --remittance-out`` writes (:mod:`prodlib.remittance`), tied to the ledger's
``FRINGE_PAYABLE:<plan>`` account to the cent, and the late-payment exposure on an as-of date.

Conventions (all amounts exact ``Decimal``; frames ``MONEY_DTYPE``):

- **Ledger side of a fund-period.** The fringe posting writes ``document_no`` = ``<plan>:<fund>:<period_end>``
  on each entry (:func:`prodlib.fringes.fringe_postings`); voids and reversals copy it. The ledger
  contribution of a fund-period is the net credit (credits - debits) of the ``FRINGE_PAYABLE:<plan>``
  lines with that document number, payments excluded. A line on that account whose document number
  names no fund and period is *unattributed*: it is an exception, never spread over the funds.
- **Payments.** A debit to ``FRINGE_PAYABLE:<plan>`` in an entry that credits ``CASH`` is a payment
  to the fund. Only payments dated on or before the as-of date count. One whose document number names
  a fund-period pays that one; any other pays the plan's open fund-periods oldest due date first (then
  fund name). Contributions are read from every posting, whatever its date (the remittance files
  cover every period the pipeline has run).
- **Tie-out.** remittance contribution - ledger contribution, per fund-period; any non-zero
  difference, a fund-period on one side only, an unattributed ledger line, detail lines that do not
  add up to their totals line, or a due date that differs from the plan's terms is one exception line
  that names the figures and the difference.
- **Late exposure** (as of a date): outstanding = remittance contribution - payments applied. When
  outstanding > 0 and the as-of date is past the due date, the charge is
  :func:`prodlib.remittance.late_charge` on the outstanding amount as if paid on the as-of date
  (liquidated damages or interest, from the plan file), rounded once to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from prodlib.accounts import CASH, FRINGE_PAYABLE_PREFIX
from prodlib.money import ZERO, format_money, money, to_money_series
from prodlib.remittance import due_date, late_charge
from prodlib.rules.plans import PlanSet, RemittanceTerms

PAYABLE_PREFIX = FRINGE_PAYABLE_PREFIX
PAYMENT_COUNTER_ACCOUNT = CASH
FUND_MONEY_COLUMNS = ("gross_subject", "contribution", "ledger", "difference", "paid", "outstanding", "late_charge")
PLAN_MONEY_COLUMNS = ("contribution", "ledger", "difference", "paid", "outstanding", "late_charge")
EXCEPTION_MONEY_COLUMNS = ("remittance", "ledger", "difference")
#: Human column headers, as the rendered report and the CSV export show them.
COLUMN_LABELS = {
    "plan": "Plan", "fund": "Fund", "period_end": "Period end", "due_date": "Due date", "people": "People",
    "gross_subject": "Gross subject", "contribution": "Contribution (remittance)", "ledger": "Ledger",
    "difference": "Difference (remittance - ledger)", "tie": "Tie-out", "paid": "Paid", "outstanding": "Outstanding",
    "status": "Status", "days_late": "Days late", "late_charge": "Late charge", "kind": "Exception",
    "remittance": "Remittance", "detail": "Detail",
}
TIE_METHOD = ("ledger = net credits to FRINGE_PAYABLE:<plan> with document no. <plan>:<fund>:<period end>, "
              "payments (debits against CASH) excluded; difference = remittance - ledger")
LATE_METHOD = ("outstanding = contribution - payments dated on or before the as-of date (a payment naming no "
               "fund-period pays the oldest due first); late charge = the plan's charge on the outstanding amount "
               "as if paid on the as-of date")


@dataclass(frozen=True, eq=False)
class PnhRemittanceReport:
    """The remittance report, ready to display.

    ``funds``: one row per (plan, fund, period_end) found in the remittance files or the ledger,
    sorted by plan, fund, period: due_date, people, gross_subject, contribution, ledger, difference,
    tie (True when difference is 0 and both sides exist), paid, outstanding, status (paid / not yet
    due / overdue / no remittance), days_late, late_charge. ``plans``: the same figures per plan.
    ``exceptions``: kind, plan, fund, period_end, remittance, ledger, difference, detail.

    Attributes:
      funds: one row per (plan, fund, period end), as described above
      plans: the same figures per plan
      exceptions: every difference between the remittance files and the ledger
      as_of: the date the status is computed at
      total_contribution: the contributions due, from the remittance files
      total_ledger: the ledger's FRINGE_PAYABLE credits
      total_outstanding: contributions not yet paid on the as-of date
      total_late_charge: late charges accrued on the as-of date
      tie_method: how a fund ties to the ledger, in words
      late_method: how outstanding and late charges are computed, in words
    """

    funds: pd.DataFrame
    plans: pd.DataFrame
    exceptions: pd.DataFrame
    as_of: date
    total_contribution: Decimal
    total_ledger: Decimal
    total_outstanding: Decimal
    total_late_charge: Decimal
    tie_method: str = TIE_METHOD
    late_method: str = LATE_METHOD

    @property
    def ties(self) -> bool:
        """True when every fund-period ties to the ledger to the cent and nothing is unexplained."""
        return len(self.exceptions) == 0


def _money(value, what: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{what}: money must be text or Decimal, not float ({value!r})")
    if value is None or value is pd.NA or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{what}: no amount")
    return money(value.strip() if isinstance(value, str) else Decimal(value))


def _day(value, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"{what}: {value!r} is not an ISO date") from exc


def parse_document_no(plan: str, document_no) -> tuple[str, date] | None:
    """(fund, period_end) from a fringe entry's ``<plan>:<fund>:<period_end>``; None if it names none."""
    if not isinstance(document_no, str) or not document_no.startswith(f"{plan}:"):
        return None
    rest = document_no[len(plan) + 1:]
    fund, sep, period = rest.rpartition(":")
    if not sep or not fund:
        return None
    try:
        return fund, date.fromisoformat(period)
    except ValueError:
        return None


def _terms(plans: PlanSet | Mapping[str, RemittanceTerms], plan: str) -> RemittanceTerms | None:
    if isinstance(plans, PlanSet):
        return next((p.remittance for p in plans.plans if p.plan == plan), None)
    return plans.get(plan)


def _ledger_side(lines: pd.DataFrame | None):
    """(contributions by key, unattributed by plan, payments [(plan, key|None, date, amount, entry)])."""
    contrib: dict[tuple[str, str, date], Decimal] = {}
    unattributed: dict[str, list[tuple[int, str, Decimal]]] = {}
    payments: list[tuple[str, tuple[str, str, date] | None, date, Decimal, int]] = []
    if lines is None or len(lines) == 0:
        return contrib, unattributed, payments
    missing = {"entry_id", "entry_date", "account", "amount", "document_no"} - set(lines.columns)
    if missing:
        raise ValueError(f"ledger lines: missing column(s) {sorted(missing)}")
    recs = lines[["entry_id", "entry_date", "account", "amount", "document_no"]].to_dict("records")
    cash_credit = {int(r["entry_id"]) for r in recs
                   if r["account"] == PAYMENT_COUNTER_ACCOUNT and _money(r["amount"], "ledger amount") < 0}
    for r in recs:
        account = str(r["account"])
        if not account.startswith(PAYABLE_PREFIX):
            continue
        plan = account[len(PAYABLE_PREFIX):]
        amount = _money(r["amount"], f"ledger entry {r['entry_id']}")  # debit positive
        parsed = parse_document_no(plan, r["document_no"])
        key = (plan, parsed[0], parsed[1]) if parsed else None
        entry = int(r["entry_id"])
        if amount > 0 and entry in cash_credit:
            payments.append((plan, key, _day(r["entry_date"], "entry_date"), amount, entry))
        elif key is None:
            unattributed.setdefault(plan, []).append((entry, str(r["document_no"] or ""), -amount))
        else:
            contrib[key] = contrib.get(key, ZERO) - amount
    return contrib, unattributed, payments


def _remittance_side(totals: pd.DataFrame | None):
    rows: dict[tuple[str, str, date], dict] = {}
    if totals is None or len(totals) == 0:
        return rows
    need = {"plan", "fund", "period_end", "due_date", "gross_subject", "contribution"}
    missing = need - set(totals.columns)
    if missing:
        raise ValueError(f"remittance totals: missing column(s) {sorted(missing)}")
    for r in totals.to_dict("records"):
        key = (str(r["plan"]), str(r["fund"]), _day(r["period_end"], "period_end"))
        what = f"remittance totals {key[0]} {key[1]} {key[2]}"
        if key in rows:
            raise ValueError(f"{what}: the period appears twice")
        rows[key] = {"due_date": _day(r["due_date"], f"{what} due_date"),
                     "people": int(r["people"]) if "people" in r and str(r["people"]).strip() else 0,
                     "gross_subject": _money(r["gross_subject"], f"{what} gross_subject"),
                     "contribution": _money(r["contribution"], f"{what} contribution")}
    return rows


def _detail_sums(detail: pd.DataFrame | None) -> dict[tuple[str, str, date], tuple[Decimal, Decimal]] | None:
    if detail is None:
        return None
    sums: dict[tuple[str, str, date], tuple[Decimal, Decimal]] = {}
    for r in detail[["plan", "fund", "period_end", "gross_subject", "contribution"]].to_dict("records"):
        key = (str(r["plan"]), str(r["fund"]), _day(r["period_end"], "detail period_end"))
        g, c = sums.get(key, (ZERO, ZERO))
        sums[key] = (g + _money(r["gross_subject"], "detail gross_subject"),
                     c + _money(r["contribution"], "detail contribution"))
    return sums


def _label(key: tuple[str, str, date]) -> str:
    return f"{key[0]} {key[1]} {key[2].isoformat()}"


def pnh_remittance(
    totals: pd.DataFrame | None,
    ledger_lines: pd.DataFrame | None,
    plans: PlanSet | Mapping[str, RemittanceTerms],
    as_of: date | str,
    detail: pd.DataFrame | None = None,
    notes: tuple[str, ...] = (),
) -> PnhRemittanceReport:
    """Build the remittance report: tie-out to the ledger per fund-period and late exposure on ``as_of``.

    ``totals``: the ``<plan>__<fund>__totals.csv`` rows (:data:`prodlib.remittance.TOTAL_COLUMNS`; money as
    text or Decimal, never float). ``ledger_lines``: journal lines (``Ledger.entries_frame()`` columns
    entry_id, entry_date, account, amount (debit positive), document_no) of every entry touching a
    ``FRINGE_PAYABLE:`` account, all its lines included (a payment is told by its CASH line).
    ``plans``: the plan files (or terms by plan id) for due dates and late charges. ``detail``: the
    per-person detail rows, checked to add up to their totals. ``notes``: loader findings (e.g. no
    remittance files) that become exception lines.
    """
    as_of = _day(as_of, "as_of")
    rem = _remittance_side(totals)
    contrib, unattributed, payments = _ledger_side(ledger_lines)
    exceptions: list[dict] = [{"kind": "input", "plan": "", "fund": "", "period_end": None, "remittance": None,
                               "ledger": None, "difference": None, "detail": n} for n in notes]

    def exc(kind, key, remittance, ledger, detail_text):
        diff = None if remittance is None or ledger is None else remittance - ledger
        exceptions.append({"kind": kind, "plan": key[0], "fund": key[1], "period_end": key[2],
                           "remittance": remittance, "ledger": ledger, "difference": diff, "detail": detail_text})

    sums = _detail_sums(detail)
    if sums is not None:
        for key in sorted(set(sums) | set(rem)):
            g, c = sums.get(key, (ZERO, ZERO))
            r = rem.get(key)
            if r is None:
                exc("detail_vs_totals", key, c, None, f"{_label(key)}: detail lines without a totals line "
                    f"(contribution {format_money(c)})")
            elif (g, c) != (r["gross_subject"], r["contribution"]):
                exceptions.append({"kind": "detail_vs_totals", "plan": key[0], "fund": key[1], "period_end": key[2],
                                   "remittance": r["contribution"], "ledger": None, "difference": r["contribution"] - c,
                                   "detail": f"{_label(key)}: totals line says gross {format_money(r['gross_subject'])}"
                                             f", contribution {format_money(r['contribution'])}; the detail adds "
                                             f"up to gross {format_money(g)}, contribution {format_money(c)}"})

    keys = sorted(set(rem) | set(contrib))
    rows: dict[tuple[str, str, date], dict] = {}
    for key in keys:
        r = rem.get(key)
        terms = _terms(plans, key[0])
        due = r["due_date"] if r else (due_date(terms, key[2]) if terms else None)
        if r and terms and due_date(terms, key[2]) != r["due_date"]:
            exc("due_date", key, None, None, f"{_label(key)}: the file says due {r['due_date'].isoformat()}, the "
                f"plan's terms give {due_date(terms, key[2]).isoformat()}")
        if r and terms is None:
            exc("unknown_plan", key, None, None, f"{_label(key)}: plan {key[0]} is not in the plan files: "
                "no due-date check, no late charge")
        c = r["contribution"] if r else None
        led = contrib.get(key)
        if c is not None and led is None:
            exc("missing_in_ledger", key, c, ZERO, f"{_label(key)}: remittance {format_money(c)}, nothing in "
                f"the ledger (FRINGE_PAYABLE:{key[0]}); difference {format_money(c)}")
        elif c is None:
            exc("missing_in_remittance", key, ZERO, led, f"{_label(key)}: ledger {format_money(led)} on "
                f"FRINGE_PAYABLE:{key[0]}, no remittance line; difference {format_money(-led)}")
        elif c != led:
            exc("remittance_vs_ledger", key, c, led, f"{_label(key)}: remittance {format_money(c)}, ledger "
                f"{format_money(led)}; difference {format_money(c - led)} (remittance - ledger)")
        rows[key] = {"plan": key[0], "fund": key[1], "period_end": key[2], "due_date": due,
                     "people": r["people"] if r else 0, "gross_subject": r["gross_subject"] if r else ZERO,
                     "contribution": c if c is not None else ZERO, "ledger": led if led is not None else ZERO,
                     "has_remittance": r is not None, "has_ledger": led is not None, "paid": ZERO}

    for plan, items in sorted(unattributed.items()):
        total = sum((a for _, _, a in items), ZERO)
        docs = ", ".join(f"entry {e} ({d or 'no document no.'}) {format_money(a)}" for e, d, a in items[:5])
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        exceptions.append({"kind": "unattributed_ledger", "plan": plan, "fund": "", "period_end": None,
                           "remittance": ZERO, "ledger": total, "difference": -total,
                           "detail": f"{plan}: {format_money(total)} on FRINGE_PAYABLE:{plan} names no fund and "
                                     f"period: {docs}{more}"})

    # payments dated on or before as_of: to the named fund-period, else the plan's oldest due first
    unapplied: dict[str, Decimal] = {}
    for plan, key, day, amount, _entry in sorted(payments, key=lambda p: (p[2], p[4])):
        if day > as_of:
            continue
        if key is not None and key in rows:
            rows[key]["paid"] += amount
        else:
            unapplied[plan] = unapplied.get(plan, ZERO) + amount
    for plan, left in sorted(unapplied.items()):
        open_rows = sorted((r for r in rows.values() if r["plan"] == plan),
                           key=lambda r: (r["due_date"] or date.max, r["fund"], r["period_end"]))
        for r in open_rows:
            take = min(left, max(r["contribution"] - r["paid"], ZERO))
            r["paid"] += take
            left -= take
        if left > 0:
            exceptions.append({"kind": "overpaid", "plan": plan, "fund": "", "period_end": None, "remittance": None,
                               "ledger": left, "difference": None,
                               "detail": f"{plan}: payments exceed every open contribution by {format_money(left)}"})

    for r in rows.values():
        r["difference"] = r["contribution"] - r["ledger"]
        r["tie"] = r["has_remittance"] and r["has_ledger"] and r["difference"] == 0
        r["outstanding"] = r["contribution"] - r["paid"]
        terms = _terms(plans, r["plan"])
        r["days_late"], r["late_charge"] = 0, ZERO
        if not r["has_remittance"]:
            r["status"] = "no remittance"
        elif r["outstanding"] <= 0:
            r["status"] = "paid"
        elif r["due_date"] is None or as_of <= r["due_date"]:
            r["status"] = "not yet due"
        else:
            r["status"] = "overdue"
            r["days_late"] = (as_of - r["due_date"]).days
            if terms is not None:
                r["late_charge"] = late_charge(terms, r["outstanding"], r["due_date"], as_of)

    fund_cols = ["plan", "fund", "period_end", "due_date", "people", *FUND_MONEY_COLUMNS[:4], "tie", "paid",
                 "outstanding", "status", "days_late", "late_charge"]
    funds = pd.DataFrame([{c: r[c] for c in fund_cols} for r in rows.values()], columns=fund_cols)
    plan_rows = []
    for plan in sorted({k[0] for k in rows} | set(unattributed)):
        mine = [r for r in rows.values() if r["plan"] == plan]
        extra = sum((a for _, _, a in unattributed.get(plan, [])), ZERO)
        s = {c: sum((r[c] for r in mine), ZERO) for c in ("contribution", "ledger", "paid", "outstanding",
                                                             "late_charge")}
        s["ledger"] += extra
        plan_rows.append({"plan": plan, "funds": len({r["fund"] for r in mine}), "periods": len(mine), **s,
                          "difference": s["contribution"] - s["ledger"],
                          "tie": s["contribution"] == s["ledger"] and all(r["tie"] for r in mine) and not extra})
    plan_cols = ["plan", "funds", "periods", "contribution", "ledger", "difference", "tie", "paid", "outstanding",
                 "late_charge"]
    plans_frame = pd.DataFrame(plan_rows, columns=plan_cols)
    for frame, cols in ((funds, FUND_MONEY_COLUMNS), (plans_frame, PLAN_MONEY_COLUMNS)):
        for c in cols:
            frame[c] = to_money_series(frame[c].tolist(), index=frame.index)
    exc_cols = ["kind", "plan", "fund", "period_end", *EXCEPTION_MONEY_COLUMNS, "detail"]
    exc_frame = pd.DataFrame(exceptions, columns=exc_cols)
    for c in EXCEPTION_MONEY_COLUMNS:
        exc_frame[c] = to_money_series(exc_frame[c].tolist(), index=exc_frame.index)
    funds = funds.astype({"days_late": "int64", "people": "int64", "tie": "bool"})

    def total(col: str) -> Decimal:
        return sum((r[col] for r in plan_rows), ZERO)

    return PnhRemittanceReport(funds=funds, plans=plans_frame, exceptions=exc_frame, as_of=as_of,
                               total_contribution=total("contribution"), total_ledger=total("ledger"),
                               total_outstanding=total("outstanding"), total_late_charge=total("late_charge"))

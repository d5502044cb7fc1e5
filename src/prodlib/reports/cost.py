"""The production cost report: budget vs actual, commitments, estimate to complete and final cost.

Layout follows the US production cost report: one line per account in chart order, a subtotal per
section (above the line, below the line - production, post, other), the "total above and below the
line", then the lines below the grand total (contingency, completion bond) and the grand total.

Columns and conventions (all amounts exact, ``MONEY_DTYPE`` in frames, ``Decimal`` in lines):

- ``budget``: the budget version compared against, rolled up from detail codes to accounts.
- ``actual``: actual cost to date (net debits posted to the account's detail codes; credits net off).
- ``commitments``: open commitments (approved POs not yet invoiced).
- ``total_cost`` = actual + commitments.
- ``efc`` (estimated final cost): the accountant's estimate where one is given for the account;
  otherwise **EFC = max(budget, total cost)**: an account is assumed to spend its whole budget unless
  it already has cost past it. This is the common default; it never forecasts savings nobody has
  claimed, and it keeps an unspent contingency line in the estimated final cost.
- ``etc`` (estimate to complete) = EFC - total cost. It is negative only when a given EFC is below
  the cost already incurred, which the report shows rather than hides.
- ``variance`` = budget - EFC: **positive = under budget (favorable), negative = over budget**.
- ``percent_spent`` = actual / budget x 100, to 0.1 (ROUND_HALF_UP); empty where the budget is zero.

Every figure is in the production currency: a foreign-currency line was converted once, when it was
posted (:mod:`prodlib.fx`). :func:`fx_exposure` shows how much of it came from each foreign currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pyarrow as pa

from prodlib.fx import rate_text
from prodlib.money import MONEY_CONTEXT, MONEY_DTYPE, ZERO, round_cents, sum_money, to_money_series
from prodlib.taxonomy import ChartOfAccounts

#: Amount columns of every cost report row, in display order.
AMOUNT_COLUMNS = ("budget", "actual", "commitments", "total_cost", "etc", "efc", "variance")
#: Human column headers, as the rendered report and the CSV export show them.
COLUMN_LABELS = {
    "account": "Account",
    "name": "Description",
    "budget": "Budget",
    "actual": "Actual to date",
    "commitments": "Open commitments",
    "total_cost": "Total cost",
    "etc": "Estimate to complete",
    "efc": "Estimated final cost",
    "variance": "Variance (+ under / - over)",
    "percent_spent": "% spent",
}
PERCENT_DTYPE = pd.ArrowDtype(pa.decimal128(9, 1))
EFC_METHOD = "EFC as estimated where given, else max(budget, actual + commitments)"
VARIANCE_SIGN = "variance = budget - EFC; positive = under budget, negative = over budget"


@dataclass(frozen=True)
class CostLine:
    """One total line of the report (a section subtotal, the above+below total, the grand total).

    Attributes:
      key: the section id, account or total's key
      label: its label as printed
      budget: the budget version's amount
      actual: posted actuals
      commitments: open commitments (POs not yet invoiced)
      total_cost: actual + commitments
      etc: estimate to complete
      efc: estimate at completion
      variance: budget - EFC (positive: under budget)
      percent_spent: actual / budget in percent; None when the budget is zero
    """

    key: str
    label: str
    budget: Decimal
    actual: Decimal
    commitments: Decimal
    total_cost: Decimal
    etc: Decimal
    efc: Decimal
    variance: Decimal
    percent_spent: Decimal | None


@dataclass(frozen=True, eq=False)
class CostReport:
    """A cost report, ready to display: account rows, section subtotals, totals.

    ``accounts`` has one row per account in chart order (columns: account, name, section,
    section_name, the amount columns, percent_spent), including the below-the-grand-total accounts.

    Attributes:
      accounts: one row per account, as described above
      sections: subtotal per section above the grand-total line, chart order
      total_above_below: every section except the below-the-grand-total ones
      below_grand_total: one line per below-the-grand-total account
      grand_total: the grand total line
      chart: the chart of accounts' name
      efc_method: how EFC is computed, in words
      variance_sign: the sign convention of variance, in words
    """

    accounts: pd.DataFrame
    sections: tuple[CostLine, ...]  # subtotal per section above the grand-total line, chart order
    total_above_below: CostLine  # every section except the below-the-grand-total ones
    below_grand_total: tuple[CostLine, ...]  # one line per below-the-grand-total account
    grand_total: CostLine
    chart: str
    efc_method: str = EFC_METHOD
    variance_sign: str = VARIANCE_SIGN

    def table(self) -> pd.DataFrame:
        """The report as displayed, top to bottom: accounts of each section then its subtotal,
        the above+below total, the below-the-grand-total lines, the grand total.

        Columns: kind (account / subtotal / total / below_grand_total / grand_total), key, account,
        name, the amount columns, percent_spent.
        """
        rows: list[dict] = []
        for line in self.sections:
            part = self.accounts[self.accounts["section"] == line.key]
            for rec in part.to_dict("records"):
                rows.append({"kind": "account", "key": rec["account"], "account": rec["account"],
                             "name": rec["name"], **{c: rec[c] for c in (*AMOUNT_COLUMNS, "percent_spent")}})
            rows.append(_line_row("subtotal", line))
        rows.append(_line_row("total", self.total_above_below))
        for line in self.below_grand_total:
            rows.append(_line_row("below_grand_total", line, account=line.key))
        rows.append(_line_row("grand_total", self.grand_total))
        frame = pd.DataFrame(rows, columns=["kind", "key", "account", "name", *AMOUNT_COLUMNS, "percent_spent"])
        for c in AMOUNT_COLUMNS:
            frame[c] = to_money_series(frame[c].tolist())
        frame["percent_spent"] = _percent_series(frame["percent_spent"].tolist())
        return frame


def _line_row(kind: str, line: CostLine, account: str = "") -> dict:
    return {"kind": kind, "key": line.key, "account": account, "name": line.label,
            **{c: getattr(line, c) for c in (*AMOUNT_COLUMNS, "percent_spent")}}


def _percent_series(values: list) -> pd.Series:
    return pd.Series(pa.array([None if v is None or v is pd.NA else v for v in values], pa.decimal128(9, 1)),
                     dtype=PERCENT_DTYPE)


#: Columns of the foreign-currency exposure table, and their headers.
FX_EXPOSURE_LABELS = {
    "currency": "Currency",
    "entries": "Entries",
    "original": "Original total (in the currency)",
    "converted": "Converted total (production currency)",
    "rate_min": "Lowest rate used",
    "rate_max": "Highest rate used",
}


def fx_exposure(fx: pd.DataFrame) -> pd.DataFrame:
    """Foreign-currency exposure per currency, from :meth:`LedgerView.fx_frame` (one row per entry).

    Per currency, in code order: the entries, their original total (in that currency), the converted
    total (production currency, what the cost report counts) and the lowest and highest rate used
    (exact text). Reversals count with their sign, so a voided invoice nets out.
    """
    columns = list(FX_EXPOSURE_LABELS)
    if fx is None or len(fx) == 0:
        frame = pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
        frame["entries"] = pd.Series(dtype="int64")
        for c in ("original", "converted"):
            frame[c] = pd.Series(dtype=MONEY_DTYPE)
        return frame[columns]
    rows = []
    for cur, part in fx.groupby("currency", sort=True):
        rates = sorted({Decimal(r) for r in part["fx_rate"]})
        rows.append({"currency": str(cur), "entries": len(part),
                     "original": sum_money(part["original_amount"].astype(MONEY_DTYPE)),
                     "converted": sum_money(part["amount"].astype(MONEY_DTYPE)),
                     "rate_min": rate_text(rates[0]), "rate_max": rate_text(rates[-1])})
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("original", "converted"):
        frame[c] = to_money_series(frame[c].tolist())
    return frame.astype({"currency": "string", "rate_min": "string", "rate_max": "string", "entries": "int64"})


def percent_spent(actual: Decimal, budget: Decimal) -> Decimal | None:
    """actual / budget x 100 to one decimal, ROUND_HALF_UP; None when there is no budget."""
    if budget == 0:
        return None
    pct = MONEY_CONTEXT.divide(actual * 100, budget)
    return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)


def amounts_by_key(frame: pd.DataFrame | None, key: str, what: str) -> dict[str, Decimal]:
    """Exact totals per ``key`` from a frame with an ``amount`` column; floats are refused."""
    if frame is None or len(frame) == 0:
        return {}
    missing = {key, "amount"} - set(frame.columns)
    if missing:
        raise ValueError(f"{what}: missing column(s) {sorted(missing)}")
    col = frame["amount"]
    if isinstance(col.dtype, pd.ArrowDtype) and pa.types.is_decimal(col.dtype.pyarrow_dtype):
        amounts = col
    elif col.dtype == object:
        amounts = to_money_series(col.tolist(), index=frame.index)  # refuses float values
    else:
        raise TypeError(f"{what}: amount column is {col.dtype}; money must be decimal (MONEY_DTYPE) or Decimal")
    if amounts.isna().any():
        raise ValueError(f"{what}: {int(amounts.isna().sum())} row(s) without an amount")
    keys = frame[key].astype("string").str.strip()
    if keys.isna().any():
        raise ValueError(f"{what}: {int(keys.isna().sum())} row(s) without a {key}")
    sums = pd.DataFrame({"k": keys, "a": amounts}).groupby("k", sort=False)["a"].sum()
    return {str(k): round_cents(Decimal(v)) for k, v in zip(sums.index, pa.array(sums).to_pylist(), strict=True)}


def amounts_by_account(totals: dict[str, Decimal], chart: ChartOfAccounts, what: str) -> dict[str, Decimal]:
    """Roll detail codes (or bare account codes) up to accounts; an unknown code is an error, never dropped."""
    out: dict[str, Decimal] = {}
    unknown = []
    for code, amount in totals.items():
        if code in chart.details:
            acct = chart.details[code].account
        elif code in chart.accounts:
            acct = code
        else:
            unknown.append(code)
            continue
        out[acct] = out.get(acct, ZERO) + amount
    if unknown:
        raise ValueError(f"{what}: code(s) not in chart {chart.name}: {', '.join(sorted(unknown))}")
    return out


def _line(key: str, label: str, budget: Decimal, actual: Decimal, commitments: Decimal, efc: Decimal) -> CostLine:
    total = actual + commitments
    return CostLine(key, label, budget, actual, commitments, total, efc - total, efc, budget - efc,
                    percent_spent(actual, budget))


def _sum_lines(key: str, label: str, lines: Iterable[CostLine]) -> CostLine:
    lines = list(lines)
    b, a, c, e = (sum((getattr(x, f) for x in lines), ZERO) for f in ("budget", "actual", "commitments", "efc"))
    return _line(key, label, b, a, c, e)


def cost_report(
    budget: pd.DataFrame,
    actuals: pd.DataFrame,
    chart: ChartOfAccounts,
    commitments: pd.DataFrame | None = None,
    efc: pd.DataFrame | None = None,
    include_empty: bool = False,
) -> CostReport:
    """Build the cost report from budget, actuals and commitments by cost code, and EFC by account.

    ``budget``, ``actuals``, ``commitments``: columns ``cost_code`` (detail code "2500-02" or bare
    account "2500") and ``amount`` (exact). ``efc``: columns ``account`` and ``amount``: the
    accountant's estimated final cost where one has been made. A code the chart does not know raises
    ``ValueError`` naming it (a report that silently drops cost does not tie to the ledger).
    Accounts with no budget but cost appear; accounts where every figure is zero are left out
    unless ``include_empty``. Section subtotals and totals always cover every account.
    """
    bud = amounts_by_account(amounts_by_key(budget, "cost_code", "budget"), chart, "budget")
    act = amounts_by_account(amounts_by_key(actuals, "cost_code", "actuals"), chart, "actuals")
    com = amounts_by_account(amounts_by_key(commitments, "cost_code", "commitments"), chart, "commitments")
    est = amounts_by_key(efc, "account", "efc")
    unknown = sorted(set(est) - set(chart.accounts))
    if unknown:
        raise ValueError(f"efc: account(s) not in chart {chart.name}: {', '.join(unknown)}")

    spine = chart.accounts_frame()
    lines: list[tuple[str, CostLine]] = []
    for rec in spine.itertuples(index=False):
        b, a, c = bud.get(rec.account, ZERO), act.get(rec.account, ZERO), com.get(rec.account, ZERO)
        e = est[rec.account] if rec.account in est else max(b, a + c)
        lines.append((rec.section, _line(rec.account, rec.account_name, b, a, c, e)))

    below = {s.id for s in chart.sections if s.below_grand_total}
    sections = tuple(
        _sum_lines(s.id, f"Total {s.name}", (ln for sid, ln in lines if sid == s.id))
        for s in sorted(chart.sections, key=lambda s: s.order) if s.id not in below
    )
    total = _sum_lines("ABOVE_BELOW", "Total above and below the line", sections)
    bgt = tuple(ln for sid, ln in lines if sid in below)
    grand = _sum_lines("GRAND_TOTAL", "Grand total", (total, *bgt))

    section_names = {s.id: s.name for s in chart.sections}
    keep = [(sid, ln) for sid, ln in lines if include_empty or any(
        getattr(ln, f) != 0 for f in ("budget", "actual", "commitments", "efc"))]
    frame = pd.DataFrame({
        "account": pd.Series([ln.key for _, ln in keep], dtype="string"),
        "name": pd.Series([ln.label for _, ln in keep], dtype="string"),
        "section": pd.Series([sid for sid, _ in keep], dtype="string"),
        "section_name": pd.Series([section_names[sid] for sid, _ in keep], dtype="string"),
    })
    for col in AMOUNT_COLUMNS:
        frame[col] = pd.Series(pa.array([getattr(ln, col) for _, ln in keep], MONEY_DTYPE.pyarrow_dtype),
                               dtype=MONEY_DTYPE)
    frame["percent_spent"] = _percent_series([ln.percent_spent for _, ln in keep])
    return CostReport(accounts=frame, sections=sections, total_above_below=total,
                      below_grand_total=bgt, grand_total=grand, chart=f"{chart.name} {chart.version}")

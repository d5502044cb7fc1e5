"""Purchase orders and petty cash: the two flat exports, each one file, faults through the one injector."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.reasons import Reason
from prodlib.sample import formats as F
from prodlib.sample.catalog import PETTY_CASH_ITEMS, VENDORS
from prodlib.sample.faults import CELL_FAULTS, CellSpelling, inject, n_faults, override, overrides
from prodlib.sample.invoices import Invoices
from prodlib.sample.model import ExpectedFinding, SampleProduction
from prodlib.sample.units import day_number, weekdays
from prodlib.sample.writers import ExportFolder
from prodlib.taxonomy import ChartOfAccounts


def purchase_orders(rng: np.random.Generator, out: ExportFolder, chart: ChartOfAccounts, sp: SampleProduction,
                    inv: Invoices, rates: dict[str, float]) -> None:
    """The PO register: the POs the invoices reference, plus drafts, cancellations and open POs (faults on these)."""
    sc = sp.scale
    vendors = VENDORS[: sc.vendors]
    codes = sorted(chart.details)
    n_ref = len(inv.po_numbers)
    on = inv.po >= 0
    amt = np.bincount(inv.po[on], weights=inv.cents[on].astype(np.float64), minlength=n_ref)
    first = np.full(n_ref, np.iinfo(np.int64).max)
    np.minimum.at(first, inv.po[on], inv.date[on])
    pvendor = np.zeros(n_ref, dtype=np.int64)
    pvendor[inv.po[on]] = inv.vendor[on]
    pcode = np.zeros(n_ref, dtype=np.int64)
    pcode[inv.po[on]] = inv.code[on]
    win_start, win_end = day_number(sp.production.window_start), day_number(sp.production.window_end)
    pdate = np.maximum(win_start, first - rng.integers(0, 11, n_ref))
    pamount = (np.ceil(amt * rng.uniform(1.0, 1.25, n_ref) / 10_000) * 10_000).astype(np.int64)
    pstatus = np.where(rng.random(n_ref) < 0.7, "approved", "closed").astype(object)
    # Fault (no draw): the first approved PO whose clean invoices come to 1,000.00 or more is written for
    # 80% of them, rounded down to $100: invoiced beyond it (OVER_INVOICED) and so fully relieved while
    # still approved (PO_RELIEVED_STILL_OPEN), both the night's findings.
    clean_amt = np.bincount(inv.po[on & inv.clean], weights=inv.cents[on & inv.clean].astype(np.float64),
                            minlength=n_ref).astype(np.int64)
    over = next((int(i) for i in np.flatnonzero((pstatus == "approved") & (clean_amt >= 100_000))), None)
    if over is not None:
        pamount[over] = clean_amt[over] * 8 // 10 // 10_000 * 10_000
    # Unreferenced POs: drafts, cancellations, open commitments. Faults go on these only.
    n_bad = sum(n_faults(rates[k], n_ref + sc.purchase_orders_extra) for k in CELL_FAULTS)
    n_x = max(sc.purchase_orders_extra, 2 * n_bad)
    xv = rng.integers(0, len(vendors), n_x)
    xcode = np.array([codes.index(vendors[v].codes[int(rng.integers(len(vendors[v].codes)))][0]) for v in xv])
    days = weekdays(sp.production.window_start, sp.production.window_end)
    xdate = days[rng.integers(0, len(days), n_x)]
    xamount = (rng.lognormal(8.5, 1.0, n_x)).astype(np.int64) * 100
    xstatus = rng.choice(np.array(["draft", "cancelled", "approved"], dtype=object), n_x, p=[.4, .3, .3])
    xstatus[:3] = ["draft", "cancelled", "approved"]  # each status on a clean row at every scale
    # No approved PO is left open by exactly a clean no-PO invoice line of its vendor and code dated in
    # the match window (the night would match the line to it: PO_RELIEF_UNRECORDED), nor left with
    # nothing open by its clean invoices (PO_RELIEVED_STILL_OPEN): such a PO is written $100 higher,
    # again until it is neither. The PO written below its invoices is the one fault of that kind.
    window = sp.production.reconcile.po_match_days
    loose = inv.clean & (inv.po < 0) & (inv.cents > 0)
    lines_of: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for v, c, d, a in zip(inv.vendor[loose], inv.code[loose], inv.date[loose], inv.cents[loose], strict=True):
        lines_of.setdefault((int(v), int(c)), []).append((int(d), int(a)))

    def keep_apart(amount: np.ndarray, vendor: np.ndarray, code: np.ndarray, day: np.ndarray, relieved: np.ndarray,
                   approved: np.ndarray) -> None:
        for i in np.flatnonzero(approved):
            if i == over and amount is pamount:
                continue
            near = [a for d, a in lines_of.get((int(vendor[i]), int(code[i])), []) if 0 <= d - int(day[i]) <= window]
            while amount[i] - relieved[i] <= 0 or int(amount[i] - relieved[i]) in near:
                amount[i] += 10_000

    keep_apart(pamount, pvendor, pcode, pdate, clean_amt, pstatus == "approved")
    keep_apart(xamount, xv, xcode, xdate, np.zeros(n_x, dtype=np.int64), xstatus == "approved")
    v_all = np.r_[pvendor, xv]
    c_all = np.r_[pcode, xcode]
    d_all = np.r_[pdate, xdate]
    a_all = np.r_[pamount, xamount]
    s_all = np.r_[pstatus, xstatus]
    numbers = inv.po_numbers + [f"PO-{10001 + n_ref + i}" for i in range(n_x)]
    order = np.lexsort((np.arange(len(numbers)), d_all))
    if over is not None:
        line = int(np.flatnonzero(order == over)[0]) + 2
        for reason in (Reason.OVER_INVOICED, Reason.PO_RELIEVED_STILL_OPEN):
            out.findings.append(ExpectedFinding("po_register", "purchase_orders/po_register.csv", line,
                                                "po_written_below_its_invoices", reason.value,
                                                f"po {inv.po_numbers[over]}"))
    n = len(order)
    taken = np.zeros(n, dtype=bool)
    taken[np.flatnonzero(order < n_ref + 3)] = True  # referenced POs (and one of each status) stay clean
    fmt = "%m/%d/%Y"
    values = {
        "po_number": F.lookup(numbers, order),
        "vendor_id": F.lookup([v.vendor_id for v in vendors], v_all[order]),
        "vendor_name": F.lookup([v.name for v in vendors], v_all[order]),
        "po_date": F.date_strings(d_all[order], fmt),
        "cost_code": F.lookup(codes, c_all[order]),
        "description": pc.binary_join_element_wise(
            F.lookup([v.name for v in vendors], v_all[order]),
            F.lookup([chart.details[c].name for c in codes], c_all[order]), " - "),
        "amount": F.money_strings(a_all[order], "us_grouped_paren"),
        "status": pa.array(list(s_all[order]), pa.string()),
    }
    bad = inject(rng, {kd: n_faults(rates[kd], n) for kd in CELL_FAULTS}, taken,
                 CellSpelling("po_date", fmt, ("po_number", "po_date", "amount", "status")), chart, d_all[order],
                 (win_start, win_end))
    over = overrides(bad, values)
    values = {k: override(v, over[k]) for k, v in values.items()}
    faults = [(f.row, f.fault, f.field) for f in bad]
    header = (("po_number", "PO Number"), ("vendor_id", "Vendor No"), ("vendor_name", "Vendor Name"),
              ("po_date", "PO Date"), ("cost_code", "GL Account"), ("description", "Description"),
              ("amount", "PO Amount"), ("status", "Status"))
    out.write("purchase_orders/po_register.csv", "purchase_order", "po_register",
              [(c, h, values[c]) for c, h in header], date_format=fmt, faults=sorted(faults))


def petty_cash(rng: np.random.Generator, out: ExportFolder, chart: ChartOfAccounts, sp: SampleProduction,
               roster: pd.DataFrame, rates: dict[str, float]) -> pd.DataFrame:
    """The petty cash envelopes (receipts by custodian); returns the clean receipts the bank replenishes
    (``row``: each one's data row in the file, 0-based)."""
    sc = sp.scale
    custodians = roster.loc[roster["role"].isin(["pa", "second_ad", "first_ad"]), "name"].tolist()
    ne = sc.petty_cash_envelopes
    per = rng.integers(8, 21, ne)
    env = np.repeat(np.arange(ne), per)
    n = len(env)
    days = weekdays(sp.production.window_start, sp.shoot_end)
    env_start = np.sort(days[rng.integers(0, max(1, len(days) - 8), ne)])
    day = env_start[env] + rng.integers(0, 10, n)
    day = np.minimum(day, day_number(sp.production.window_end))
    items = PETTY_CASH_ITEMS
    pw = np.array([4 if c else 1 for c, _ in items], dtype=np.float64)
    item = rng.choice(len(items), n, p=pw / pw.sum())
    cents = np.maximum(150, rng.lognormal(np.log(3500), 0.8, n).astype(np.int64))
    cust = np.array(custodians, dtype=object)[rng.integers(0, len(custodians), ne)][env]
    order = np.lexsort((day, env))
    env, day, item, cents, cust = env[order], day[order], item[order], cents[order], cust[order]
    fmt = "%m/%d/%y"
    values = {
        "envelope_id": F.int_strings(env + 1, 4, "PC-"),
        "custodian": pa.array(list(cust), pa.string()),
        "receipt_date": F.date_strings(day, fmt),
        "cost_code": F.lookup([c for c, _ in items], item),
        "description": F.lookup([d for _, d in items], item),
        "amount": F.money_strings(cents, "plain2"),
    }
    taken = np.zeros(n, dtype=bool)
    win_start, win_end = day_number(sp.production.window_start), day_number(sp.production.window_end)
    bad = inject(rng, {kd: n_faults(rates[kd], n) for kd in CELL_FAULTS}, taken,
                 CellSpelling("receipt_date", fmt, ("envelope_id", "custodian", "receipt_date", "amount")), chart, day,
                 (win_start, win_end))
    over = overrides(bad, values)
    values = {k: override(v, over[k]) for k, v in values.items()}
    faults = [(f.row, f.fault, f.field) for f in bad]
    header = (("envelope_id", "Envelope #"), ("custodian", "Custodian"), ("receipt_date", "Receipt Date"),
              ("cost_code", "Account"), ("description", "Description"), ("amount", "Amount"))
    out.write("petty_cash/petty_cash_envelopes.csv", "petty_cash", "petty_cash", [(c, h, values[c]) for c, h in header],
              date_format=fmt, faults=sorted(faults))
    clean = ~taken
    return pd.DataFrame({"env": env[clean], "day": day[clean], "cents": cents[clean], "cust": cust[clean],
                         "row": np.flatnonzero(clean)})

"""Vendors and their invoices: each vendor's system writes its own format (catalog.STYLES); lines
follow the budget, reference POs, send credits, and some come without a cost code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.reasons import Reason
from prodlib.sample import formats as F
from prodlib.sample.catalog import DESCRIPTIONS, KEYWORD_DESCRIPTIONS, STYLES, VENDORS
from prodlib.sample.faults import CELL_FAULTS, CellSpelling, cell_faults, choose, n_faults, override, overrides, pick
from prodlib.sample.model import ExpectedFinding, SampleProduction
from prodlib.sample.units import day_number, to_date, weekdays
from prodlib.sample.writers import ExportFolder
from prodlib.taxonomy import ChartOfAccounts


def _templates(codes: list[str]) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    pre, suf = [], []
    ns, nc, ks, kc = (np.zeros(len(codes), dtype=np.int64) for _ in range(4))
    for i, c in enumerate(codes):
        for table, start, count in ((DESCRIPTIONS, ns, nc), (KEYWORD_DESCRIPTIONS, ks, kc)):
            start[i] = len(pre)
            for t in table.get(c, ()):
                a, _, b = t.partition("{n}")
                pre.append(a)
                suf.append(b)
            count[i] = len(pre) - start[i]
    return pre, suf, ns, nc, ks, kc


def phase_days(sp: SampleProduction, phase: str) -> np.ndarray:
    """Weekdays a vendor of this phase (prep | shoot | post | all) dates its invoices on."""
    pp, se = sp.production.pp_date, sp.shoot_end
    if phase == "prep":
        return weekdays(sp.production.window_start, pp)
    if phase == "shoot":
        return weekdays(pp, se)
    if phase == "post":
        return weekdays(se, sp.production.window_end)
    return weekdays(sp.production.window_start, sp.production.window_end)


def distinct_amounts(vendor: np.ndarray, day: np.ndarray, cents: np.ndarray) -> np.ndarray:
    """``cents`` with no two invoices of a vendor on one day for the same amount (a later one moves a
    cent away from zero until it is alone): the night would rightly call it a likely duplicate, and
    only the injected copies may be one."""
    cents = cents.copy()
    while True:
        dup = pd.DataFrame({"v": vendor, "d": day, "c": cents}).duplicated(keep="first").to_numpy()
        if not dup.any():
            return cents
        cents[dup] += np.sign(cents[dup])


def respelled(number: str) -> str:
    """An invoice number as a second system spells it: "#", spaces for dashes ("INV-0042" -> "#INV 0042")."""
    return "#" + number.replace("-", " ")


@dataclass
class Invoices:
    """The invoice rows (duplicates left out), with what the bank feed and the PO register need.

    Attributes:
      vendor: index into the scale's vendors, per row.
      date: invoice date (day number).
      cents: amount in integer cents (credits negative).
      clean: True where the row carries no fault (the bank pays only those).
      po: index into ``po_numbers``, or -1 for no PO.
      code: index into the chart's sorted detail codes.
      po_numbers: the PO numbers the invoices reference, in date order of each PO's first line.
    """

    vendor: np.ndarray
    date: np.ndarray
    cents: np.ndarray
    clean: np.ndarray
    po: np.ndarray
    code: np.ndarray
    po_numbers: list[str]


def invoices(rng: np.random.Generator, out: ExportFolder, chart: ChartOfAccounts, sp: SampleProduction,
             n_lines: int, budget: dict[str, int], rates: dict[str, float]) -> Invoices:
    """Write every vendor's invoice exports (``n_lines`` rows in all, duplicates included), faults injected."""
    vendors = VENDORS[: sp.scale.vendors]
    nv = len(vendors)
    codes = sorted(chart.details)
    code_ix = {c: i for i, c in enumerate(codes)}
    n_dup = n_faults(rates["duplicate_invoice"], n_lines)
    n = n_lines - n_dup - 1  # and one copy under its number spelled otherwise (respelled)
    if n < 20 * nv:
        raise ValueError(f"invoice_lines={n_lines} is too few for {nv} vendors and their faults")
    w = np.array([v.weight for v in vendors])
    floor = min(10, n // (2 * nv))
    counts = floor + rng.multinomial(n - floor * nv, w / w.sum())
    vendor = np.repeat(np.arange(nv), counts)
    code = np.empty(n, dtype=np.int64)
    day = np.empty(n, dtype=np.int64)
    blank = np.zeros(n, dtype=bool)
    starts = np.r_[0, np.cumsum(counts)]
    for v, vd in enumerate(vendors):
        lo, hi = starts[v], starts[v + 1]
        shares = np.array([s for _, s in vd.codes])
        vc = np.array([code_ix[c] for c, _ in vd.codes])[rng.choice(len(vd.codes), hi - lo, p=shares / shares.sum())]
        code[lo:hi] = vc
        days = phase_days(sp, vd.phase)
        day[lo:hi] = days[rng.integers(0, len(days), hi - lo)]
        if vd.blank_code_share:
            ok = (vc == code_ix[vd.default_cost_code]) if vd.default_cost_code else np.isin(
                vc, [code_ix[c] for c in KEYWORD_DESCRIPTIONS])
            blank[lo:hi] = ok & (rng.random(hi - lo) < vd.blank_code_share)
    # Amounts: each code's invoiced total is 65-105% of its budget, split over its lines (lognormal).
    weight = rng.lognormal(0.0, 0.9, n)
    target = np.array([budget.get(c, 0) for c in codes], dtype=np.float64) * rng.uniform(0.65, 1.05, len(codes))
    sum_w = np.bincount(code, weights=weight, minlength=len(codes))
    cents = np.maximum(100, (target[code] * weight / sum_w[code]).astype(np.int64))
    credit = rng.random(n) < 0.015
    credit[starts[:-1] + (rng.random(nv) * counts).astype(np.int64)] = True  # every vendor sends a credit
    cents = np.where(credit, -cents, cents)
    # File order: by vendor, date; invoice numbers rise with the date.
    order = np.lexsort((rng.random(n), day, vendor))
    vendor, code, day, blank, cents, credit = (a[order] for a in (vendor, code, day, blank, cents, credit))
    cents = distinct_amounts(vendor, day, cents)
    gaps = rng.integers(1, 4, n)
    cum = np.cumsum(gaps)
    first = cum[starts[:-1]] - gaps[starts[:-1]]
    inv_no = rng.integers(1000, 40000, nv)[vendor] + cum - np.repeat(first, counts)
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    split = np.array([v.split_monthly for v in vendors])
    fkey = np.where(split[vendor], month, 0)
    # Purchase orders: lines of a vendor and code share POs of about a dozen lines each.
    po_share = np.array([v.po_share for v in vendors])
    on_po = (rng.random(n) < po_share[vendor]) & ~credit
    group = vendor * len(codes) + code
    per_group = np.bincount(group[on_po], minlength=nv * len(codes))
    k = np.maximum(1, -(-per_group // 12))
    local = (rng.random(n) * k[group]).astype(np.int64)
    po_key = np.where(on_po, group * 10_000 + local, -1)
    uniq, po = np.unique(po_key, return_inverse=True)
    po = po.ravel() - (1 if uniq[0] == -1 else 0)
    po[~on_po] = -1

    # Faults (on the rows as they stand; duplicates are copies appended below).
    taken = np.zeros(n, dtype=bool)
    chosen = choose(rng, {kd: n_faults(rates[kd], n_lines) for kd in CELL_FAULTS}, taken)
    dup_src = choose(rng, {"duplicate_invoice": n_dup}, taken)["duplicate_invoice"]
    # One more copy, of an invoice on no PO (so no PO is relieved twice), keeps its original's number
    # spelled otherwise: the exact-number check lets it through, the night finds it LIKELY_DUPLICATE_INVOICE.
    dup_src = np.r_[dup_src, pick(rng, ~on_po & ~credit, taken, 1)]

    # Position inside the file: rank; a duplicate lands somewhere after its original, same file.
    fstart = np.r_[0, np.flatnonzero((np.diff(vendor) != 0) | (np.diff(fkey) != 0)) + 1]
    fid = np.zeros(n, dtype=np.int64)
    fid[fstart[1:]] = 1
    fid = np.cumsum(fid)
    fend = np.r_[fstart[1:], n]
    rank = np.arange(n) - fstart[fid]
    size = fend[fid] - fstart[fid]
    dup_pos = rank[dup_src] + 0.5 + np.floor(rng.random(len(dup_src)) * (size[dup_src] - rank[dup_src]))
    src = np.r_[np.arange(n), dup_src]
    pos = np.r_[rank.astype(np.float64), dup_pos]
    final = np.lexsort((pos, fid[src]))
    src = src[final]
    total = len(src)
    is_dup = np.r_[np.zeros(n, bool), np.ones(len(dup_src), bool)][final]
    where_final = np.empty(total, dtype=np.int64)
    where_final[final] = np.arange(total)
    fault = np.full(total, "", dtype=object)
    ffield = np.full(total, "", dtype=object)
    fault[is_dup] = "duplicate_invoice"
    ffield[is_dup] = "invoice_number"
    resp = int(where_final[n + len(dup_src) - 1])
    fault[resp] = ffield[resp] = ""
    win_start, win_end = day_number(sp.production.window_start), day_number(sp.production.window_end)
    spellings = {name: CellSpelling("invoice_date", st.date_format, ("invoice_number", "invoice_date", "amount"),
                                    st.money_locale, st.code_spelling, year_shift=-365)
                 for name, st in STYLES.items()}
    bad = cell_faults(rng, chosen, lambda r: spellings[vendors[vendor[r]].style], chart, day, (win_start, win_end),
                      account_of=lambda r: chart.details[codes[code[r]]].account)
    for f in bad:
        i = int(where_final[f.row])
        fault[i], ffield[i] = f.fault, f.field
    over = overrides(bad, ("invoice_number", "invoice_date", "cost_code", "amount"), lambda r: int(where_final[r]))

    # PO numbers in date order of each PO's first line.
    n_po = int(po.max()) + 1 if (po >= 0).any() else 0
    first_day = np.full(n_po, np.iinfo(np.int64).max)
    np.minimum.at(first_day, po[po >= 0], day[po >= 0])
    po_order = np.argsort(first_day, kind="stable")
    po_rank = np.empty(n_po, dtype=np.int64)
    po_rank[po_order] = np.arange(n_po)
    po_numbers = [f"PO-{10001 + i}" for i in range(n_po)]
    po = np.where(po >= 0, po_rank[np.maximum(po, 0)], -1)

    clean = np.ones(n, dtype=bool)
    for rows in chosen.values():
        clean[rows] = False
    # A clean invoice without a PO above the production's threshold is one the night must name.
    threshold = int(sp.production.reconcile.no_po_threshold * 100)

    # Write, style by style, file by file.
    fv, fk = vendor[src], fkey[src]
    pre, suf, ns, nc, ks, kc = _templates(codes)
    tmpl_u = rng.random(n)
    tmpl = np.where(blank, ks[code] + (tmpl_u * np.maximum(kc[code], 1)).astype(np.int64),
                    ns[code] + (tmpl_u * nc[code]).astype(np.int64))
    num = rng.integers(5, 41, n)
    bounds = np.flatnonzero((np.diff(fv) != 0) | (np.diff(fk) != 0)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, total], strict=True):
        vd = vendors[fv[lo]]
        st = STYLES[vd.style]
        s = src[lo:hi]
        tag = f"_{to_date(int(day[s].min())).strftime('%Y-%m')}" if vd.split_monthly else ""
        rel = f"invoices/{vd.slug}/{vd.slug}{tag}.csv" if vd.split_monthly else f"invoices/{vd.slug}.csv"
        sid = f"{vd.slug}{tag.replace('-', '')}"
        spelled = [F.code_spelling(c, st.code_spelling) for c in codes] + [""]
        desc = pc.binary_join_element_wise(
            pc.if_else(pa.array(credit[s]), "Credit: ", ""), F.lookup(pre, tmpl[s]), F.int_strings(num[s]),
            F.lookup(suf, tmpl[s]), "")
        values = {
            "invoice_number": F.int_strings(inv_no[s], st.invoice_width, st.invoice_prefix),
            "invoice_date": F.date_strings(day[s], st.date_format),
            "po_number": F.lookup(po_numbers + [""], np.where(po[s] >= 0, po[s], n_po)),
            "cost_code": F.lookup(spelled, np.where(blank[s], len(codes), code[s])),
            "description": desc,
            "amount": F.money_strings(cents[s], st.money),
        }
        for k, o in over.items():
            local_over = {i - lo: v for i, v in o.items() if lo <= i < hi}
            values[k] = override(values[k], local_over)
        if lo <= resp < hi:
            number = respelled(values["invoice_number"][resp - lo].as_py())
            values["invoice_number"] = override(values["invoice_number"], {resp - lo: number})
            out.findings.append(ExpectedFinding(sid, rel, int(resp - lo) + 2, "invoice_number_respelled",
                                                Reason.LIKELY_DUPLICATE_INVOICE.value,
                                                f"invoice {vd.vendor_id}/{number}"))
        extra = {"Terms": "Net 30", "Waehrung": "USD"}
        cols = [(c, h, values[c] if c else pa.array([extra[h]] * (hi - lo), pa.string())) for c, h in st.columns]
        out.write(rel, "invoice", sid, cols, date_format=st.date_format, money_locale=st.money_locale,
                  delimiter=st.delimiter, eol=st.eol, encoding=st.encoding,
                  constants={"vendor_id": vd.vendor_id, "vendor_name": vd.name},
                  default_cost_code=vd.default_cost_code if vd.blank_code_share else None,
                  faults=[(i - lo, fault[i], ffield[i]) for i in range(lo, hi) if fault[i]])
        for j in range(lo, hi):
            r = int(src[j])
            if (not is_dup[j] or j == resp) and not fault[j] and clean[r] and po[r] < 0 and cents[r] > threshold:
                number = values["invoice_number"][j - lo].as_py()
                out.findings.append(ExpectedFinding(sid, rel, int(j - lo) + 2, "invoice_without_po",
                                                    Reason.INVOICE_WITHOUT_PO.value,
                                                    f"invoice {vd.vendor_id}/{number}"))
    return Invoices(vendor, day, cents, clean, po, code, po_numbers)

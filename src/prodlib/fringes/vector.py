"""The vectorized engine: integer cents in numpy with checked arithmetic, equal to the reference.

Why integer cents and not Arrow decimal128 columns: cap tracking needs running totals (a cumulative
sum per person and pool), which pandas' decimal columns refuse (``cumsum`` raises) and Arrow has no
grouped form of; int64 cents give exact sums, ``cumsum`` and ``reduceat`` at about 100 M rows/s.
int64 wraps silently on overflow, so every product is bound-checked first (``_mul_div_round``) and
falls back to exact Python integers when the bound could be exceeded; sums are bounded by
rows x largest value before they are taken. Rates are fixed point at 1e-8 (rule files are refused
with more decimals), hours at 1e-4 (more decimals raise). Rounding is the same single step as
``round_cents``: half away from zero, applied once per rounding unit (employee, plan, fund, period
end, unit episode) to the exact sum of its rows, whose exact amounts are kept as a floored cent
count plus a remainder in 1e-13 cents; the rounded total goes back to the rows by largest remainder
(see ``prodlib.fringes.common``).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from prodlib.accounts import fringe_payable
from prodlib.eligibility import counts_days, coverage, debit_account, needs_hours, scale_basis
from prodlib.fringes.common import OUTPUT_COLUMNS, UNITS_TYPE, NoScheduleError, categorical, episodic_fund
from prodlib.money import cents_to_money_array, money_to_cents
from prodlib.production import Production
from prodlib.rules.plans import RATE_DECIMALS, PlanSet, RateEntry, rate_units
from prodlib.rules.scale import ScaleTable
from prodlib.taxonomy import ChartOfAccounts

I64_MAX = 2**63 - 1
EPOCH = date(1970, 1, 1)


# --- exact conversions -------------------------------------------------------------------------

def _arrow(s: pd.Series) -> pa.Array:
    arr = pa.array(s) if not isinstance(s.dtype, pd.ArrowDtype) else s.array._pa_array
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr


def _decimal_ints(arr: pa.Array, scale: int) -> np.ndarray:
    """A decimal column as int64 multiples of 10**-scale; raises if a value would lose digits."""
    if not pa.types.is_decimal(arr.type):
        raise TypeError(f"expected a decimal column, got {arr.type}")
    arr = pc.cast(arr, pa.decimal128(38, scale))  # raises on data loss
    if arr.null_count:
        raise ValueError("null in an exact column")
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=2 * (arr.offset + len(arr)))[2 * arr.offset:]
    lo, hi = words[0::2], words[1::2]
    if not np.array_equal(hi, lo >> 63):
        raise OverflowError("decimal value beyond int64")
    return lo.copy()


def hours_units(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Hours as int64 ten-thousandths, and the null mask."""
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_decimal(s.dtype.pyarrow_dtype):
        arr = _arrow(s)
    else:
        vals = [None if v is None or (not hasattr(v, "as_tuple") and pd.isna(v)) else v for v in s.tolist()]
        from decimal import Decimal
        arr = pa.array([None if v is None else Decimal(str(v)) for v in vals], pa.decimal128(38, 10))
    null = arr.is_null().to_numpy(zero_copy_only=False)
    filled = pc.fill_null(arr, pa.scalar(0, arr.type)) if arr.null_count else arr
    return _decimal_ints(filled, 4), null


def date_days(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dates (date objects, date32, datetime64) as int64 days since 1970-01-01, and the null mask."""
    if isinstance(s.dtype, pd.ArrowDtype):
        arr = _arrow(s)
    elif s.dtype == object:
        arr = pa.array([None if v is None or (not hasattr(v, "year") and pd.isna(v)) else v for v in s.tolist()])
    else:
        arr = pa.array(s)
    if pa.types.is_timestamp(arr.type):
        arr = pc.cast(arr, pa.date32())
    if not pa.types.is_date32(arr.type):
        arr = pc.cast(arr, pa.date32())
    null = arr.is_null().to_numpy(zero_copy_only=False)
    days = pc.fill_null(arr.cast(pa.int32()), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return days, null


def _units_array(units: np.ndarray, null: np.ndarray) -> pa.Array:
    return cents_to_money_array(units, null, UNITS_TYPE)


def _round_div(n: int, d: int) -> int:
    q = (abs(n) + d // 2) // d
    return -q if n < 0 else q


def _mul_div_round(a: np.ndarray, b: np.ndarray, div: int) -> np.ndarray:
    """round_half_away(a * b / div) exactly; numpy when the product provably fits int64, else Python ints."""
    a = np.asarray(a, dtype=np.int64)
    b = np.broadcast_to(np.asarray(b, dtype=np.int64), a.shape)
    amax = int(np.abs(a).max(initial=0))
    bmax = int(np.abs(b).max(initial=0))
    if amax * bmax + div < I64_MAX:
        n = a * b
        q = (np.abs(n) + div // 2) // div
        return np.where(n < 0, -q, q)
    out = [_round_div(int(x) * int(y), div) for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    if any(abs(v) > I64_MAX for v in out):
        raise OverflowError("contribution beyond int64 cents")
    return np.array(out, dtype=np.int64)


def _mul_divmod(a: np.ndarray, b: np.ndarray, div: int) -> tuple[np.ndarray, np.ndarray]:
    """floor(a * b / div) and the remainder (0 <= r < div) exactly; numpy when the product fits int64."""
    a = np.asarray(a, dtype=np.int64)
    b = np.broadcast_to(np.asarray(b, dtype=np.int64), a.shape)
    amax = int(np.abs(a).max(initial=0))
    bmax = int(np.abs(b).max(initial=0))
    if amax * bmax < I64_MAX:
        n = a * b
        return n // div, n % div  # numpy integer // and % floor, like Python's
    pairs = [divmod(int(x) * int(y), div) for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    if any(abs(q) > I64_MAX for q, _ in pairs):
        raise OverflowError("contribution beyond int64 cents")
    return np.array([q for q, _ in pairs], np.int64), np.array([r for _, r in pairs], np.int64)


def _allocate(unit: np.ndarray, floor: np.ndarray, rem: np.ndarray, one: int) -> np.ndarray:
    """Round each unit's exact total once, half away from zero, and allocate it by largest remainder.

    Row i's exact amount is ``floor[i] + rem[i] / one`` cents (0 <= rem < one); rows come in output
    order. Each row gets its floor, plus one cent for the ``total - sum(floor)`` rows of its unit with the
    largest remainder (ties: the earlier row). Returns the rows' cents.
    """
    n = len(unit)
    uorder, ustarts, uid = _segments(unit)
    sizes = np.diff(np.r_[ustarts, n])
    if int(sizes.max(initial=0)) * one >= I64_MAX:
        raise OverflowError("too many rows in one rounding unit")
    _check_sum_bound(floor)
    u_floor = np.add.reduceat(floor[uorder], ustarts)
    u_rem = np.add.reduceat(rem[uorder], ustarts)
    base = u_floor + u_rem // one
    frac2 = 2 * (u_rem % one)
    total = base + ((frac2 > one) | ((frac2 == one) & (base >= 0)))
    missing = total - u_floor
    # A unit owed none of its rows' extra cents, or all of them, needs no ranking; only the others
    # are ranked inside their unit: largest remainder first, then output order.
    row_missing, row_size = missing[uid], sizes[uid]
    out = floor + (row_missing >= row_size)
    idx = np.flatnonzero((row_missing > 0) & (row_missing < row_size))
    if idx.size:
        sub = uid[idx]
        ranked = np.zeros(len(ustarts), bool)
        ranked[sub] = True
        n_ranked = int(ranked.sum())
        if n_ranked * one < I64_MAX:  # one key (unit, largest remainder first); stable: output order on ties
            dense = np.cumsum(ranked, dtype=np.int64)
            key = dense[sub]
            key -= 1
            key *= one
            key += (one - 1) - rem[idx]
            order = np.argsort(key, kind="stable")
            del key, dense
        else:
            order = np.lexsort((idx, -rem[idx], sub))
        su = sub[order]
        starts = np.flatnonzero(np.r_[True, su[1:] != su[:-1]])
        rank = np.arange(len(su)) - np.repeat(starts, np.diff(np.r_[starts, len(su)]))
        out[idx[order]] += (rank < missing[su]).astype(np.int64)
    return out


def _check_sum_bound(values: np.ndarray) -> None:
    if len(values) and int(np.abs(values).max()) * len(values) >= I64_MAX:
        raise OverflowError("sums could exceed int64")


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes in sorted order of the values (so code order = value order), and the vocabulary."""
    vocab, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64), vocab


def _radix(keys: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Combine small non-negative code arrays into one int64 key whose order is lexicographic."""
    total = 1
    for _, size in keys:
        total *= max(size, 1)
    if total >= I64_MAX:
        raise OverflowError("group key space too large for one int64")
    out = np.array(keys[0][0], dtype=np.int64)  # a copy: updated in place below
    for arr, size in keys[1:]:
        out *= max(size, 1)
        out += arr
    return out


def _runs(sorted_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run starts of a sorted key and the run index of each row."""
    change = np.empty(len(sorted_key), bool)
    change[:1] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    gid = np.cumsum(change, dtype=np.int64)
    gid -= 1
    return starts, gid


def _group_sums(values: np.ndarray, group: np.ndarray, out: np.ndarray) -> None:
    """out[g] = the sum of ``values`` over its rows of group g; ``group`` non-decreasing (a subset of sorted pairs)."""
    if len(values) == 0:
        return
    change = np.empty(len(group), bool)
    change[:1] = True
    np.not_equal(group[1:], group[:-1], out=change[1:])
    at = np.flatnonzero(change)
    out[group[at]] = np.add.reduceat(values, at)


def _line_order(line_key: np.ndarray) -> np.ndarray:
    """The order the lines are exploded in (a function so that a test can hand the engine another order:
    the result must not depend on it, only the cost of the sort below that restores the group-key order)."""
    return np.argsort(line_key, kind="stable")


def _segments(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable sort order, segment starts in that order, and the group index of each row."""
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    gid = np.empty(len(key), dtype=np.int64)
    gid[order] = np.cumsum(np.r_[True, sk[1:] != sk[:-1]]) - 1
    return order, starts, gid


# --- the engine --------------------------------------------------------------------------------

#: Lines per block of employees (:func:`vector_fringes`): a block's temporaries stay in the CPU caches
#: and in memory glibc reuses, where a million lines' pairs (~6M) each fault fresh pages in.
BLOCK_LINES = 131_072


def vector_fringes(
    df: pd.DataFrame, production: Production, plans: PlanSet, scale: ScaleTable, chart: ChartOfAccounts,
    *, block_lines: int | None = None,
) -> pd.DataFrame:
    """The vectorized engine over blocks of whole employees of about ``block_lines`` lines each.

    Every figure is per employee (caps across a person's lines, rounding units keyed by employee first,
    output sorted by employee first), so the blocks, taken in employee order and joined, are the
    engine's result over the whole frame, row for row (tested), in a fraction of the memory."""
    n, block_lines = len(df), block_lines or BLOCK_LINES
    if n <= block_lines:
        return _vector_fringes(df, production, plans, scale, chart)
    _check_sum_bound(money_to_cents(df["amount"]))  # the whole frame's bound, as one block would check it
    emp = df["employee_id"]
    if emp.isna().any():
        raise ValueError("employee_id is required")
    codes, _ = pd.factorize(emp, sort=True)
    per_emp = np.bincount(codes)
    ends = np.searchsorted(np.cumsum(per_emp), np.arange(block_lines, n, block_lines), side="left") + 1
    bounds = [0, *sorted(set(ends.tolist()) - {0, len(per_emp)}), len(per_emp)]
    order = np.argsort(codes, kind="stable")
    first = np.r_[0, np.cumsum(per_emp)]
    parts = [_vector_fringes(df.iloc[np.sort(order[first[a]:first[b]])], production, plans, scale, chart)
             for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    parts = [p for p in parts if len(p)] or parts[:1]  # a block of people owing nothing adds no rows
    out = pd.concat(parts, ignore_index=True)
    for c in OUTPUT_COLUMNS:  # per block categories: the union, sorted, as one block gives
        if isinstance(parts[0][c].dtype, pd.CategoricalDtype):
            out[c] = pd.Series(union_categoricals([p[c] for p in parts], sort_categories=True))
    return out


def _vector_fringes(
    df: pd.DataFrame, production: Production, plans: PlanSet, scale: ScaleTable, chart: ChartOfAccounts
) -> pd.DataFrame:
    n = len(df)
    if n == 0:
        from prodlib.fringes.common import empty_output
        return empty_output()

    def codes(col: str, fill: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Dense codes in sorted value order (hash-based factorize; value order = code order)."""
        s = df[col] if col in df else pd.Series([fill] * n)
        if fill is not None:
            s = s.astype(object).where(s.notna(), fill)
        c, u = pd.factorize(s, sort=True)
        if (c < 0).any():
            raise ValueError(f"{col} is required")
        return c.astype(np.int64), np.array([str(x) for x in u], dtype=object)

    emp_c, emp_v = codes("employee_id")
    uni_c, uni_v = codes("union")
    cls_c, cls_v = codes("classification")
    et_c, et_v = codes("earning_type")
    st_c, st_v = codes("state")
    ep_c, ep_v = codes("episode", "")
    cc_c, cc_v = codes("cost_code")
    cents = money_to_cents(df["amount"])
    _check_sum_bound(cents)
    pe_days, pe_null = date_days(df["period_end"])
    if pe_null.any():
        raise ValueError("period_end is required")
    pe_min = int(pe_days.min())
    pe_c = pe_days - pe_min
    pe_size = int(pe_c.max()) + 1
    if "hours" in df:
        hrs, hrs_null = hours_units(df["hours"])
    else:
        hrs, hrs_null = np.zeros(n, np.int64), np.ones(n, bool)
    if "work_date" in df:
        wd, wd_null = date_days(df["work_date"])
    else:
        wd, wd_null = np.zeros(n, np.int64), np.ones(n, bool)

    # Entries in a fixed order (plan, fund, id) so that entry codes sort like the output.
    all_entries: list[RateEntry] = sorted((r for p in plans.plans for r in p.rates),
                                          key=lambda r: (r.plan, r.fund, r.id))
    ent_index = {r.id: i for i, r in enumerate(all_entries)}
    plan_ids = sorted(p.plan for p in plans.plans)
    plan_of_ent = np.array([plan_ids.index(r.plan) for r in all_entries], np.int64)

    # Distinct line shapes -> their entries (the one shared lookup; few distinct shapes).
    combo_key = _radix([(uni_c, len(uni_v)), (cls_c, len(cls_v)), (et_c, len(et_v)), (st_c, len(st_v)),
                        (ep_c, len(ep_v)), (pe_c, pe_size)])
    ukeys, first, combo = np.unique(combo_key, return_index=True, return_inverse=True)
    pp_of_ep = [production.pp_date_for(str(e)) for e in ep_v]
    pair_ent: list[int] = []
    pair_scale: list[int] = []  # scale minimum in cents x multiplier tenths (percent_of_scale only)
    pair_hours: list[bool] = []  # the entry needs the line's hours (prodlib.eligibility)
    pair_days: list[bool] = []  # the entry counts the line's work date
    pair_first: list[bool] = []  # first rate line of its (cap pool, selection) on this shape (counts the line)
    counts = np.zeros(len(ukeys), np.int64)
    # A shape's coverage depends on its period end only through the rate lines in force on it, the same
    # on every date between two consecutive effective_from / effective_to + 1 boundaries: looked up
    # once per (shape without the date, interval); the scale minimum keeps its own date below.
    bounds = sorted({r.effective_from for r in all_entries}
                    | {r.effective_to + timedelta(days=1) for r in all_entries if r.effective_to is not None})
    slots_of: dict[tuple, tuple] = {}
    for k, i in enumerate(first):
        pe = date.fromordinal(EPOCH.toordinal() + int(pe_days[i]))
        union, cls, et, state, ep = uni_v[uni_c[i]], cls_v[cls_c[i]], et_v[et_c[i]], st_v[st_c[i]], str(ep_v[ep_c[i]])
        ckey = (union, cls, et, state, ep, bisect_right(bounds, pe))
        slots = slots_of.get(ckey)
        if slots is None:
            cov = coverage(plans, production, union, cls, et, state, ep, pe)
            if cov.missing:
                raise NoScheduleError(f"row {i}: no schedule in force for {list(cov.missing)}")
            pools_seen: set[tuple[str, object]] = set()
            rows = []
            for e in sorted(cov.entries, key=lambda r: ent_index[r.id]):
                pool_key = (e.cap.pool, e.match_key) if e.cap is not None and e.kind == "percent" else None
                rows.append((e, ent_index[e.id], pool_key not in pools_seen, needs_hours(e, et), counts_days(e, et)))
                if pool_key is not None:
                    pools_seen.add(pool_key)
            slots = slots_of[ckey] = (cov.pp_date, rows)
        pp, rows = slots
        counts[k] = len(rows)
        for e, ei, is_first, hours, days in rows:
            pair_ent.append(ei)
            pair_first.append(is_first)
            pair_hours.append(hours)
            pair_days.append(days)
            sc = 0
            if e.kind == "percent_of_scale":
                basis = scale_basis(e, plans.plan(e.plan), scale, union, cls, et, pp, pe)
                if basis is None:
                    raise ValueError(f"row {i}: percent_of_scale needs an hourly scale minimum")
                sm, mult = basis
                sc = int(sm.minimum.scaleb(2)) * int(mult.scaleb(1))
            pair_scale.append(sc)
    pair_ent_a = np.array(pair_ent, np.int32)
    pair_scale_a = np.array(pair_scale, np.int64)
    pair_first_a = np.array(pair_first, bool)
    combo_start = np.r_[0, np.cumsum(counts)[:-1]]
    if int(counts.sum()) == 0:
        from prodlib.fringes.common import empty_output
        return empty_output()

    # Dense period-end ranks (order kept), so that keys stay small whatever the span of dates.
    pe_present = np.bincount(pe_c, minlength=pe_size) > 0
    pe_rank_of = (np.cumsum(pe_present) - 1).astype(np.int32)
    pe_r = pe_rank_of[pe_c]
    pe_n = int(pe_present.sum())

    # Explode lines into (line, entry) pairs, produced in group-key order: lines sorted by (employee,
    # period end, episode, classification, cost code), their pairs then stably by (employee, entry).
    # The pairs come out sorted by the whole group key whenever each plan's debit account does not
    # decrease with the cost code (checked below; otherwise one sort of the group keys).
    lkey = _radix([(emp_c, len(emp_v)), (pe_r, pe_n), (ep_c, len(ep_v)), (cls_c, len(cls_v)), (cc_c, len(cc_v))])
    lorder = _line_order(lkey)
    del lkey
    # From here on a line is its position in that order (lorder maps back to the frame's rows): the
    # pairs of one employee then read neighbouring lines, not lines scattered over the frame.
    emp_c, pe_r, ep_c, cls_c, cc_c = emp_c[lorder], pe_r[lorder], ep_c[lorder], cls_c[lorder], cc_c[lorder]
    cents, hrs, hrs_null, wd, wd_null = cents[lorder], hrs[lorder], hrs_null[lorder], wd[lorder], wd_null[lorder]
    combo, pe_days = combo[lorder], pe_days[lorder]
    per_line = counts[combo]
    line = np.repeat(np.arange(n, dtype=np.int64), per_line)
    pidx = np.repeat(combo_start[combo] - (np.cumsum(per_line) - per_line), per_line)
    pidx += np.arange(len(line), dtype=np.int64)
    del per_line
    n_ent = max(len(all_entries), 1)
    ek = emp_c[line] * n_ent
    ek += pair_ent_a[pidx]
    o = np.argsort(ek.astype(np.int32) if len(emp_v) * n_ent < 2**31 else ek, kind="stable")
    line = line[o]
    pidx = pidx[o]
    ek = ek[o]  # (employee, entry): the group key's first two digits
    del o
    ent = pair_ent_a[pidx]

    # Debit account per (cost code, plan).
    debit_strings = {}
    for ci, code in enumerate(cc_v):
        for pi, pid in enumerate(plan_ids):
            try:
                debit_strings[(ci, pi)] = debit_account(chart, str(code), plans.plan(pid))
            except (KeyError, ValueError):
                debit_strings[(ci, pi)] = None
    dvocab = np.array(sorted({v for v in debit_strings.values() if v is not None}), dtype=object)
    dtable = np.full((len(cc_v), len(plan_ids)), -1, np.int64)
    for (ci, pi), v in debit_strings.items():
        if v is not None:
            dtable[ci, pi] = int(np.searchsorted(dvocab, v))
    cc_plan = cc_c * len(plan_ids)
    debit = cc_plan[line]
    debit += plan_of_ent[pair_ent_a][pidx]
    debit = dtable.ravel()[debit]
    del cc_plan
    if (debit < 0).any():
        bad = int(lorder[line[debit < 0]].min())
        raise ValueError(f"row {bad}: cost code {cc_v[cc_c[bad]]} has no fringe account for its plan")

    kind_names = ["percent", "per_hour", "per_day", "per_unit", "percent_of_scale"]
    K_PCT, K_HOUR, K_DAY, K_UNIT, K_SCALE = range(5)
    kinds = np.array([kind_names.index(r.kind) for r in all_entries], np.int8)
    p_kind = kinds[pair_ent_a][pidx]

    # Groups (employee, entry, period end, episode, classification, debit): radix order = output order.
    # Built as ((employee, entry) x the line's (period end, episode, classification) digits) x debit.
    n_debit = max(len(dvocab), 1)
    lq = _radix([(pe_r, pe_n), (ep_c, len(ep_v)), (cls_c, len(cls_v))])
    if len(emp_v) * n_ent * pe_n * max(len(ep_v), 1) * max(len(cls_v), 1) * n_debit >= I64_MAX:
        raise OverflowError("group key space too large for one int64")
    gkey = ek
    del ek
    gkey *= pe_n * max(len(ep_v), 1) * max(len(cls_v), 1)
    gkey += lq[line]
    gkey *= n_debit
    gkey += debit
    del lq
    if len(gkey) > 1 and not (gkey[1:] >= gkey[:-1]).all():
        order = np.argsort(gkey, kind="stable")
        gkey, line, pidx, ent = gkey[order], line[order], pidx[order], ent[order]
        debit, p_kind = debit[order], p_kind[order]
        del order
    starts, gid = _runs(gkey)
    del gkey
    ng = len(starts)
    npairs = len(line)
    p_amt = cents[line]
    g_subject = np.add.reduceat(p_amt, starts)
    g_lines = np.diff(np.r_[starts, npairs])
    g_line = line[starts]  # a representative line of each group
    g_emp, g_pe, g_ep = emp_c[g_line], pe_r[g_line], ep_c[g_line]
    g_ent = ent[starts]
    g_kind = kinds[g_ent]
    g_debit = debit[starts]
    del debit

    # Units for per_hour / per_unit: hours of non-on-call lines (hours required). What a line needs is
    # decided per line shape (combo), so the checks run on the lines, not on the pairs.
    slot_hours = np.array(pair_hours, bool)
    slot_days = np.array(pair_days, bool)
    slot_kind = kinds[pair_ent_a]

    def line_needs(slot_flag: np.ndarray) -> np.ndarray:
        cs = np.r_[0, np.cumsum(slot_flag, dtype=np.int64)]
        return (cs[combo_start + counts] > cs[combo_start])[combo]

    bad_lines = line_needs(slot_hours) & hrs_null
    if bad_lines.any():
        raise ValueError(f"row {int(lorder[bad_lines].min())}: an hourly rate needs hours")
    slot_units = slot_hours & (slot_kind != K_SCALE)
    g_units = np.zeros(ng, np.int64)
    if slot_units.any():
        sub = np.flatnonzero(slot_units[pidx])
        p_units = hrs[line[sub]]
        _check_sum_bound(p_units)
        _group_sums(p_units, gid[sub], out=g_units)
        del p_units, sub

    # Distinct days: on-call (FLAT lines under per_hour) and per_day.
    bad_lines = line_needs(slot_days) & wd_null
    if bad_lines.any():
        raise ValueError(f"row {int(lorder[bad_lines].min())}: needs a work_date")
    g_days = np.zeros(ng, np.int64)
    if slot_days.any():
        day_kind = np.flatnonzero(slot_days[pidx])
        if day_kind.size:
            dk = np.unique(gid[day_kind] * (1 << 24) + (wd[line[day_kind]] - int(wd.min())))
            g_days = np.bincount(dk >> 24, minlength=ng).astype(np.int64)
    oncall = np.flatnonzero((g_kind == K_HOUR) & (g_days > 0))
    if oncall.size:  # credited hours per (entry, distinct days), looked up once per distinct pair
        ckey = g_ent[oncall].astype(np.int64) * (int(g_days.max()) + 1) + g_days[oncall]
        cuniq, cinv = np.unique(ckey, return_inverse=True)
        dmax = int(g_days.max()) + 1
        credit = np.array([int(plans.plan(all_entries[int(k // dmax)].plan).credited_hours(int(k % dmax)).scaleb(4))
                           for k in cuniq], np.int64)
        g_units[oncall] += credit[cinv]
    is_day = g_kind == K_DAY
    if is_day.any():
        g_units[is_day] = g_days[is_day] * 10_000

    # Scale wages for percent_of_scale: hours(1e-4) x scale cents x multiplier(1e-1) = cents x 1e-5.
    g_scale = np.zeros(ng, np.int64)
    if (slot_kind == K_SCALE).any():
        sub = np.flatnonzero(p_kind == K_SCALE)
        sw = _mul_div_round(hrs[line[sub]], pair_scale_a[pidx[sub]], 1)
        _check_sum_bound(sw)
        _group_sums(sw, gid[sub], out=g_scale)
        del sw, sub

    # Caps: base groups (employee, pool, scope key, period end, episode, classification, debit, selection).
    # Built from the capped groups (each lies in one base group); a line counts once per (pool,
    # selection) however many rate lines of the pool select it: only the pairs of the first such
    # rate line of its shape add to the base group's subject.
    caps = [r.cap for r in all_entries]
    has_cap = np.array([c is not None for c in caps])
    g_basis = g_subject
    g_capped = has_cap[g_ent] & (g_kind == K_PCT)
    if g_capped.any():
        g_basis = g_subject.copy()
        pools = sorted({c.pool for c in caps if c})
        matches = sorted({r.match_key for r in all_entries if r.cap})
        pool_of = np.array([pools.index(c.pool) if c else -1 for c in caps], np.int64)
        match_of = np.array([matches.index(r.match_key) if r.cap else -1 for r in all_entries], np.int64)
        scope_type = np.array([{"project": 0, "episode": 1, "picture": 1, "calendar_year": 2}[c.scope] if c else 0
                               for c in caps], np.int64)
        pe_years = np.flatnonzero(pe_present) + pe_min  # days of the distinct period ends, by rank
        years = pe_years.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        year_strs = np.unique(years).astype(str)
        svocab = np.unique(np.concatenate([[""], ep_v.astype(str), year_strs]))
        ep_scode = np.searchsorted(svocab, ep_v.astype(str))
        yr_scode = np.searchsorted(svocab, years.astype(str))  # by period-end rank
        empty_scode = int(np.searchsorted(svocab, ""))

        gi = np.flatnonzero(g_capped)
        gl = g_line[gi]
        ge = g_ent[gi]
        st = scope_type[ge]
        sc = np.where(st == 0, empty_scode, np.where(st == 1, ep_scode[g_ep[gi]], yr_scode[g_pe[gi]]))
        if pair_first_a.all():
            bsub_g = g_subject[gi]
        else:
            sub = np.flatnonzero(~pair_first_a[pidx])  # the pairs that do not count their line again
            dup = np.zeros(ng, np.int64)
            _group_sums(p_amt[sub], gid[sub], out=dup)
            bsub_g = (g_subject - dup)[gi]
            del sub, dup
        bparts = [(g_emp[gi], len(emp_v)), (pool_of[ge], len(pools)), (sc, len(svocab)),
                  (g_pe[gi], pe_n), (g_ep[gi], len(ep_v)), (cls_c[gl], len(cls_v)),
                  (g_debit[gi], max(len(dvocab), 1)), (match_of[ge], len(matches))]
        bkey = _radix(bparts)
        border, bstarts, bgid = _segments(bkey)
        bk_sorted = bkey[border][bstarts]
        b_sub = np.add.reduceat(bsub_g[border], bstarts)
        # Running total per (employee, pool, scope key): the first three radix digits.
        tail = 1
        for _, size in bparts[3:]:
            tail *= max(size, 1)
        head = bk_sorted // tail
        cum = np.cumsum(b_sub)
        seg_start = np.flatnonzero(np.r_[True, head[1:] != head[:-1]])
        seg_id = np.cumsum(np.r_[True, head[1:] != head[:-1]]) - 1
        offset = np.r_[0, cum[seg_start[1:] - 1]] if len(seg_start) > 1 else np.zeros(1, np.int64)
        after = cum - offset[seg_id]
        before = after - b_sub
        lo_e = np.array([int(c.floor.scaleb(2)) if c else 0 for c in caps], np.int64)
        hi_e = np.array([I64_MAX if c is None or c.amount is None else int(c.amount.scaleb(2)) for c in caps], np.int64)
        lo, hi = lo_e[ge], hi_e[ge]
        g_basis[gi] = np.clip(after[bgid], lo, hi) - np.clip(before[bgid], lo, hi)

    # Contributions: exact amounts (floor cents + remainder in 1e-13 cents), one rounding per unit.
    rate_u = np.array([rate_units(r.rate) for r in all_entries], np.int64)[g_ent]
    one = 10 ** (5 + RATE_DECIMALS)
    floor = np.zeros(ng, np.int64)
    rem = np.zeros(ng, np.int64)
    for mask, values, div in (
        (g_kind == K_PCT, g_basis, 10**RATE_DECIMALS),  # cents x rate(1e-8)
        (np.isin(g_kind, [K_HOUR, K_UNIT, K_DAY]), g_units, 10 ** (4 + RATE_DECIMALS - 2)),  # 1e-4 h x $/h
        (g_kind == K_SCALE, g_scale, one),  # 1e-5 cents x rate(1e-8)
    ):
        if mask.any():
            q, r = _mul_divmod(values[mask], rate_u[mask], div)
            floor[mask], rem[mask] = q, r * (one // div)
    gl = g_line
    fund_ids = sorted({(r.plan, r.fund) for r in all_entries})
    fund_of = np.array([fund_ids.index((r.plan, r.fund)) for r in all_entries], np.int64)
    episodic = np.array([episodic_fund(plans.plan(r.plan), r.fund) for r in all_entries])
    unit_ep = np.where(episodic[g_ent], g_ep + 1, 0)
    unit = _radix([(g_emp, len(emp_v)), (fund_of[g_ent], len(fund_ids)), (g_pe, pe_n),
                   (unit_ep, len(ep_v) + 1)])
    contrib = _allocate(unit, floor, rem, one)
    basis_amount = np.where(g_kind == K_SCALE, _mul_div_round(g_scale, np.ones(ng, np.int64), 10**5), g_basis)
    basis_null = ~np.isin(g_kind, [K_PCT, K_SCALE])
    units_null = np.isin(g_kind, [K_PCT, K_SCALE])

    # String columns: categorical, codes into the small table of the values that occur (no per-row strings).
    ent_used = np.bincount(g_ent, minlength=len(all_entries)) > 0

    def per_entry(labels: list[str]) -> pd.Series:
        return categorical([str(v) for v in labels], g_ent, ent_used)

    pp_days = np.array([-1 if p is None else (p - EPOCH).days for p in pp_of_ep], np.int64)[g_ep]
    data = {
        "employee_id": categorical([str(v) for v in emp_v], g_emp),
        "plan": per_entry([r.plan for r in all_entries]),
        "fund": per_entry([r.fund for r in all_entries]),
        "rate_id": per_entry([r.id for r in all_entries]),
        "kind": categorical(kind_names, g_kind),
        "contribution_type": per_entry([r.contribution_type for r in all_entries]),
        "classification": categorical([str(v) for v in cls_v], cls_c[gl]),
        "episode": categorical([str(v) for v in ep_v], g_ep),
        "period_end": pd.Series(pa.array(pe_days[gl].astype(np.int32)).cast(pa.date32()),
                                dtype=OUTPUT_COLUMNS["period_end"]),
        "pp_date": pd.Series(pa.array(pp_days.astype(np.int32), mask=pp_days < 0).cast(pa.date32()),
                             dtype=OUTPUT_COLUMNS["pp_date"]),
        "debit_account": categorical([str(v) for v in dvocab], g_debit),
        "credit_account": per_entry([fringe_payable(r.plan) for r in all_entries]),
        "subject_gross": pd.Series(cents_to_money_array(g_subject), dtype=OUTPUT_COLUMNS["subject_gross"]),
        "basis_amount": pd.Series(cents_to_money_array(basis_amount, basis_null), dtype=OUTPUT_COLUMNS["basis_amount"]),
        "basis_units": pd.Series(_units_array(g_units, units_null), dtype=OUTPUT_COLUMNS["basis_units"]),
        "rate": per_entry([str(r.rate) for r in all_entries]),
        "contribution": pd.Series(cents_to_money_array(contrib), dtype=OUTPUT_COLUMNS["contribution"]),
        "cap_scope": per_entry(["" if c is None else c.scope for c in caps]),
        "lines": pd.Series(g_lines, dtype="int64"),
    }
    # Group keys were radix-combined in SORT_KEYS order (entries sorted by plan, fund, id; every code
    # assigned in sorted value order), so the groups already come out sorted; the property tests check it.
    return pd.DataFrame(data, copy=False)

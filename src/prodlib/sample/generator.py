"""Generate the sample production: raw exports as real systems write them, plus the mappings.

Every component draws from its own random stream (``SeedSequence(seed, spawn_key=(k,))``), so the
same seed and scale give byte-identical files, and changing the invoice count leaves payroll alone.
Random draws use floats to *pick* values; every amount that lands in a file is an integer number of
cents, and payroll amounts are computed exactly (integer half-up, equal to ``money.round_cents``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from prodlib.reasons import Reason
from prodlib.sample import _fmt as F
from prodlib.sample.catalog import (
    BAD_AMOUNTS_EU,
    BAD_AMOUNTS_US,
    BAD_DATES,
    BAD_TIMES,
    BOND_SHARE,
    BUDGET_WEIGHTS,
    CONTINGENCY_SHARE,
    DESCRIPTIONS,
    FAULT_RATES,
    FIRST_NAMES,
    FRINGE_SHARES,
    KEYWORD_DESCRIPTIONS,
    KIT_RENTAL_CENTS,
    LABOR_CODES,
    LAST_NAMES,
    MILEAGE_RATE_MILLICENTS,
    PER_DIEM_CENTS,
    PETTY_CASH_ITEMS,
    ROLES,
    SCALES,
    STYLES,
    UNKNOWN_CLASSIFICATIONS,
    UNKNOWN_CODES,
    VENDORS,
    Scale,
    rate_card,
)
from prodlib.sample.model import GENERATED_BY, Fault, FileInfo, Manifest, ProductionFacts, production_facts
from prodlib.taxonomy import ChartOfAccounts, get_chart

_STREAMS = {"roster": 1, "work": 2, "budget": 3, "invoices": 4, "po": 5, "petty": 6, "bank": 7, "pfaults": 8,
            "tfaults": 9}
NO_DATE = -1


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAMS[stream],)))


def _weekdays(start: date, end: date) -> np.ndarray:
    days = np.arange(F.day_number(start), F.day_number(end) + 1, dtype=np.int64)
    return days[(days + 3) % 7 < 5]  # 1970-01-01 was a Thursday (3 with Monday = 0)


def _saturday(days: np.ndarray) -> np.ndarray:
    """Week ending (Saturday) of each day: the payroll period end."""
    return days + (5 - (days + 3) % 7)


def _half_up_div(x: np.ndarray, d: int) -> np.ndarray:
    """Integer x / d rounded half away from zero: ``round_cents`` on exact integer fractions."""
    ax = np.abs(x)
    return np.sign(x) * ((2 * ax + d) // (2 * d))


def _n_faults(rate: float, rows: int) -> int:
    return max(1, int(round(rate * rows)))


@dataclass
class _Out:
    """Collects files, source entries and faults while the generator writes."""

    root: Path
    files: dict[str, FileInfo] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def write(
        self, rel: str, kind: str, source_id: str, columns: list[tuple[str, str, pa.Array]], *,
        date_format: str | None = None, money_locale: str = "us", delimiter: str = ",", eol: str = "\n",
        encoding: str = "utf-8", constants: dict[str, str] | None = None, default_cost_code: str | None = None,
        faults: list[tuple[int, str, str]] | None = None,
    ) -> None:
        """Write one export; ``columns`` = (canonical name or "", header, values); faults = (row, fault, field)."""
        header = [h for _, h, _ in columns]
        data = F.csv_bytes(header, [v for _, _, v in columns], delimiter, eol, encoding)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows = len(columns[0][2])
        self.files[rel] = FileInfo(source_id, kind, rows)
        for row, fault, fld in faults or ():
            self.faults.append(Fault(source_id, rel, int(row) + 2, fault, Reason(fault.upper()).value, fld))
        entry: dict[str, Any] = {"id": source_id, "kind": kind, "path": rel, "delimiter": delimiter,
                                 "encoding": encoding}
        if date_format:
            entry["date_format"] = date_format
        entry["money_locale"] = money_locale
        entry["columns"] = {c: h for c, h, _ in columns if c}
        if constants:
            entry["constants"] = constants
        if default_cost_code:
            entry["default_cost_code"] = default_cost_code
        self.sources.append(entry)


def _pick(rng: np.random.Generator, candidates: np.ndarray, taken: np.ndarray, n: int) -> np.ndarray:
    """n distinct untaken rows among candidates (boolean mask or index array); marks them taken."""
    idx = np.flatnonzero(candidates) if candidates.dtype == bool else candidates
    idx = idx[~taken[idx]]
    n = min(n, len(idx))
    chosen = np.sort(rng.choice(idx, size=n, replace=False)) if n else np.zeros(0, dtype=np.int64)
    taken[chosen] = True
    return chosen


# --- people, timecards, payroll -----------------------------------------------------------------


def _roster(rng: np.random.Generator, sc: Scale, budget_tier: str) -> pd.DataFrame:
    card = rate_card(budget_tier)  # writers are paid at or above their budget tier's minimum
    keys, rates = [], []
    for role in ROLES:
        n = sc.crew.get(role.key, 0)
        if not n:
            continue
        rl = card[role.classification]
        step = {"hour": 25, "flat": 100_000}.get(rl.unit, 100)
        k = (rl.high_cents - rl.low_cents) // step
        keys += [role.key] * n
        rates += list(rl.low_cents + rng.integers(0, k + 1, n) * step)
    n = len(keys)
    first = np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), n)]
    last = np.array(LAST_NAMES)[rng.integers(0, len(LAST_NAMES), n)]
    df = pd.DataFrame({"role": keys, "rate": np.array(rates, dtype=np.int64)})
    df["emp_id"] = [f"E{10001 + i}" for i in range(n)]
    df["name"] = [f"{a}, {b}" for a, b in zip(last, first, strict=True)]
    for attr in ("union", "classification", "occ_code", "cost_code", "schedule"):
        df[attr] = df["role"].map({r.key: getattr(r, attr) for r in ROLES})
    return df


_EARN_ORDER = {"REG": 0, "OT_1_5": 1, "OT_2": 2, "OT_3": 3, "FLAT": 4, "PER_DIEM": 5, "KIT_RENTAL": 6, "MILEAGE": 7}
_KEYS_ALWAYS_IN = frozenset({"key_grip", "gaffer", "camera_operator", "property_master"})


#: The sample production schedules at least this turnaround (wrap to next call, minutes), so its
#: clean timecards never invade the rest period (10 h for IATSE crew, 12 h for DGA ADs).
TURNAROUND_MINUTES = 720


def _turnaround(tc: pd.DataFrame) -> pd.DataFrame:
    """Push a day's call (meals and wrap with it) later, in 15-minute steps, until the person has had
    TURNAROUND_MINUTES since the previous day's wrap: what a 2nd AD does after a night shoot."""
    tc = tc.sort_values(["emp", "day"], kind="stable").reset_index(drop=True)
    times = ["call", "m1o", "m1i", "m2o", "m2i", "wrap"]
    for _ in range(len(tc)):  # a push can cascade into the next day; each pass settles one more day
        same = (tc["emp"].to_numpy()[1:] == tc["emp"].to_numpy()[:-1])
        gap_days = tc["day"].to_numpy()[1:] - tc["day"].to_numpy()[:-1]
        rest = gap_days * 1440 + tc["call"].to_numpy()[1:] - tc["wrap"].to_numpy()[:-1]
        short = np.zeros(len(tc), dtype=bool)
        short[1:] = same & (rest < TURNAROUND_MINUTES)
        if not short.any():
            return tc
        push = np.zeros(len(tc), dtype=np.int64)
        deficit = TURNAROUND_MINUTES - rest[short[1:]]
        push[short] = -(-deficit // 15) * 15
        for c in times:
            v = tc[c].to_numpy()
            tc[c] = np.where(v >= 0, v + push, v)  # -1 marks "no second meal"
    return tc


def _work(rng: np.random.Generator, facts: ProductionFacts, sc: Scale, roster: pd.DataFrame):
    """Timecards of the hourly crew and the payroll register the sample payroll house writes from them."""
    shoot = _weekdays(facts.principal_photography, facts.shoot_end)
    nd = len(shoot)
    night = rng.random(nd) < sc.night_share
    night[int(rng.integers(nd))] = True  # at least one night shoot: wrap past midnight at every scale
    unit_call = np.where(night, 840 + 15 * rng.integers(0, 9, nd), 360 + 15 * rng.integers(0, 9, nd))
    day_len = np.where(rng.random(nd) < 0.12, 480, 600 + 15 * rng.integers(0, 11, nd))  # worked minutes

    hourly = np.flatnonzero(roster["schedule"].to_numpy() == "hourly")
    e = np.repeat(hourly, nd)
    d = np.tile(np.arange(nd), len(hourly))
    always = roster["role"].isin(_KEYS_ALWAYS_IN).to_numpy()
    keep = always[e] | (rng.random(len(e)) < 0.95)
    e, d = e[keep], d[keep]
    m = len(e)
    offset = rng.choice(np.array([-30, -15, 0, 0, 0]), m)
    delta = rng.choice(np.array([-15, 0, 0, 15, 30, 45, 60, 90]), m)
    worked = np.where(day_len[d] == 480, 480, np.clip(day_len[d] + delta, 480, 840))
    call = unit_call[d] + offset
    b1 = 300 + 15 * rng.integers(0, 5, m)  # first meal within 5-6 hours of call: no meal penalty
    rest = worked - b1
    m1o, m1i = call + b1, call + b1 + 30
    two = rest > 360  # a second meal before the sixth hour after the first
    m2o = np.where(two, m1i + 300, -1)
    m2i = np.where(two, m1i + 330, -1)
    wrap = np.where(two, m1i + 330 + rest - 300, m1i + rest)
    tc = pd.DataFrame({"emp": e, "day": shoot[d], "call": call, "m1o": m1o, "m1i": m1i, "m2o": m2o, "m2i": m2i,
                       "wrap": wrap, "worked": worked})
    tc = _turnaround(tc)
    e, worked = tc["emp"].to_numpy(), tc["worked"].to_numpy()  # in the turned-around frame's order

    lines: list[pd.DataFrame] = []
    rate = roster["rate"].to_numpy()

    def add(emp, period_end, work_date, code, earn, quarters, line_rate, amount):
        k = len(emp)
        lines.append(pd.DataFrame({
            "emp": np.asarray(emp, dtype=np.int64), "period_end": np.asarray(period_end, dtype=np.int64),
            "work_date": np.broadcast_to(np.asarray(work_date, dtype=np.int64), (k,)).copy(),
            "code": np.broadcast_to(np.asarray(code, dtype=object), (k,)).copy(),
            "earn": [earn] * k, "quarters": np.broadcast_to(np.asarray(quarters, dtype=np.int64), (k,)).copy(),
            "rate": np.broadcast_to(np.asarray(line_rate, dtype=np.int64), (k,)).copy(),
            "amount": np.broadcast_to(np.asarray(amount, dtype=np.int64), (k,)).copy(),
        }))

    codes = roster["cost_code"].to_numpy(dtype=object)
    sat = _saturday(tc["day"].to_numpy())
    for earn, q, num, den in (
        ("REG", np.minimum(worked, 480) // 15, 1, 1),
        ("OT_1_5", np.clip(worked - 480, 0, 240) // 15, 3, 2),
        ("OT_2", np.clip(worked - 720, 0, 180) // 15, 2, 1),
        ("OT_3", np.maximum(worked - 900, 0) // 15, 3, 1),  # golden hours (no sample day is that long)
    ):
        has = q > 0
        r = rate[e[has]]
        add(e[has], sat[has], tc["day"].to_numpy()[has], codes[e[has]], earn, q[has], r,
            _half_up_div(r * q[has] * num, 4 * den))

    # Day performers: one FLAT line per day worked (hours blank, amount = the day rate).
    sched = roster["schedule"].to_numpy()
    role = roster["role"].to_numpy()
    for idx in np.flatnonzero(sched == "days_principal"):
        days = shoot[rng.random(nd) < rng.uniform(0.4, 0.9)]
        days = days if len(days) else shoot[:1]
        add(np.full(len(days), idx), _saturday(days), days, codes[idx], "FLAT", -1, rate[idx], rate[idx])
        add(np.full(len(days), idx), _saturday(days), days, "1500-03", "PER_DIEM", -1, PER_DIEM_CENTS,
            PER_DIEM_CENTS)
    for idx in np.flatnonzero(sched == "days_few"):
        k = int(rng.integers(1, 4 if role[idx] == "day_player" else 5))
        days = np.sort(rng.choice(shoot, size=min(k, nd), replace=False))
        add(np.full(len(days), idx), _saturday(days), days, codes[idx], "FLAT", -1, rate[idx], rate[idx])
    pool = np.flatnonzero(sched == "background")
    if len(pool):
        per_day = min(sc.background_per_day, len(pool))
        emp = np.concatenate([rng.choice(pool, size=per_day, replace=False) for _ in range(nd)])
        days = np.repeat(shoot, per_day)
        add(emp, _saturday(days), days, codes[emp], "FLAT", -1, rate[emp], rate[emp])

    # Weekly and flat deals: FLAT per week (work date blank); the writer's one flat payment.
    start = F.day_number(facts.window_start)
    weeks = start + 5 + 7 * np.arange(sc.prep_weeks + sc.shoot_weeks)
    for idx in np.flatnonzero(sched == "weekly_prep_shoot"):
        add(np.full(len(weeks), idx), weeks, NO_DATE, codes[idx], "FLAT", -1, rate[idx], rate[idx])
    late = weeks[max(0, sc.prep_weeks - 2):]
    for idx in np.flatnonzero(sched == "weekly_late_prep_shoot"):
        add(np.full(len(late), idx), late, NO_DATE, codes[idx], "FLAT", -1, rate[idx], rate[idx])
    for idx in np.flatnonzero(sched == "flat_once"):
        add([idx], [weeks[0]], NO_DATE, codes[idx], "FLAT", -1, rate[idx], rate[idx])

    # Non-pensionable lines: kit rental (makeup, weekly), mileage (PAs, weekly).
    worked_weeks = tc.assign(we=sat)[["emp", "we"]].drop_duplicates().sort_values(["emp", "we"])
    kit = worked_weeks[role[worked_weeks["emp"].to_numpy()] == "makeup"]
    add(kit["emp"], kit["we"], NO_DATE, "3100-03", "KIT_RENTAL", -1, KIT_RENTAL_CENTS, KIT_RENTAL_CENTS)
    pas = worked_weeks[role[worked_weeks["emp"].to_numpy()] == "pa"]
    miles = rng.integers(40, 201, len(pas))
    amt = _half_up_div(miles * MILEAGE_RATE_MILLICENTS, 1000)
    add(pas["emp"], pas["we"], NO_DATE, "3500-03", "MILEAGE", -1, amt, amt)

    pay = pd.concat(lines, ignore_index=True)
    pay["classification"] = roster["classification"].to_numpy()[pay["emp"].to_numpy()]
    pay["fault"] = ""
    pay["field"] = ""
    return tc, pay


def _payroll_faults(rng: np.random.Generator, facts: ProductionFacts, sc: Scale, roster: pd.DataFrame,
                    pay: pd.DataFrame, rates: dict[str, float]) -> pd.DataFrame:
    """Give rows of the register exactly one payroll fault each (see FAULT_RATES["payroll"])."""
    n = len(pay)
    taken = np.zeros(n, dtype=bool)
    card = rate_card(facts.budget_tier)
    sched = roster["schedule"].to_numpy()[pay["emp"].to_numpy()]
    role = roster["role"].to_numpy()[pay["emp"].to_numpy()]
    earn = pay["earn"].to_numpy()
    # Days without overtime, so a REG line's rate is the only thing at fault.
    ot_days = set(zip(pay.loc[earn == "OT_1_5", "emp"], pay.loc[earn == "OT_1_5", "work_date"], strict=True))
    no_ot = np.array([(a, b) not in ot_days for a, b in zip(pay["emp"], pay["work_date"], strict=True)])
    performer_day = (earn == "FLAT") & np.isin(role, ["principal", "day_player", "stunt", "background_pool"])
    hourly_reg = (earn == "REG") & (sched == "hourly")
    iatse_reg = hourly_reg & (roster["union"].to_numpy()[pay["emp"].to_numpy()] == "IATSE")

    fault = np.full(n, "", dtype=object)
    ffield = np.full(n, "", dtype=object)

    def count(name: str) -> int:
        return _n_faults(rates[name], n)

    for i in _pick(rng, performer_day | (hourly_reg & no_ot), taken, count("below_scale")):
        low = card[pay.at[i, "classification"]].min_cents * 4 // 5
        pay.at[i, "rate"] = low
        q = pay.at[i, "quarters"]
        pay.at[i, "amount"] = low if q < 0 else int(_half_up_div(np.array([low * q]), 4)[0])
        fault[i], ffield[i] = "below_scale", "rate"
    for i in _pick(rng, earn == "OT_1_5", taken, count("overtime_underpaid")):
        pay.at[i, "amount"] = int(_half_up_div(np.array([pay.at[i, "rate"] * pay.at[i, "quarters"]]), 4)[0])
        fault[i], ffield[i] = "overtime_underpaid", "amount"
    performers = (earn == "FLAT") & np.isin(role, ["principal", "day_player", "stunt"])
    for j, i in enumerate(_pick(rng, performers | iatse_reg, taken, count("misclassified_position"))):
        pay.at[i, "code"] = "1400-01" if pay.at[i, "code"] not in ("1400-01", "1400-02", "1400-03") else (
            "2500-01" if j % 2 else "3300-01")
        fault[i], ffield[i] = "misclassified_position", "cost_code"
    for i in _pick(rng, iatse_reg, taken, count("unknown_classification")):
        pay.at[i, "classification"] = UNKNOWN_CLASSIFICATIONS[int(rng.integers(len(UNKNOWN_CLASSIFICATIONS)))]
        fault[i], ffield[i] = "unknown_classification", "classification"
    pay["fault"], pay["field"] = fault, ffield
    # Negative gross: a voided weekly check in a wrap week the person did not work (their only line then).
    dga = np.flatnonzero(np.isin(roster["schedule"].to_numpy(), ["weekly_prep_shoot", "weekly_late_prep_shoot"]))
    wrap_weeks = F.day_number(facts.shoot_end) + 1 + 7 * np.arange(1, max(2, sc.wrap_weeks))
    wrap_weeks = wrap_weeks[wrap_weeks <= F.day_number(facts.window_end)]
    slots = [(a, w) for a in dga for w in wrap_weeks]
    k = min(count("negative_gross"), len(slots))
    voids = [slots[j] for j in np.sort(rng.choice(len(slots), size=k, replace=False))]
    extra = pd.DataFrame({
        "emp": [a for a, _ in voids], "period_end": [w for _, w in voids], "work_date": NO_DATE,
        "code": [roster.at[a, "cost_code"] for a, _ in voids], "earn": "FLAT", "quarters": -1,
        "rate": [roster.at[a, "rate"] for a, _ in voids], "amount": [-roster.at[a, "rate"] for a, _ in voids],
        "classification": [roster.at[a, "classification"] for a, _ in voids],
        "fault": "negative_gross", "field": "amount",
    })
    return pd.concat([pay, extra], ignore_index=True)


def _write_people(out: _Out, rng: np.random.Generator, roster: pd.DataFrame, tc: pd.DataFrame,
                  pay: pd.DataFrame, rates: dict[str, dict[str, float]]) -> None:
    # Timecards: one file per week, as the timecard app exports them.
    tc = tc.sort_values(["day", "emp"], kind="stable").reset_index(drop=True)
    tc["we"] = _saturday(tc["day"].to_numpy())
    tc = tc.sort_values(["we", "emp", "day"], kind="stable").reset_index(drop=True)
    n = len(tc)
    taken = np.zeros(n, dtype=bool)
    # A payroll fault that only a timecard can reveal keeps its timecard clean.
    ot = pay.loc[pay["fault"] == "overtime_underpaid", ["emp", "work_date"]]
    taken |= pd.MultiIndex.from_arrays([tc["emp"], tc["day"]]).isin(
        pd.MultiIndex.from_arrays([ot["emp"], ot["work_date"]]))
    tfmt = "%Y-%m-%d"
    cols = {
        "employee_id": F.lookup(roster["emp_id"].tolist(), tc["emp"]),
        "employee": F.lookup(roster["name"].tolist(), tc["emp"]),
        "dept": F.lookup(roster["occ_code"].tolist(), tc["emp"]),
        "work_date": F.date_strings(tc["day"].to_numpy(), tfmt),
    }
    for k, src in (("call_time", "call"), ("meal1_out", "m1o"), ("meal1_in", "m1i"), ("meal2_out", "m2o"),
                   ("meal2_in", "m2i"), ("wrap_time", "wrap")):
        v = tc[src].to_numpy()
        cols[k] = pc.if_else(pa.array(v < 0), "", F.time_strings(np.maximum(v, 0)))
    overrides: dict[str, dict[int, str]] = {k: {} for k in cols}
    flt: dict[int, tuple[str, str]] = {}
    tr = rates["timecard"]
    for i in _pick(rng, np.ones(n, bool), taken, _n_faults(tr["missing_field"], n)):
        fld = ("call_time", "wrap_time")[int(rng.integers(2))]
        overrides[fld][i] = ""
        flt[i] = ("missing_field", fld)
    for i in _pick(rng, np.ones(n, bool), taken, _n_faults(tr["malformed_date"], n)):
        overrides["work_date"][i] = BAD_DATES[tfmt][int(rng.integers(len(BAD_DATES[tfmt])))]
        flt[i] = ("malformed_date", "work_date")
    for i in _pick(rng, np.ones(n, bool), taken, _n_faults(tr["malformed_value"], n)):
        fld = ("call_time", "meal1_out", "wrap_time")[int(rng.integers(3))]
        overrides[fld][i] = BAD_TIMES[int(rng.integers(len(BAD_TIMES)))]
        flt[i] = ("malformed_value", fld)
    cols = {k: _override(v, overrides[k]) for k, v in cols.items()}
    header = (("employee_id", "Emp ID"), ("", "Employee"), ("", "Dept"), ("work_date", "Work Date"),
              ("call_time", "Call"), ("meal1_out", "Meal 1 Out"), ("meal1_in", "Meal 1 In"),
              ("meal2_out", "Meal 2 Out"), ("meal2_in", "Meal 2 In"), ("wrap_time", "Wrap"))
    keys = ("employee_id", "employee", "dept", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out",
            "meal2_in", "wrap_time")
    we = tc["we"].to_numpy()
    bounds = np.flatnonzero(np.diff(we)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
        tag = F.to_date(we[lo]).isoformat()
        out.write(
            f"timecards/timecards_we_{tag}.csv", "timecard", f"timecards_we_{tag.replace('-', '')}",
            [(c, h, cols[k].slice(lo, hi - lo)) for (c, h), k in zip(header, keys, strict=True)],
            date_format=tfmt, faults=[(i - lo, *flt[i]) for i in range(lo, hi) if i in flt],
        )

    # Payroll register: one file, sorted as the payroll house prints it.
    pay = pay.assign(
        _wd=np.where(pay["work_date"] < 0, 10**9, pay["work_date"]),
        _eo=pay["earn"].map(_EARN_ORDER),
        _id=roster["emp_id"].to_numpy()[pay["emp"].to_numpy()],
    ).sort_values(["period_end", "_id", "_wd", "_eo"], kind="stable").reset_index(drop=True)
    emp = pay["emp"].to_numpy()
    pfmt = "%m/%d/%Y"
    wd = pay["work_date"].to_numpy()
    q = pay["quarters"].to_numpy()
    columns = [
        ("employee_id", "Emp ID", pa.array(pay["_id"].tolist(), pa.string())),
        ("employee_name", "Employee Name", F.lookup(roster["name"].tolist(), emp)),
        ("union", "Union", F.lookup(roster["union"].tolist(), emp)),
        ("", "Occ Code", F.lookup(roster["occ_code"].tolist(), emp)),
        ("classification", "Classification", pa.array(pay["classification"].tolist(), pa.string())),
        ("state", "State", pa.array(["CA"] * len(pay), pa.string())),
        ("period_end", "Wk Ending", F.date_strings(pay["period_end"].to_numpy(), pfmt)),
        ("work_date", "Work Date", pc.if_else(pa.array(wd < 0), "", F.date_strings(np.maximum(wd, 0), pfmt))),
        ("cost_code", "Acct", pa.array(pay["code"].tolist(), pa.string())),
        ("earning_type", "Earn Type", pa.array(pay["earn"].tolist(), pa.string())),
        ("hours", "Hours", pc.if_else(pa.array(q == -1), "", F.hours_strings(np.maximum(q, 0)))),
        ("rate", "Rate", F.rate_strings(pay["rate"].to_numpy())),
        ("amount", "Amount", F.money_strings(pay["amount"].to_numpy(), "plain2")),
        ("episode", "Episode", pa.array([""] * len(pay), pa.string())),
    ]
    fr = pay.index[pay["fault"] != ""]
    out.write("payroll/payroll_register.csv", "payroll", "payroll_register", columns, date_format=pfmt,
              faults=[(i, pay.at[i, "fault"], pay.at[i, "field"]) for i in fr])


def _override(col: pa.Array, values: dict[int, str]) -> pa.Array:
    if not values:
        return col
    mask = np.zeros(len(col), dtype=bool)
    idx = np.array(sorted(values), dtype=np.int64)
    mask[idx] = True
    return pc.replace_with_mask(col, pa.array(mask), pa.array([values[i] for i in idx], pa.string()))


# --- budget ------------------------------------------------------------------------------------


def _budget(rng: np.random.Generator, chart: ChartOfAccounts, sc: Scale, pay: pd.DataFrame) -> dict[str, int]:
    """Locked budget in cents by detail code: payroll plan + weighted non-labor + fringes + contingency + bond."""
    paid = pay[pay["amount"] > 0].groupby("code")["amount"].sum().to_dict()
    paid_budget = {c: int(v * rng.uniform(1.0, 1.12)) // 10_000 * 10_000 + 10_000 for c, v in sorted(paid.items())}
    weights = dict(sorted(BUDGET_WEIGHTS.items()))
    labor_w = sum(w for c, w in weights.items() if c in LABOR_CODES) / sum(weights.values())
    # Shaping a random budget (weights and targets); every amount written is whole cents.
    fringe = float(sum(FRINGE_SHARES.values()))  # float-ok: a random draw's weight, not an amount
    target = sc.budget_total * 100 / float((1 + CONTINGENCY_SHARE) * (1 + BOND_SHARE))  # float-ok: shaping
    paid_labor = sum(v for c, v in paid_budget.items() if c in LABOR_CODES)
    paid_other = sum(v for c, v in paid_budget.items() if c not in LABOR_CODES)
    nonlabor = max(0.25 * target, (target - paid_labor * (1 + fringe) - paid_other) / (1 + fringe * labor_w))
    total_w = sum(weights.values())
    lines: dict[str, int] = {}
    for c, w in weights.items():
        lines[c] = int(nonlabor * w / total_w * rng.uniform(0.8, 1.2)) // 10_000 * 10_000 + 10_000
    for c, v in paid_budget.items():
        lines[c] = lines.get(c, 0) + v
    labor_by_fringe: dict[str, int] = {}
    for c, v in lines.items():
        acct = chart.accounts[chart.details[c].account]
        if c in LABOR_CODES and acct.fringe_account:
            labor_by_fringe[acct.fringe_account] = labor_by_fringe.get(acct.fringe_account, 0) + v
    for fa, base in sorted(labor_by_fringe.items()):
        for d in chart.details.values():
            nn = d.code.split("-")[1]
            if d.account == fa and nn in FRINGE_SHARES:
                lines[d.code] = int(base * FRINGE_SHARES[nn]) // 100 * 100
    subtotal = sum(lines.values())
    contingency = int(subtotal * CONTINGENCY_SHARE) // 100 * 100
    lines["8000-01"] = contingency
    lines["8100-01"] = int((subtotal + contingency) * BOND_SHARE) // 100 * 100
    missing = [c for c, d in chart.details.items() if c not in lines and not chart.accounts[d.account].is_fringe]
    if missing:  # pragma: no cover - catalog and chart out of step
        raise ValueError(f"budget has no line for {missing}")
    return dict(sorted(lines.items()))


def _write_budget(out: _Out, chart: ChartOfAccounts, facts: ProductionFacts, lines: dict[str, int]) -> None:
    codes = list(lines)
    out.write(
        f"budget/budget_{facts.budget_version}.csv", "budget", "budget_locked",
        [("cost_code", "Account", pa.array(codes, pa.string())),
         ("description", "Description", pa.array([chart.details[c].name for c in codes], pa.string())),
         ("amount", "Total", F.money_strings(np.array([lines[c] for c in codes], dtype=np.int64), "plain2"))],
    )


# --- invoices and purchase orders --------------------------------------------------------------


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


def _phase_days(facts: ProductionFacts, phase: str) -> np.ndarray:
    pp, se = facts.principal_photography, facts.shoot_end
    if phase == "prep":
        return _weekdays(facts.window_start, pp)
    if phase == "shoot":
        return _weekdays(pp, se)
    if phase == "post":
        return _weekdays(se, facts.window_end)
    return _weekdays(facts.window_start, facts.window_end)


@dataclass
class _Invoices:
    """All invoice rows (final file order) with what the bank and PO register need."""

    vendor: np.ndarray
    date: np.ndarray
    cents: np.ndarray
    clean: np.ndarray
    po: np.ndarray  # PO index or -1
    code: np.ndarray
    po_numbers: list[str]


def _invoices(rng: np.random.Generator, out: _Out, chart: ChartOfAccounts, facts: ProductionFacts, sc: Scale,
              n_lines: int, budget: dict[str, int], rates: dict[str, float]) -> _Invoices:
    vendors = VENDORS[: sc.vendors]
    nv = len(vendors)
    codes = sorted(chart.details)
    code_ix = {c: i for i, c in enumerate(codes)}
    n_dup = _n_faults(rates["duplicate_invoice"], n_lines)
    n = n_lines - n_dup
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
        days = _phase_days(facts, vd.phase)
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
    kinds = ("unknown_cost_code", "ambiguous_cost_code", "malformed_amount", "missing_field",
             "date_out_of_window", "malformed_date")
    chosen = {kd: _pick(rng, np.ones(n, bool), taken, _n_faults(rates[kd], n_lines)) for kd in kinds}
    dup_src = _pick(rng, np.ones(n, bool), taken, n_dup)

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
    over: dict[str, dict[int, str]] = {k: {} for k in ("invoice_number", "invoice_date", "cost_code", "amount")}
    fault[is_dup] = "duplicate_invoice"
    ffield[is_dup] = "invoice_number"
    win_start, win_end = F.day_number(facts.window_start), F.day_number(facts.window_end)
    multi = set(_multi_detail_accounts(chart))
    for kd, rows in chosen.items():
        for r in rows:
            i = int(where_final[r])
            vd = vendors[vendor[r]]
            st = STYLES[vd.style]
            fault[i] = kd
            if kd == "unknown_cost_code":
                ffield[i] = "cost_code"
                over["cost_code"][i] = F.code_spelling(UNKNOWN_CODES[int(rng.integers(len(UNKNOWN_CODES)))],
                                                       st.code_spelling)
            elif kd == "ambiguous_cost_code":
                acct = chart.details[codes[code[r]]].account
                ffield[i] = "cost_code"
                over["cost_code"][i] = acct if acct in multi else "2500"
            elif kd == "malformed_amount":
                bad = BAD_AMOUNTS_EU if st.money_locale == "eu" else BAD_AMOUNTS_US
                ffield[i] = "amount"
                over["amount"][i] = bad[int(rng.integers(len(bad)))]
            elif kd == "missing_field":
                fld = ("invoice_number", "invoice_date", "amount")[int(rng.integers(3))]
                ffield[i] = fld
                over[fld][i] = ""
            elif kd == "date_out_of_window":
                d = int(day[r]) - 365 if rng.random() < 0.5 else int(day[r]) + 365
                assert not win_start <= d <= win_end
                ffield[i] = "invoice_date"
                over["invoice_date"][i] = F.format_date(F.to_date(d), st.date_format)
            elif kd == "malformed_date":
                bad = BAD_DATES[st.date_format]
                ffield[i] = "invoice_date"
                over["invoice_date"][i] = bad[int(rng.integers(len(bad)))]

    # PO numbers in date order of each PO's first line.
    n_po = int(po.max()) + 1 if (po >= 0).any() else 0
    first_day = np.full(n_po, np.iinfo(np.int64).max)
    np.minimum.at(first_day, po[po >= 0], day[po >= 0])
    po_order = np.argsort(first_day, kind="stable")
    po_rank = np.empty(n_po, dtype=np.int64)
    po_rank[po_order] = np.arange(n_po)
    po_numbers = [f"PO-{10001 + i}" for i in range(n_po)]
    po = np.where(po >= 0, po_rank[np.maximum(po, 0)], -1)

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
            values[k] = _override(values[k], local_over)
        extra = {"Terms": "Net 30", "Waehrung": "USD"}
        cols = [(c, h, values[c] if c else pa.array([extra[h]] * (hi - lo), pa.string())) for c, h in st.columns]
        tag = f"_{F.to_date(int(day[s].min())).strftime('%Y-%m')}" if vd.split_monthly else ""
        rel = f"invoices/{vd.slug}/{vd.slug}{tag}.csv" if vd.split_monthly else f"invoices/{vd.slug}.csv"
        sid = f"{vd.slug}{tag.replace('-', '')}"
        out.write(rel, "invoice", sid, cols, date_format=st.date_format, money_locale=st.money_locale,
                  delimiter=st.delimiter, eol=st.eol, encoding=st.encoding,
                  constants={"vendor_id": vd.vendor_id, "vendor_name": vd.name},
                  default_cost_code=vd.default_cost_code if vd.blank_code_share else None,
                  faults=[(i - lo, fault[i], ffield[i]) for i in range(lo, hi) if fault[i]])
    clean = np.ones(n, dtype=bool)
    for rows in chosen.values():
        clean[rows] = False
    return _Invoices(vendor, day, cents, clean, po, code, po_numbers)


def _purchase_orders(rng: np.random.Generator, out: _Out, chart: ChartOfAccounts, facts: ProductionFacts,
                     sc: Scale, inv: _Invoices, rates: dict[str, float]) -> None:
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
    win_start, win_end = F.day_number(facts.window_start), F.day_number(facts.window_end)
    pdate = np.maximum(win_start, first - rng.integers(0, 11, n_ref))
    pamount = (np.ceil(amt * rng.uniform(1.0, 1.25, n_ref) / 10_000) * 10_000).astype(np.int64)
    pstatus = np.where(rng.random(n_ref) < 0.7, "approved", "closed").astype(object)
    # Unreferenced POs: drafts, cancellations, open commitments. Faults go on these only.
    fault_kinds = ("unknown_cost_code", "ambiguous_cost_code", "malformed_amount", "missing_field",
                   "date_out_of_window", "malformed_date")
    n_faults = sum(_n_faults(rates[k], n_ref + sc.purchase_orders_extra) for k in fault_kinds)
    n_x = max(sc.purchase_orders_extra, 2 * n_faults)
    xv = rng.integers(0, len(vendors), n_x)
    xcode = np.array([codes.index(vendors[v].codes[int(rng.integers(len(vendors[v].codes)))][0]) for v in xv])
    days = _weekdays(facts.window_start, facts.window_end)
    xdate = days[rng.integers(0, len(days), n_x)]
    xamount = (rng.lognormal(8.5, 1.0, n_x)).astype(np.int64) * 100
    xstatus = rng.choice(np.array(["draft", "cancelled", "approved"], dtype=object), n_x, p=[.4, .3, .3])
    xstatus[:3] = ["draft", "cancelled", "approved"]  # each status on a clean row at every scale
    v_all = np.r_[pvendor, xv]
    c_all = np.r_[pcode, xcode]
    d_all = np.r_[pdate, xdate]
    a_all = np.r_[pamount, xamount]
    s_all = np.r_[pstatus, xstatus]
    numbers = inv.po_numbers + [f"PO-{10001 + n_ref + i}" for i in range(n_x)]
    order = np.lexsort((np.arange(len(numbers)), d_all))
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
    over, faults = _row_faults(rng, fault_kinds, n, taken, rates, chart, d_all[order], fmt, (win_start, win_end),
                               "po_date", ("po_number", "po_date", "amount", "status"), set(values))
    values = {k: _override(v, over[k]) for k, v in values.items()}
    header = (("po_number", "PO Number"), ("vendor_id", "Vendor No"), ("vendor_name", "Vendor Name"),
              ("po_date", "PO Date"), ("cost_code", "GL Account"), ("description", "Description"),
              ("amount", "PO Amount"), ("status", "Status"))
    out.write("purchase_orders/po_register.csv", "purchase_order", "po_register",
              [(c, h, values[c]) for c, h in header], date_format=fmt, faults=sorted(faults))


def _multi_detail_accounts(chart: ChartOfAccounts) -> list[str]:
    """Accounts with several detail codes: written bare, they are AMBIGUOUS_COST_CODE."""
    return sorted({a for a in chart.accounts if sum(1 for d in chart.details.values() if d.account == a) > 1})


def _row_faults(rng: np.random.Generator, kinds: tuple[str, ...], n: int, taken: np.ndarray, rates: dict[str, float],
                chart: ChartOfAccounts, days: np.ndarray, fmt: str, window: tuple[int, int], date_field: str,
                required: tuple[str, ...], fields: set[str]) -> tuple[dict[str, dict[int, str]], list[tuple]]:
    """One fault per chosen row of a flat export (POs, petty cash): the overridden cells and the manifest rows."""
    over: dict[str, dict[int, str]] = {k: {} for k in fields}
    faults = []
    multi = _multi_detail_accounts(chart)
    for kd in kinds:
        for i in _pick(rng, np.ones(n, bool), taken, _n_faults(rates[kd], n)):
            if kd == "unknown_cost_code":
                fld, val = "cost_code", UNKNOWN_CODES[int(rng.integers(len(UNKNOWN_CODES)))]
            elif kd == "ambiguous_cost_code":
                fld, val = "cost_code", multi[int(rng.integers(len(multi)))]
            elif kd == "malformed_amount":
                fld, val = "amount", BAD_AMOUNTS_US[int(rng.integers(len(BAD_AMOUNTS_US)))]
            elif kd == "missing_field":
                fld, val = required[int(rng.integers(len(required)))], ""
            elif kd == "date_out_of_window":
                d = int(days[i]) + (365 if rng.random() < 0.5 else -365)
                assert not window[0] <= d <= window[1]
                fld, val = date_field, F.format_date(F.to_date(d), fmt)
            else:
                fld, val = date_field, BAD_DATES[fmt][int(rng.integers(len(BAD_DATES[fmt])))]
            over[fld][int(i)] = val
            faults.append((int(i), kd, fld))
    return over, faults


# --- petty cash --------------------------------------------------------------------------------


def _petty_cash(rng: np.random.Generator, out: _Out, chart: ChartOfAccounts, facts: ProductionFacts,
                sc: Scale, roster: pd.DataFrame, rates: dict[str, float]) -> pd.DataFrame:
    custodians = roster.loc[roster["role"].isin(["pa", "second_ad", "first_ad"]), "name"].tolist()
    ne = sc.petty_cash_envelopes
    per = rng.integers(8, 21, ne)
    env = np.repeat(np.arange(ne), per)
    n = len(env)
    days = _weekdays(facts.window_start, facts.shoot_end)
    env_start = np.sort(days[rng.integers(0, max(1, len(days) - 8), ne)])
    day = env_start[env] + rng.integers(0, 10, n)
    day = np.minimum(day, F.day_number(facts.window_end))
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
    win_start, win_end = F.day_number(facts.window_start), F.day_number(facts.window_end)
    kinds = ("unknown_cost_code", "ambiguous_cost_code", "malformed_amount", "missing_field", "date_out_of_window",
             "malformed_date")
    over, faults = _row_faults(rng, kinds, n, taken, rates, chart, day, fmt, (win_start, win_end), "receipt_date",
                               ("envelope_id", "custodian", "receipt_date", "amount"), set(values))
    values = {k: _override(v, over[k]) for k, v in values.items()}
    header = (("envelope_id", "Envelope #"), ("custodian", "Custodian"), ("receipt_date", "Receipt Date"),
              ("cost_code", "Account"), ("description", "Description"), ("amount", "Amount"))
    out.write("petty_cash/petty_cash_envelopes.csv", "petty_cash", "petty_cash", [(c, h, values[c]) for c, h in header],
              date_format=fmt, faults=sorted(faults))
    clean = ~taken
    return pd.DataFrame({"env": env[clean], "day": day[clean], "cents": cents[clean], "cust": cust[clean]})


# --- bank --------------------------------------------------------------------------------------


def _bank(rng: np.random.Generator, out: _Out, facts: ProductionFacts, sc: Scale, inv: _Invoices,
          pay: pd.DataFrame, petty: pd.DataFrame) -> None:
    """Bank feed: vendor payments (net 30 check runs on Fridays), payroll funding, petty cash, fees, funding."""
    vendors = VENDORS[: sc.vendors]
    end = F.day_number(facts.window_end)
    start = F.day_number(facts.window_start)
    last_friday = end - ((end + 3) % 7 - 4) % 7
    rows: list[pd.DataFrame] = []
    # Vendor check runs: clean invoices paid the first Friday 30+ days after their date.
    ok = inv.clean
    due = inv.date[ok] + 30
    friday = np.minimum(due + (4 - (due + 3) % 7) % 7, last_friday)
    runs = pd.DataFrame({"v": inv.vendor[ok], "d": friday, "c": inv.cents[ok]})
    runs = runs.groupby(["d", "v"], sort=True)["c"].sum()
    runs = runs[runs > 0].reset_index()
    rows.append(pd.DataFrame({
        "d": runs["d"], "o": 1, "c": -runs["c"],
        "desc": [f"ACH PAYMENT {vendors[v].name.upper()}" for v in runs["v"]],
        "ref": [f"ACH{vendors[v].vendor_id[2:]}{F.to_date(d):%m%d}" for v, d in zip(runs["v"], runs["d"], strict=True)],
    }))
    # Payroll funding: the week's register total, wired the Wednesday after the period end.
    week = pay.groupby("period_end")["amount"].sum().reset_index()
    rows.append(pd.DataFrame({
        "d": np.minimum(week["period_end"] + 4, end), "o": 2, "c": -week["amount"],
        "desc": [f"WIRE OUT PAYROLL FUNDING W/E {F.to_date(d):%m/%d/%Y}" for d in week["period_end"]],
        "ref": [f"PR{F.to_date(d):%Y%m%d}" for d in week["period_end"]],
    }))
    # Petty cash replenishment: the envelope's clean receipts, by check to the custodian.
    env = petty.groupby("env").agg(d=("day", "max"), c=("cents", "sum"), cust=("cust", "first")).reset_index()
    rows.append(pd.DataFrame({
        "d": np.minimum(env["d"] + 3, end), "o": 3, "c": -env["c"],
        "desc": [f"CHECK PETTY CASH PC-{e + 1:04d} {c.upper()}" for e, c in zip(env["env"], env["cust"], strict=True)],
        "ref": [f"CHK{7001 + e}" for e in env["env"]],
    }))
    # Monthly service charge on the last weekday of each month.
    days = _weekdays(facts.window_start, facts.window_end)
    mon = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    month_end = days[np.r_[np.flatnonzero(np.diff(mon)), len(days) - 1]]
    rows.append(pd.DataFrame({"d": month_end, "o": 4, "c": -3500, "desc": "SERVICE CHARGE", "ref": ""}))
    feed = pd.concat(rows, ignore_index=True)
    # Funding wires: each month's outflows (rounded up to $10,000) arrive on its first weekday.
    fmon = feed["d"].to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    need = pd.Series(-feed["c"].to_numpy()).groupby(fmon).sum()
    first_day = {m: int(days[mon == m].min()) for m in np.unique(mon)}
    fund = pd.DataFrame({
        "d": [first_day.get(m, start) for m in need.index], "o": 0,
        "c": [-(-int(v) // 1_000_000) * 1_000_000 for v in need.to_numpy()],
        "desc": "WIRE IN STUDIO FUNDING", "ref": [f"FND{i + 1:03d}" for i in range(len(need))],
    })
    feed = pd.concat([fund, feed], ignore_index=True).sort_values(["d", "o", "ref"], kind="stable")
    feed = feed.reset_index(drop=True)
    cents = feed["c"].to_numpy(dtype=np.int64)
    fmt = "%Y%m%d"
    ids = [f"{F.to_date(d):%Y%m%d}{i:06d}" for i, d in enumerate(feed["d"], start=1)]
    columns = [
        ("transaction_id", "Transaction ID", pa.array(ids, pa.string())),
        ("posted_date", "Post Date", F.date_strings(feed["d"].to_numpy(), fmt)),
        ("description", "Description", pa.array(feed["desc"].tolist(), pa.string())),
        ("reference", "Reference", pa.array(feed["ref"].tolist(), pa.string())),
        ("amount", "Amount", F.money_strings(cents, "trailing_minus")),
        ("", "Running Balance", F.money_strings(np.cumsum(cents), "trailing_minus")),
    ]
    out.write("bank/bank_feed.csv", "bank", "bank_feed", columns, date_format=fmt)


# --- entry point -------------------------------------------------------------------------------


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
    sc: Scale = SCALES[scale]
    n_inv = sc.invoice_lines if invoice_lines is None else int(invoice_lines)
    rates = _rates(fault_rates)
    root = Path(out_dir)
    if (root / "manifest.json").exists():  # a previous sample: clear it so no stale file survives
        for sub in ("budget", "invoices", "purchase_orders", "timecards", "payroll", "petty_cash", "bank"):
            shutil.rmtree(root / sub, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    out = _Out(root)
    chart = get_chart("feature_us_sample")
    facts = production_facts(sc)

    roster = _roster(_rng(seed, "roster"), sc, facts.budget_tier)
    tc, pay = _work(_rng(seed, "work"), facts, sc, roster)
    pay = _payroll_faults(_rng(seed, "pfaults"), facts, sc, roster, pay, rates["payroll"])
    budget = _budget(_rng(seed, "budget"), chart, sc, pay)
    _write_budget(out, chart, facts, budget)
    inv = _invoices(_rng(seed, "invoices"), out, chart, facts, sc, n_inv, budget, rates["invoice"])
    _purchase_orders(_rng(seed, "po"), out, chart, facts, sc, inv, rates["purchase_order"])
    _write_people(out, _rng(seed, "tfaults"), roster, tc, pay, rates)
    petty = _petty_cash(_rng(seed, "petty"), out, chart, facts, sc, roster, rates["petty_cash"])
    _bank(_rng(seed, "bank"), out, facts, sc, inv, pay, petty)

    (root / "production.yaml").write_text(
        "# Sample production facts (prodlib.sample): every date of every export must fall in `window`.\n"
        + yaml.safe_dump(facts.to_yaml_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    (root / "sources.yaml").write_text(
        "# How each raw export maps to prodlib's canonical columns (docs/ARCHITECTURE.md).\n"
        + yaml.safe_dump({"production": "production.yaml", "sources": out.sources}, sort_keys=False,
                         allow_unicode=True, width=200), encoding="utf-8")
    manifest = Manifest(
        seed=seed, scale=scale, invoice_lines=n_inv, generated_by=GENERATED_BY,
        files=dict(sorted(out.files.items())),
        faults=tuple(sorted(out.faults, key=lambda f: (f.file, f.line))),
        fault_rates=rates,
    )
    manifest.write(root / "manifest.json")
    return manifest

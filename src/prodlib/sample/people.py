"""People and payroll: the roster, the days they work, their timecards and the payroll register.

Hourly crew are paid from their timecards (REG 0-8 h, OT_1_5 8-12 h, OT_2 over 12 h a day, in
quarter hours); day performers per day worked; DGA and writers by the week or the deal; plus the
non-pensionable lines (per diem, kit rental, mileage). Amounts are integer cents computed exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.reasons import Reason
from prodlib.sample import formats as F
from prodlib.sample.catalog import (
    FIRST_NAMES,
    KIT_RENTAL_CENTS,
    LAST_NAMES,
    MILEAGE_RATE_MILLICENTS,
    PAY_STEP_CENTS,
    PER_DIEM_CENTS,
    ROLES,
    rate_card,
)
from prodlib.sample.faults import CellSpelling, inject, n_faults, override, overrides
from prodlib.sample.model import ExpectedFinding, SampleProduction
from prodlib.sample.units import NO_DATE, day_number, half_up_div, to_date, week_ending, weekdays
from prodlib.sample.writers import ExportFolder


def roster(rng: np.random.Generator, sp: SampleProduction) -> pd.DataFrame:
    """The people the sample pays, each with a deal rate drawn from the rate card (never below the minimum)."""
    sc = sp.scale
    card = rate_card(sp.production.budget_tier, sp.production.pp_date)  # writers: their budget tier's minimum
    keys, rates = [], []
    for role in ROLES:
        n = sc.crew.get(role.key, 0)
        if not n:
            continue
        rl = card[role.classification]
        step = PAY_STEP_CENTS[rl.unit]
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


EARN_ORDER = {"REG": 0, "OT_1_5": 1, "OT_2": 2, "OT_3": 3, "FLAT": 4, "PER_DIEM": 5, "KIT_RENTAL": 6, "MILEAGE": 7}
KEYS_ALWAYS_IN = frozenset({"key_grip", "gaffer", "camera_operator", "property_master"})


#: The sample production schedules at least this turnaround (wrap to next call, minutes), so its
#: clean timecards never invade the rest period (10 h for IATSE crew, 12 h for DGA ADs).
TURNAROUND_MINUTES = 720


def turnaround(tc: pd.DataFrame) -> pd.DataFrame:
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


def work(rng: np.random.Generator, sp: SampleProduction, roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Timecards of the hourly crew and the payroll register the sample payroll house writes from them."""
    sc = sp.scale
    shoot = weekdays(sp.production.pp_date, sp.shoot_end)
    nd = len(shoot)
    night = rng.random(nd) < sc.night_share
    night[int(rng.integers(nd))] = True  # at least one night shoot: wrap past midnight at every scale
    unit_call = np.where(night, 840 + 15 * rng.integers(0, 9, nd), 360 + 15 * rng.integers(0, 9, nd))
    day_len = np.where(rng.random(nd) < 0.12, 480, 600 + 15 * rng.integers(0, 11, nd))  # worked minutes

    hourly = np.flatnonzero(roster["schedule"].to_numpy() == "hourly")
    e = np.repeat(hourly, nd)
    d = np.tile(np.arange(nd), len(hourly))
    always = roster["role"].isin(KEYS_ALWAYS_IN).to_numpy()
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
    tc = turnaround(tc)
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
    sat = week_ending(tc["day"].to_numpy())
    for earn, q, num, den in (
        ("REG", np.minimum(worked, 480) // 15, 1, 1),
        ("OT_1_5", np.clip(worked - 480, 0, 240) // 15, 3, 2),
        ("OT_2", np.clip(worked - 720, 0, 180) // 15, 2, 1),
        ("OT_3", np.maximum(worked - 900, 0) // 15, 3, 1),  # golden hours (no sample day is that long)
    ):
        has = q > 0
        r = rate[e[has]]
        add(e[has], sat[has], tc["day"].to_numpy()[has], codes[e[has]], earn, q[has], r,
            half_up_div(r * q[has] * num, 4 * den))

    # Day performers: one FLAT line per day worked (hours blank, amount = the day rate).
    sched = roster["schedule"].to_numpy()
    role = roster["role"].to_numpy()
    for idx in np.flatnonzero(sched == "days_principal"):
        days = shoot[rng.random(nd) < rng.uniform(0.4, 0.9)]
        days = days if len(days) else shoot[:1]
        add(np.full(len(days), idx), week_ending(days), days, codes[idx], "FLAT", -1, rate[idx], rate[idx])
        add(np.full(len(days), idx), week_ending(days), days, "1500-03", "PER_DIEM", -1, PER_DIEM_CENTS,
            PER_DIEM_CENTS)
    for idx in np.flatnonzero(sched == "days_few"):
        k = int(rng.integers(1, 4 if role[idx] == "day_player" else 5))
        days = np.sort(rng.choice(shoot, size=min(k, nd), replace=False))
        add(np.full(len(days), idx), week_ending(days), days, codes[idx], "FLAT", -1, rate[idx], rate[idx])
    pool = np.flatnonzero(sched == "background")
    if len(pool):
        per_day = min(sc.background_per_day, len(pool))
        emp = np.concatenate([rng.choice(pool, size=per_day, replace=False) for _ in range(nd)])
        days = np.repeat(shoot, per_day)
        add(emp, week_ending(days), days, codes[emp], "FLAT", -1, rate[emp], rate[emp])

    # Weekly and flat deals: FLAT per week (work date blank); the writer's one flat payment.
    start = day_number(sp.production.window_start)
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
    amt = half_up_div(miles * MILEAGE_RATE_MILLICENTS, 1000)
    add(pas["emp"], pas["we"], NO_DATE, "3500-03", "MILEAGE", -1, amt, amt)

    pay = pd.concat(lines, ignore_index=True)
    pay["classification"] = roster["classification"].to_numpy()[pay["emp"].to_numpy()]
    pay["fault"] = ""
    pay["field"] = ""
    return tc, pay


def write_people(out: ExportFolder, rng: np.random.Generator, roster: pd.DataFrame, tc: pd.DataFrame,
                 pay: pd.DataFrame, rates: dict[str, dict[str, float]]) -> None:
    """Write the weekly timecard files and the payroll register, the timecards' faults injected."""
    # Timecards: one file per week, as the timecard app exports them.
    tc = tc.sort_values(["day", "emp"], kind="stable").reset_index(drop=True)
    tc["we"] = week_ending(tc["day"].to_numpy())
    tc = tc.sort_values(["we", "emp", "day"], kind="stable").reset_index(drop=True)
    n = len(tc)
    taken = np.zeros(n, dtype=bool)
    # A day with a payroll fault keeps its timecard clean: an overtime fault needs the card to be seen,
    # and a refused card holds its day's pay lines (TIMECARD_QUARANTINED), which would hide any other.
    faulted = pay.loc[pay["fault"] != "", ["emp", "work_date"]]
    card_day = pd.MultiIndex.from_arrays([tc["emp"], tc["day"]])
    taken |= card_day.isin(pd.MultiIndex.from_arrays([faulted["emp"], faulted["work_date"]]))
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
    tr = rates["timecard"]
    spelling = CellSpelling("work_date", tfmt, blankable=("call_time", "wrap_time"),
                            value_fields=("call_time", "meal1_out", "wrap_time"))
    counts = {kd: n_faults(tr[kd], n) for kd in ("missing_field", "malformed_date", "malformed_value")}
    bad = inject(rng, counts, taken, spelling)
    # The pay lines of a refused card's day wait with it, when the card still names its day.
    held = card_day[[f.row for f in bad if f.field != "work_date"]]
    waits = pd.MultiIndex.from_arrays([pay["emp"], pay["work_date"]]).isin(held)
    pay = pay.assign(fault=np.where(waits, "timecard_quarantined", pay["fault"]),
                     field=np.where(waits, "work_date", pay["field"]))
    over = overrides(bad, cols)
    # One clean overtime day's card says 15 minutes less than the payroll paid (wrap 15 minutes
    # earlier): no pipeline rule refuses pay above what is due, the night's timecard reconciliation
    # finds the gross 0.25 h x rate x 1.5 too high (GROSS_NOT_TIMECARD). Chosen without a draw.
    w = tc["worked"].to_numpy()
    short = next((int(i) for i in np.flatnonzero(~taken & (w > 480) & (w <= 720))), None)  # OT_1_5 band only
    if short is not None:
        over["wrap_time"][short] = F.time_strings(np.array([int(tc.at[short, "wrap"]) - 15]))[0].as_py()
    flt = {f.row: (f.fault, f.field) for f in bad}
    cols = {k: override(v, over[k]) for k, v in cols.items()}
    header = (("employee_id", "Emp ID"), ("", "Employee"), ("", "Dept"), ("work_date", "Work Date"),
              ("call_time", "Call"), ("meal1_out", "Meal 1 Out"), ("meal1_in", "Meal 1 In"),
              ("meal2_out", "Meal 2 Out"), ("meal2_in", "Meal 2 In"), ("wrap_time", "Wrap"))
    keys = ("employee_id", "employee", "dept", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out",
            "meal2_in", "wrap_time")
    we = tc["we"].to_numpy()
    bounds = np.flatnonzero(np.diff(we)) + 1
    unreadable_day = {f.row for f in bad if f.field == "work_date"}
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
        tag = to_date(we[lo]).isoformat()
        rel, sid = f"timecards/timecards_we_{tag}.csv", f"timecards_we_{tag.replace('-', '')}"
        out.write(
            rel, "timecard", sid,
            [(c, h, cols[k].slice(lo, hi - lo)) for (c, h), k in zip(header, keys, strict=True)],
            date_format=tfmt, faults=[(i - lo, *flt[i]) for i in range(lo, hi) if i in flt],
        )
        # A card whose date cannot be read holds nothing: its day's pay lines post, and the night's
        # timecard reconciliation finds them paid without a timecard.
        if short is not None and lo <= short < hi:
            emp_id = str(roster.at[int(tc.at[short, "emp"]), "emp_id"])
            out.findings.append(ExpectedFinding(sid, rel, int(short - lo) + 2, "timecard_short_of_paid_hours",
                                                Reason.GROSS_NOT_TIMECARD.value,
                                                f"timecard {emp_id}/{to_date(int(tc.at[short, 'day'])).isoformat()}"))
        for i in sorted(r for r in unreadable_day if lo <= r < hi):
            emp_id = str(roster.at[int(tc.at[i, "emp"]), "emp_id"])
            out.findings.append(ExpectedFinding(sid, rel, int(i - lo) + 2, "pay_without_readable_timecard",
                                                Reason.PAY_WITHOUT_TIMECARD.value,
                                                f"payroll {emp_id}/{to_date(we[i]).isoformat()}"))

    # Payroll register: one file, sorted as the payroll house prints it.
    pay = pay.assign(
        _wd=np.where(pay["work_date"] < 0, 10**9, pay["work_date"]),
        _eo=pay["earn"].map(EARN_ORDER),
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

"""Fault injection, once for every kind: which rows get a fault, and what the faulty cell says.

Each input kind's exports get their faults here (:data:`catalog.FAULT_RATES`), one per row, each
row recorded in the manifest with the reason the pipeline must give it. Cell faults (a bad code,
amount, date or time, a blank required field) go through one injector, :func:`cell_faults`, for
invoices, purchase orders, petty cash and timecards alike; what differs per export (its date
format, money locale, code spelling, required fields) is a :class:`CellSpelling`. Payroll faults
change values before the register is written (:func:`payroll_faults`), because the budget and
the bank feed are computed from what was paid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.sample import formats as F
from prodlib.sample.catalog import (
    BAD_AMOUNTS_EU,
    BAD_AMOUNTS_US,
    BAD_DATES,
    BAD_TIMES,
    UNKNOWN_CLASSIFICATIONS,
    UNKNOWN_CODES,
    rate_card,
)
from prodlib.sample.model import SampleProduction
from prodlib.sample.units import NO_DATE, day_number, half_up_div, to_date
from prodlib.taxonomy import ChartOfAccounts

#: The cell faults, in the order an export's rows are given them.
CELL_FAULTS = ("unknown_cost_code", "ambiguous_cost_code", "malformed_amount", "missing_field",
               "date_out_of_window", "malformed_date")


def n_faults(rate: float, rows: int) -> int:
    """Rows to give a fault of this rate: at least one at every scale."""
    return max(1, int(round(rate * rows)))


def pick(rng: np.random.Generator, candidates: np.ndarray, taken: np.ndarray, n: int) -> np.ndarray:
    """n distinct untaken rows among candidates (boolean mask or index array); marks them taken."""
    idx = np.flatnonzero(candidates) if candidates.dtype == bool else candidates
    idx = idx[~taken[idx]]
    n = min(n, len(idx))
    chosen = np.sort(rng.choice(idx, size=n, replace=False)) if n else np.zeros(0, dtype=np.int64)
    taken[chosen] = True
    return chosen


def choose(rng: np.random.Generator, counts: Mapping[str, int], taken: np.ndarray) -> dict[str, np.ndarray]:
    """Rows for each fault, in ``counts`` order, none twice (``taken`` rows are skipped and updated)."""
    return {kd: pick(rng, np.ones(len(taken), bool), taken, k) for kd, k in counts.items()}


def multi_detail_accounts(chart: ChartOfAccounts) -> list[str]:
    """Accounts with several detail codes: written bare, they are AMBIGUOUS_COST_CODE."""
    return sorted({a for a in chart.accounts if sum(1 for d in chart.details.values() if d.account == a) > 1})


@dataclass(frozen=True)
class CellSpelling:
    """How one export spells the cells a fault replaces, so that the faulty cell looks like its neighbours.

    Attributes:
      date_field: the canonical column date faults land in.
      date_format: that column's strptime format (malformed dates are drawn per format).
      blankable: the columns ``missing_field`` may blank, one drawn per row.
      money_locale: us | eu: which malformed amounts look plausible in the file.
      code_spelling: how the export spells a detail code (unknown codes are spelled alike).
      value_fields: the columns ``malformed_value`` lands in (timecard times).
      year_shift: days a ``date_out_of_window`` date moves when its draw is below one half (the
        other half moves the opposite way).
    """

    date_field: str
    date_format: str
    blankable: tuple[str, ...]
    money_locale: str = "us"
    code_spelling: str = "dash"
    value_fields: tuple[str, ...] = ()
    year_shift: int = 365


@dataclass(frozen=True)
class CellFault:
    """One faulty cell.

    Attributes:
      row: the row, as the caller numbered its rows.
      fault: the fault's lowercase reason name.
      field: the canonical column it replaces.
      value: the text written there instead.
    """

    row: int
    fault: str
    field: str
    value: str


def cell_faults(
    rng: np.random.Generator, chosen: Mapping[str, np.ndarray], spelling: Callable[[int], CellSpelling],
    chart: ChartOfAccounts | None = None, days: np.ndarray | None = None, window: tuple[int, int] = (0, 0),
    account_of: Callable[[int], str] | None = None,
) -> list[CellFault]:
    """The faulty cell of every chosen row (``chosen``: fault -> rows), drawn in that order.

    ``chart`` is needed for code faults; ``days`` (the rows' day numbers) and ``window`` (day numbers)
    for ``date_out_of_window``: a year off the row's own date, outside the window. ``account_of``
    gives a row's account, so that an ambiguous code is the row's own account written bare (a
    multi-detail one, else 2500); without it one is drawn.
    """
    out = []
    multi = multi_detail_accounts(chart) if chart is not None else []
    for kd, rows in chosen.items():
        for r in rows:
            i = int(r)
            sp = spelling(i)
            if kd == "unknown_cost_code":
                fld = "cost_code"
                val = F.code_spelling(UNKNOWN_CODES[int(rng.integers(len(UNKNOWN_CODES)))], sp.code_spelling)
            elif kd == "ambiguous_cost_code":
                fld = "cost_code"
                if account_of is None:
                    val = multi[int(rng.integers(len(multi)))]
                else:
                    acct = account_of(i)
                    val = acct if acct in multi else "2500"
            elif kd == "malformed_amount":
                bad = BAD_AMOUNTS_EU if sp.money_locale == "eu" else BAD_AMOUNTS_US
                fld, val = "amount", bad[int(rng.integers(len(bad)))]
            elif kd == "missing_field":
                fld, val = sp.blankable[int(rng.integers(len(sp.blankable)))], ""
            elif kd == "date_out_of_window":
                assert days is not None
                d = int(days[i]) + (sp.year_shift if rng.random() < 0.5 else -sp.year_shift)
                assert not window[0] <= d <= window[1]
                fld, val = sp.date_field, F.format_date(to_date(d), sp.date_format)
            elif kd == "malformed_date":
                bad = BAD_DATES[sp.date_format]
                fld, val = sp.date_field, bad[int(rng.integers(len(bad)))]
            elif kd == "malformed_value":
                fld = sp.value_fields[int(rng.integers(len(sp.value_fields)))]
                val = BAD_TIMES[int(rng.integers(len(BAD_TIMES)))]
            else:  # pragma: no cover - a FAULT_RATES name without a cell
                raise ValueError(f"{kd!r} is not a cell fault")
            out.append(CellFault(i, kd, fld, val))
    return out


def inject(
    rng: np.random.Generator, counts: Mapping[str, int], taken: np.ndarray, spelling: CellSpelling,
    chart: ChartOfAccounts | None = None, days: np.ndarray | None = None, window: tuple[int, int] = (0, 0),
) -> list[CellFault]:
    """Cell faults of one flat export: each fault's rows are chosen, then their cells written, in turn."""
    out: list[CellFault] = []
    for kd, k in counts.items():
        out += cell_faults(rng, choose(rng, {kd: k}, taken), lambda _: spelling, chart, days, window)
    return out


def overrides(faults: list[CellFault], fields: Iterable[str], row_of: Callable[[int], int] = int
              ) -> dict[str, dict[int, str]]:
    """field -> {row: faulty text}, ``row_of`` mapping the faults' rows to the written file's."""
    over: dict[str, dict[int, str]] = {k: {} for k in fields}
    for f in faults:
        over[f.field][row_of(f.row)] = f.value
    return over


def override(col: pa.Array, values: dict[int, str]) -> pa.Array:
    """``col`` with the cells at ``values``' rows replaced by their faulty text."""
    if not values:
        return col
    mask = np.zeros(len(col), dtype=bool)
    idx = np.array(sorted(values), dtype=np.int64)
    mask[idx] = True
    return pc.replace_with_mask(col, pa.array(mask), pa.array([values[i] for i in idx], pa.string()))


def payroll_faults(rng: np.random.Generator, sp: SampleProduction, roster: pd.DataFrame, pay: pd.DataFrame,
                   rates: dict[str, float]) -> pd.DataFrame:
    """Give rows of the register exactly one payroll fault each (see FAULT_RATES["payroll"])."""
    prod, sc = sp.production, sp.scale
    n = len(pay)
    taken = np.zeros(n, dtype=bool)
    card = rate_card(prod.budget_tier, prod.pp_date)
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
        return n_faults(rates[name], n)

    for i in pick(rng, performer_day | (hourly_reg & no_ot), taken, count("below_scale")):
        low = card[pay.at[i, "classification"]].min_cents * 4 // 5
        pay.at[i, "rate"] = low
        q = pay.at[i, "quarters"]
        pay.at[i, "amount"] = low if q < 0 else int(half_up_div(np.array([low * q]), 4)[0])
        fault[i], ffield[i] = "below_scale", "rate"
    for i in pick(rng, earn == "OT_1_5", taken, count("overtime_underpaid")):
        pay.at[i, "amount"] = int(half_up_div(np.array([pay.at[i, "rate"] * pay.at[i, "quarters"]]), 4)[0])
        fault[i], ffield[i] = "overtime_underpaid", "amount"
    performers = (earn == "FLAT") & np.isin(role, ["principal", "day_player", "stunt"])
    for j, i in enumerate(pick(rng, performers | iatse_reg, taken, count("misclassified_position"))):
        pay.at[i, "code"] = "1400-01" if pay.at[i, "code"] not in ("1400-01", "1400-02", "1400-03") else (
            "2500-01" if j % 2 else "3300-01")
        fault[i], ffield[i] = "misclassified_position", "cost_code"
    for i in pick(rng, iatse_reg, taken, count("unknown_classification")):
        pay.at[i, "classification"] = UNKNOWN_CLASSIFICATIONS[int(rng.integers(len(UNKNOWN_CLASSIFICATIONS)))]
        fault[i], ffield[i] = "unknown_classification", "classification"
    pay["fault"], pay["field"] = fault, ffield
    # Negative gross: a voided weekly check in a wrap week the person did not work (their only line then).
    dga = np.flatnonzero(np.isin(roster["schedule"].to_numpy(), ["weekly_prep_shoot", "weekly_late_prep_shoot"]))
    wrap_weeks = day_number(sp.shoot_end) + 1 + 7 * np.arange(1, max(2, sc.wrap_weeks))
    wrap_weeks = wrap_weeks[wrap_weeks <= day_number(prod.window_end)]
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

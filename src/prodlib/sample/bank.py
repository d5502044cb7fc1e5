"""The bank feed: vendor check runs, payroll funding, petty cash replenishment, fees and studio funding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from prodlib.sample import formats as F
from prodlib.sample.catalog import VENDORS
from prodlib.sample.invoices import Invoices
from prodlib.sample.model import SampleProduction
from prodlib.sample.units import day_number, to_date, weekdays
from prodlib.sample.writers import ExportFolder


def bank(out: ExportFolder, sp: SampleProduction, inv: Invoices, pay: pd.DataFrame, petty: pd.DataFrame) -> None:
    """Bank feed: vendor payments (net 30 check runs on Fridays), payroll funding, petty cash, fees, funding."""
    vendors = VENDORS[: sp.scale.vendors]
    end = day_number(sp.production.window_end)
    start = day_number(sp.production.window_start)
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
        "ref": [f"ACH{vendors[v].vendor_id[2:]}{to_date(d):%m%d}" for v, d in zip(runs["v"], runs["d"], strict=True)],
    }))
    # Payroll funding: the week's register total, wired the Wednesday after the period end.
    week = pay.groupby("period_end")["amount"].sum().reset_index()
    rows.append(pd.DataFrame({
        "d": np.minimum(week["period_end"] + 4, end), "o": 2, "c": -week["amount"],
        "desc": [f"WIRE OUT PAYROLL FUNDING W/E {to_date(d):%m/%d/%Y}" for d in week["period_end"]],
        "ref": [f"PR{to_date(d):%Y%m%d}" for d in week["period_end"]],
    }))
    # Petty cash replenishment: the envelope's clean receipts, by check to the custodian.
    env = petty.groupby("env").agg(d=("day", "max"), c=("cents", "sum"), cust=("cust", "first")).reset_index()
    rows.append(pd.DataFrame({
        "d": np.minimum(env["d"] + 3, end), "o": 3, "c": -env["c"],
        "desc": [f"CHECK PETTY CASH PC-{e + 1:04d} {c.upper()}" for e, c in zip(env["env"], env["cust"], strict=True)],
        "ref": [f"CHK{7001 + e}" for e in env["env"]],
    }))
    # Monthly service charge on the last weekday of each month.
    days = weekdays(sp.production.window_start, sp.production.window_end)
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
    ids = [f"{to_date(d):%Y%m%d}{i:06d}" for i, d in enumerate(feed["d"], start=1)]
    columns = [
        ("transaction_id", "Transaction ID", pa.array(ids, pa.string())),
        ("posted_date", "Post Date", F.date_strings(feed["d"].to_numpy(), fmt)),
        ("description", "Description", pa.array(feed["desc"].tolist(), pa.string())),
        ("reference", "Reference", pa.array(feed["ref"].tolist(), pa.string())),
        ("amount", "Amount", F.money_strings(cents, "trailing_minus")),
        ("", "Running Balance", F.money_strings(np.cumsum(cents), "trailing_minus")),
    ]
    out.write("bank/bank_feed.csv", "bank", "bank_feed", columns, date_format=fmt)

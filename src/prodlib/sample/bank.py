"""The cash side: the bank feed and the books' check register, with the cash faults reconciliation must find.

Both files come from one list of cash events, so the books and the bank agree except where a fault or
a timing difference says otherwise:

- vendor payment runs (net 30, on Fridays): ACH for most vendors, checks for the second vendor (checks
  clear 2-6 days later; those of the last days are outstanding at the cut-off);
- payroll funding: one wire a week in the bank, one register line per union payroll in the books
  (one-to-many, same reference);
- fund remittances: each union's trust fund paid by ACH monthly (the first one never booked);
- petty cash: an advance check per envelope (its receipts rounded up to the next $100), the change
  deposited when the envelope closes (the bank shows the deposit without a reference);
- studio funding wires in; a vendor refund deposited on the last day (in transit at the cut-off);
- bank-only: the monthly service charge, one ACH the bank debited twice, the unbooked remittance;
- one check the bank paid for $90.00 more than it was written for; one envelope whose returned cash
  is off by $20.00.

The cash faults are in the manifest's ``findings`` (not its ``faults``: these rows are accepted; the
reconciliation, not the pipeline, reports them), except the envelope: the pipeline holds its receipt
lines together before they post (rule ``envelope_balance``), so they are ``faults``
(ENVELOPE_UNBALANCED), and the night, which sees the envelope held, finds nothing more of it.
Nothing here draws a random number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from prodlib.reasons import Reason
from prodlib.sample import formats as F
from prodlib.sample.catalog import VENDORS
from prodlib.sample.invoices import Invoices
from prodlib.sample.model import ExpectedFinding, Fault, SampleProduction
from prodlib.sample.units import day_number, to_date, weekdays
from prodlib.sample.writers import ExportFolder

#: The production's bank account, as both files name it.
BANK_ACCOUNT = "OPERATING"
#: Vendor (index into the scale's vendors) paid by check; the others are paid by ACH.
CHECK_VENDOR = 1
BANK_FILE, REGISTER_FILE = "bank/bank_feed.csv", "bank/check_register.csv"
#: The petty cash export (``purchases.petty_cash`` writes it) whose off envelope the pipeline holds.
PETTY_SOURCE, PETTY_FILE = "petty_cash", "petty_cash/petty_cash_envelopes.csv"


def _events(sp: SampleProduction, inv: Invoices, pay: pd.DataFrame, petty: pd.DataFrame,
            roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """(bank lines, book items) before funding, and the petty cash rows (0-based) of the envelope whose
    returned cash is off: columns d, o (order within a day), c (cents), ...

    Bank: desc, ref, fault, doc (the document a finding names when ``fault`` is set).
    Book: method, doc, payee_id, payee, cat, ref, env, fault.
    """
    vendors = VENDORS[: sp.scale.vendors]
    end = day_number(sp.production.window_end)
    start = day_number(sp.production.window_start)
    last_friday = end - ((end + 3) % 7 - 4) % 7
    bank: list[dict] = []
    book: list[dict] = []
    # Vendor runs: clean invoices paid the first Friday 30+ days after their date.
    ok = inv.clean
    due = inv.date[ok] + 30
    friday = np.minimum(due + (4 - (due + 3) % 7) % 7, last_friday)
    runs = pd.DataFrame({"v": inv.vendor[ok], "d": friday, "c": inv.cents[ok]})
    runs = runs.groupby(["d", "v"], sort=True)["c"].sum()
    runs = runs[runs > 0].reset_index()
    check_no = 1001
    mismatch_done = dup_done = False
    for d, v, c in zip(runs["d"].tolist(), runs["v"].tolist(), runs["c"].tolist(), strict=True):
        vd = vendors[v]
        if v == CHECK_VENDOR:
            no = str(check_no)
            check_no += 1
            book.append({"d": d, "o": 1, "c": -c, "method": "check", "doc": no, "payee_id": vd.vendor_id,
                         "payee": vd.name, "cat": "ap", "ref": "", "env": "", "fault": ""})
            cleared = d + 2 + int(no) % 5
            if cleared <= end:
                fault = "" if mismatch_done else "check_paid_for_another_amount"
                mismatch_done = True
                bank.append({"d": cleared, "o": 1, "c": -c - (9000 if fault else 0), "desc": f"CHECK {no}",
                             "ref": no, "fault": fault})
            continue
        ref = f"ACH{vd.vendor_id[2:]}{to_date(d):%m%d}"
        book.append({"d": d, "o": 1, "c": -c, "method": "ach", "doc": ref, "payee_id": vd.vendor_id,
                     "payee": vd.name, "cat": "ap", "ref": ref, "env": "", "fault": ""})
        bank.append({"d": d, "o": 1, "c": -c, "desc": f"ACH PAYMENT {vd.name.upper()}", "ref": ref, "fault": ""})
        if not dup_done:  # the bank debits the first ACH run twice
            dup_done = True
            bank.append({"d": d, "o": 1, "c": -c, "desc": f"ACH PAYMENT {vd.name.upper()}", "ref": ref,
                         "fault": "ach_debited_twice"})
    # Payroll funding: one wire a week (the Wednesday after the period end), one book line per union payroll.
    union = roster["union"].to_numpy()[pay["emp"].to_numpy()]
    per = pay.assign(union=union).groupby(["period_end", "union"], sort=True)["amount"].sum().reset_index()
    for pe, grp in per.groupby("period_end", sort=True):
        d = min(int(pe) + 4, end)
        ref = f"PR{to_date(pe):%Y%m%d}"
        for u, c in zip(grp["union"], grp["amount"].tolist(), strict=True):
            book.append({"d": d, "o": 2, "c": -int(c), "method": "wire", "doc": f"{ref}-{u}", "payee_id": "V-PAYROLL",
                         "payee": "Payroll service", "cat": "payroll_funding", "ref": ref, "env": "", "fault": ""})
        bank.append({"d": d, "o": 2, "c": -int(grp["amount"].sum()),
                     "desc": f"WIRE OUT PAYROLL FUNDING W/E {to_date(pe):%m/%d/%Y}", "ref": ref, "fault": ""})
    # Fund remittances: each union's trust fund is paid by ACH on the first weekday from the 10th of the
    # month after the payroll periods it covers (none after wrap). The amount is the sample's own round
    # SAMPLE figure, 10% of the union's gross of the month (not a plan rate: the fringe engine's
    # contributions are in the remittance CSVs; the cash side matches the books' ACH to the bank's).
    # Fault: the first remittance was never booked (the bank paid it; the register lacks it): a
    # BANK_ONLY_ITEM by the night.
    month = pay["period_end"].to_numpy().astype("datetime64[D]").astype("datetime64[M]")
    gross = pay.assign(union=union, month=month).groupby(["month", "union"], sort=True)["amount"].sum()
    unbooked_done = False
    for (mo, u), c in gross.items():
        tenth = day_number((pd.Timestamp(mo) + pd.offsets.MonthBegin(1)).date()) + 9
        d = tenth + {5: 2, 6: 1}.get((tenth + 3) % 7, 0)  # Saturday or Sunday: the Monday after
        amount = -(-int(c) // 10)
        if d > end or amount <= 0:
            continue
        ref = f"PH-{u}-{pd.Timestamp(mo):%Y%m}"
        row = {"d": d, "o": 2, "c": -amount, "method": "ach", "doc": ref, "payee_id": f"FUND-{u}",
               "payee": f"{u} trust fund", "cat": "fund_remittance", "ref": ref, "env": "", "fault": ""}
        fault = "" if unbooked_done else "remittance_not_booked"
        unbooked_done = True
        if not fault:
            book.append(row)
        bank.append({"d": d, "o": 2, "c": -amount, "desc": f"ACH {u} TRUST FUND", "ref": ref, "fault": fault})
    # Petty cash: an advance check per envelope, the change deposited when it closes.
    env = petty.groupby("env").agg(first=("day", "min"), last=("day", "max"), c=("cents", "sum"),
                                   cust=("cust", "first")).reset_index()
    off = int(len(env) // 2)  # the envelope whose returned cash is off by $20.00
    held_rows = petty.loc[petty["env"] == env.at[off, "env"], "row"].tolist() if len(env) else []
    for i, (e, first, last, c, cust) in enumerate(env[["env", "first", "last", "c", "cust"]].itertuples(index=False)):
        eid, no = f"PC-{e + 1:04d}", str(7001 + e)
        adv = (int(c) // 10_000 + 1) * 10_000
        issued = max(start, int(first) - 1)
        book.append({"d": issued, "o": 3, "c": -adv, "method": "check", "doc": no, "payee_id": "", "payee": cust,
                     "cat": "petty_cash", "ref": "", "env": eid, "fault": ""})
        bank.append({"d": issued + 1, "o": 3, "c": -adv, "desc": f"CHECK PETTY CASH {eid} {cust.upper()}",
                     "ref": f"CHK{no}", "fault": ""})
        ret = adv - int(c)
        fault = ""
        if i == off:
            ret, fault = (ret - 2000 if ret > 2000 else ret + 2000), "envelope_change_off"
        closed = min(int(last) + 3, end - 1)
        book.append({"d": closed, "o": 3, "c": ret, "method": "deposit", "doc": f"DEP-{eid}", "payee_id": "",
                     "payee": cust, "cat": "petty_cash", "ref": "", "env": eid, "fault": fault})
        bank.append({"d": closed + 1, "o": 3, "c": ret, "desc": "DEPOSIT", "ref": "", "fault": ""})
    # A vendor refund deposited on the last day: the bank credits it after the cut-off (in transit).
    book.append({"d": end, "o": 5, "c": 12_500, "method": "deposit", "doc": "DEP-REFUND-1",
                 "payee_id": vendors[0].vendor_id, "payee": vendors[0].name, "cat": "ap", "ref": "", "env": "",
                 "fault": ""})
    # Monthly service charge on the last weekday of each month: bank only.
    days = weekdays(sp.production.window_start, sp.production.window_end)
    mon = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    for d in days[np.r_[np.flatnonzero(np.diff(mon)), len(days) - 1]].tolist():
        bank.append({"d": d, "o": 4, "c": -3500, "desc": "SERVICE CHARGE", "ref": "", "fault": "bank_service_charge"})
    return pd.DataFrame(bank), pd.DataFrame(book), held_rows


def bank(out: ExportFolder, sp: SampleProduction, inv: Invoices, pay: pd.DataFrame, petty: pd.DataFrame,
         roster: pd.DataFrame) -> None:
    """Write the bank feed and the check register; record their cash faults in ``out.findings``."""
    start = day_number(sp.production.window_start)
    feed, book, held_rows = _events(sp, inv, pay, petty, roster)
    # Funding wires: each month's net outflows (the larger of the books' and the bank's, rounded up to
    # $10,000) arrive on its first weekday, booked the same day: neither side runs dry.
    days = weekdays(sp.production.window_start, sp.production.window_end)
    mon = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)

    def outflow(frame: pd.DataFrame) -> pd.Series:
        m = frame["d"].to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        return pd.Series(-frame["c"].to_numpy()).groupby(m).sum()

    need = pd.concat([outflow(book), outflow(feed)], axis=1).fillna(0).max(axis=1).astype(np.int64)
    first_day = {m: int(days[mon == m].min()) for m in np.unique(mon)}
    fund_d = [first_day.get(m, start) for m in need.index]
    fund_c = [-(-int(v) // 1_000_000) * 1_000_000 for v in need.to_numpy()]
    refs = [f"FND{i + 1:03d}" for i in range(len(need))]
    feed = pd.concat([pd.DataFrame({"d": fund_d, "o": 0, "c": fund_c, "desc": "WIRE IN STUDIO FUNDING", "ref": refs,
                                    "fault": ""}), feed], ignore_index=True)
    book = pd.concat([pd.DataFrame({"d": fund_d, "o": 0, "c": fund_c, "method": "wire", "doc": refs,
                                    "payee_id": "STUDIO", "payee": "Studio funding", "cat": "funding", "ref": refs,
                                    "env": "", "fault": ""}), book], ignore_index=True)
    feed = feed.sort_values(["d", "o", "ref"], kind="stable").reset_index(drop=True)
    book = book.sort_values(["d", "o", "doc"], kind="stable").reset_index(drop=True)
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
    out.write(BANK_FILE, "bank", "bank_feed", columns, date_format=fmt, constants={"bank_account": BANK_ACCOUNT})
    reason = {"check_paid_for_another_amount": Reason.CASH_AMOUNT_MISMATCH, "ach_debited_twice": Reason.BANK_ONLY_ITEM,
              "bank_service_charge": Reason.BANK_ONLY_ITEM, "envelope_change_off": Reason.ENVELOPE_UNBALANCED,
              "remittance_not_booked": Reason.BANK_ONLY_ITEM}
    for i in np.flatnonzero(feed["fault"].to_numpy() != ""):
        f = feed.at[i, "fault"]
        out.findings.append(ExpectedFinding("bank_feed", BANK_FILE, int(i) + 2, f, reason[f].value, f"bank {ids[i]}"))
    rfmt = "%m/%d/%Y"
    n = len(book)
    values = [
        ("bank_account", "Bank Code", pa.array([BANK_ACCOUNT] * n, pa.string())),
        ("document_no", "Check/Ref #", pa.array(book["doc"].tolist(), pa.string())),
        ("method", "Type", pa.array(book["method"].tolist(), pa.string())),
        ("payment_date", "Date", F.date_strings(book["d"].to_numpy(), rfmt)),
        ("payee_id", "Payee ID", pa.array(book["payee_id"].tolist(), pa.string())),
        ("payee_name", "Payee", pa.array(book["payee"].tolist(), pa.string())),
        ("category", "Category", pa.array(book["cat"].tolist(), pa.string())),
        ("reference", "Reference", pa.array(book["ref"].tolist(), pa.string())),
        ("envelope_id", "PC Envelope", pa.array(book["env"].tolist(), pa.string())),
        ("amount", "Amount", F.money_strings(book["c"].to_numpy(dtype=np.int64), "us_grouped_paren")),
    ]
    out.write(REGISTER_FILE, "check_register", "check_register", values, date_format=rfmt)
    for i in np.flatnonzero(book["fault"].to_numpy() != ""):
        f = book.at[i, "fault"]
        if f != "envelope_change_off":
            out.findings.append(ExpectedFinding("check_register", REGISTER_FILE, int(i) + 2, f, reason[f].value,
                                                f"{book.at[i, 'method']} {book.at[i, 'doc']}"))
    # The off envelope's receipts are held together by the pipeline: quarantine faults of the petty cash file.
    out.faults.extend(Fault(PETTY_SOURCE, PETTY_FILE, int(r) + 2, "envelope_unbalanced",
                            Reason.ENVELOPE_UNBALANCED.value, "envelope_id") for r in held_rows)

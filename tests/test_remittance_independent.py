"""The sample production's remittance files, recomputed independently of prodlib's fringe engine.

Issue 4's "Done means": the sample payroll yields remittance files whose totals a test recomputes
independently. Here the raw payroll CSV is read with the csv module and Decimal (no prodlib.ingest),
the manifest's faulty lines are dropped, and every plan's contribution is computed by the small code
below from figures written as constants, each citing where it comes from. A separate test checks the
constants against the rule files (read with plain yaml, not prodlib.rules), so a drift in either the
rule data or these figures is caught. The engine is never called: the pipeline runs once, as a user
would run it, and its files and ledger are compared with what this module computes.

Rounding scope (src/prodlib/fringes/common.py, issue 4): one ROUND_HALF_UP to the cent per
(employee, plan, fund, period end) of the exact sum of that fund's amounts (the sample has no
episodes), then that total is shared back to the detail rows by largest remainder (``allocate``
below): each row its exact amount floored to the cent, the missing cents one each to the largest
remainders, ties to the earlier row by (rate line, classification, account). Rows are (employee,
period end, classification, 4-digit account of the cost code) x rate line; the sample has one
classification and account per person and period (checked below), so account order is debit order.
Caps are tracked per person at the cap's scope in period-end order.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

import prodlib
from prodlib.ledger import Ledger
from prodlib.pipeline import run
from prodlib.sample import generate

pytestmark = pytest.mark.slow

RULES = Path(prodlib.__file__).resolve().parent / "data" / "rules"
CENT = Decimal("0.01")
D = Decimal


def cents(x: Decimal) -> Decimal:
    """The one rounding step: half up to the cent."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


# --- which earnings are subject ------------------------------------------------------------------
# docs/ARCHITECTURE.md and issue 4: per diem, mileage, kit and box rentals, reimbursements are not
# pensionable; wages (straight, overtime, premiums, flat deals, meal penalties) are.
SESSION = frozenset({"REG", "OT_1_5", "OT_2", "OT_3", "FLAT", "MEAL_PENALTY", "SIXTH_DAY", "SEVENTH_DAY"})
NOT_SUBJECT = frozenset({"PER_DIEM", "MILEAGE", "KIT_RENTAL", "BOX_RENTAL", "REIMBURSEMENT"})
RESIDUALS = frozenset({"RESIDUAL_THEATRICAL", "RESIDUAL_SUPP_HV"})
WAGES = SESSION | RESIDUALS  # statutory taxes: wages incl. residual payments
# MPI counts hours worked (meal penalties carry no hours); FLAT = on-call weeks, credited by days worked.
MPI_HOURS = frozenset({"REG", "OT_1_5", "OT_2", "OT_3", "SIXTH_DAY", "SEVENTH_DAY", "FLAT"})


@dataclass(frozen=True)
class Band:
    """One percent rate line: ``rate`` of a person's cumulative subject earnings between floor and cap."""

    plan: str
    fund: str
    rate_id: str
    rate: Decimal
    earning_types: frozenset[str]
    start: date  # in force from (PP date for SAG-AFTRA, period end otherwise)
    end: date | None = None
    cap: Decimal | None = None
    floor: Decimal = D(0)
    scope: str = ""  # project | picture | calendar_year ("" = uncapped)
    pool: str = ""  # bands of one pool share a running total
    classifications: frozenset[str] | None = None
    states: frozenset[str] | None = None
    contribution_type: str = "session"


PERFORMERS = frozenset({"Principal Performer", "Stunt Performer"})
BACKGROUND = frozenset({"Background Actor"})
SAG_CAP = dict(cap=D("232000.00"), scope="episode", pool="SAG-session")  # a feature is one episode
PP_2022 = date(2022, 7, 1)

PERCENT_BANDS: tuple[Band, ...] = (
    # SAG-AFTRA theatrical, PP on/after 2022-07-01 (issue 4; sagaftraplans.org theatrical reporting):
    # principal performers 21.00%, background 20.50%, ceiling $232,000 per performer per project;
    # theatrical residuals 20.50%, supplemental home video 13.50% (no residuals in the sample).
    Band("SAG-AFTRA", "P&H", "sag-2022-perf", D("0.2100"), SESSION, PP_2022, classifications=PERFORMERS, **SAG_CAP),
    Band("SAG-AFTRA", "P&H", "sag-2022-bg", D("0.2050"), SESSION, PP_2022, classifications=BACKGROUND, **SAG_CAP),
    Band("SAG-AFTRA", "P&H", "sag-2022-resid", D("0.2050"), frozenset({"RESIDUAL_THEATRICAL"}), PP_2022,
         contribution_type="residual"),
    Band("SAG-AFTRA", "P&H", "sag-2022-supphv", D("0.1350"), frozenset({"RESIDUAL_SUPP_HV"}), PP_2022,
         contribution_type="residual"),
    # DGA pension from 2021-07-01 (issue 4): 6.3% of the first $150,000 to Basic, 2.2% of the first
    # $150,000 to Supplemental, 8.5% above $150,000 to Supplemental; bands per calendar year (rule file).
    Band("DGA", "Basic Pension", "dga-2021-basic", D("0.063"), SESSION, date(2021, 7, 1),
         cap=D("150000.00"), scope="calendar_year", pool="DGA-pension"),
    Band("DGA", "Supplemental Pension", "dga-2021-supp-1", D("0.022"), SESSION, date(2021, 7, 1),
         cap=D("150000.00"), scope="calendar_year", pool="DGA-pension"),
    Band("DGA", "Supplemental Pension", "dga-2021-supp-2", D("0.085"), SESSION, date(2021, 7, 1),
         floor=D("150000.00"), scope="calendar_year", pool="DGA-pension"),
    # DGA health: SAMPLE 11.50% to $250,000 per picture (rule file, unverified; issue 4 asks for a sample).
    Band("DGA", "Health", "dga-health-sample", D("0.1150"), SESSION, date(2019, 7, 1),
         cap=D("250000.00"), scope="picture", pool="DGA-health"),
    # WGA from 2019-05-01 (issue 4): pension 8.5%, health 11.5%, covered earnings to $225,000 per writer
    # per picture (wgaplans.org covered earnings); health 12% from 2024-05-02 (2023 MBA, second year:
    # wgaeast.org 2023 MBA FAQ; rule file, unverified beyond that).
    Band("WGA", "Pension", "wga-2019-pension", D("0.085"), SESSION, date(2019, 5, 1),
         cap=D("225000.00"), scope="picture", pool="WGA-covered"),
    Band("WGA", "Health", "wga-2019-health", D("0.115"), SESSION, date(2019, 5, 1), date(2024, 5, 1),
         cap=D("225000.00"), scope="picture", pool="WGA-covered"),
    Band("WGA", "Health", "wga-2024-health", D("0.120"), SESSION, date(2024, 5, 2),
         cap=D("225000.00"), scope="picture", pool="WGA-covered"),
    # Social Security employer share 6.2% to the wage base per calendar year (SSA: $176,100 for 2025,
    # $184,500 for 2026; $168,600 for 2024).
    Band("FICA-SS", "OASDI", "ss-2024", D("0.062"), WAGES, date(2024, 1, 1), date(2024, 12, 31),
         cap=D("168600.00"), scope="calendar_year", pool="SS"),
    Band("FICA-SS", "OASDI", "ss-2025", D("0.062"), WAGES, date(2025, 1, 1), date(2025, 12, 31),
         cap=D("176100.00"), scope="calendar_year", pool="SS"),
    Band("FICA-SS", "OASDI", "ss-2026", D("0.062"), WAGES, date(2026, 1, 1), date(2026, 12, 31),
         cap=D("184500.00"), scope="calendar_year", pool="SS"),
    # Medicare employer share 1.45%, no wage base (SSA).
    Band("FICA-MED", "HI", "med-2024", D("0.0145"), WAGES, date(2024, 1, 1)),
    # FUTA: 6.0% less the 5.4% credit = 0.6% of the first $7,000 per employee per calendar year (Form 940).
    Band("FUTA", "FUTA", "futa-2024", D("0.006"), WAGES, date(2024, 1, 1),
         cap=D("7000.00"), scope="calendar_year", pool="FUTA"),
    # FUTA credit reductions (DOL): CA and NY 0.9% for 2024, CA 1.2% for 2025, on the first $7,000 of the
    # state's wages; for 2026 California's potential 1.5% (the statutory 0.3% step over 2025's 1.2%;
    # DOL's final list not read, the rule file says UNVERIFIED): 0.015 x 7,000 = 105.00 per CA employee.
    Band("FUTA", "FUTA", "futa-cr-ca-2024", D("0.009"), WAGES, date(2024, 1, 1), date(2024, 12, 31),
         cap=D("7000.00"), scope="calendar_year", pool="FUTA-CR-CA", states=frozenset({"CA"})),
    Band("FUTA", "FUTA", "futa-cr-ny-2024", D("0.009"), WAGES, date(2024, 1, 1), date(2024, 12, 31),
         cap=D("7000.00"), scope="calendar_year", pool="FUTA-CR-NY", states=frozenset({"NY"})),
    Band("FUTA", "FUTA", "futa-cr-ca-2025", D("0.012"), WAGES, date(2025, 1, 1), date(2025, 12, 31),
         cap=D("7000.00"), scope="calendar_year", pool="FUTA-CR-CA", states=frozenset({"CA"})),
    Band("FUTA", "FUTA", "futa-cr-ca-2026", D("0.015"), WAGES, date(2026, 1, 1), date(2026, 12, 31),
         cap=D("7000.00"), scope="calendar_year", pool="FUTA-CR-CA", states=frozenset({"CA"})),
    # SUI: new-employer rates and wage bases by state and year (rule file; mostly reported, not read on
    # the states' pages): CA 3.4% of $7,000; NY 4.1% of $12,500 (2024), $12,800 (2025), $17,600 (2026);
    # GA 2.7% of $9,500; NM 1.0% of $31,700 (SAMPLE base); IL 3.95% of $13,590 (2024); TX 2.7% of $9,000.
    Band("SUI", "CA", "sui-ca", D("0.034"), WAGES, date(2022, 1, 1), date(2026, 12, 31), cap=D("7000.00"),
         scope="calendar_year", pool="SUI-CA", states=frozenset({"CA"})),
    Band("SUI", "NY", "sui-ny-2024", D("0.041"), WAGES, date(2024, 1, 1), date(2024, 12, 31), cap=D("12500.00"),
         scope="calendar_year", pool="SUI-NY", states=frozenset({"NY"})),
    Band("SUI", "NY", "sui-ny-2025", D("0.041"), WAGES, date(2025, 1, 1), date(2025, 12, 31), cap=D("12800.00"),
         scope="calendar_year", pool="SUI-NY", states=frozenset({"NY"})),
    Band("SUI", "NY", "sui-ny", D("0.041"), WAGES, date(2026, 1, 1), date(2026, 12, 31), cap=D("17600.00"),
         scope="calendar_year", pool="SUI-NY", states=frozenset({"NY"})),
    Band("SUI", "GA", "sui-ga", D("0.027"), WAGES, date(2022, 1, 1), date(2026, 12, 31), cap=D("9500.00"),
         scope="calendar_year", pool="SUI-GA", states=frozenset({"GA"})),
    Band("SUI", "NM", "sui-nm", D("0.010"), WAGES, date(2024, 1, 1), date(2026, 12, 31), cap=D("31700.00"),
         scope="calendar_year", pool="SUI-NM", states=frozenset({"NM"})),
    Band("SUI", "IL", "sui-il-2024", D("0.0395"), WAGES, date(2024, 1, 1), date(2024, 12, 31), cap=D("13590.00"),
         scope="calendar_year", pool="SUI-IL", states=frozenset({"IL"})),
    Band("SUI", "TX", "sui-tx", D("0.027"), WAGES, date(2022, 1, 1), date(2026, 12, 31), cap=D("9000.00"),
         scope="calendar_year", pool="SUI-TX", states=frozenset({"TX"})),
    # Workers' comp: SAMPLE class rates per $1 of wages (rule file): 8810 $0.35/$100, 9610 $3.50/$100,
    # stunt $8.50/$100.
    Band("WC", "8810 clerical", "wc-8810", D("0.0035"), SESSION, date(2024, 1, 1),
         classifications=frozenset({"Writer", "Production Assistant", "Unit Production Manager",
                                    # WGA theatrical work types (scale_minimums.yaml): clerical class too
                                    "Original Screenplay, Including Treatment",
                                    "Original Screenplay, Excluding Treatment", "Rewrite of Screenplay",
                                    "Polish of Screenplay"})),
    Band("WC", "9610 motion picture production", "wc-9610", D("0.0350"), SESSION, date(2024, 1, 1),
         classifications=frozenset({
             "Principal Performer", "Background Actor", "Director", "First Assistant Director",
             "Second Assistant Director", "Key Grip", "Grip", "Gaffer", "Electrician", "Camera Operator",
             "First Assistant Camera", "Property Master", "Set Dresser", "Costumer", "Makeup Artist"})),
    Band("WC", "9610S stunt", "wc-stunt", D("0.0850"), SESSION, date(2024, 1, 1),
         classifications=frozenset({"Stunt Performer"})),
)

#: Which unions each plan covers (guild plans cover their own members; statutory plans everyone).
COVERS = {"SAG-AFTRA": {"SAG-AFTRA"}, "DGA": {"DGA"}, "WGA": {"WGA"}, "MPI": {"IATSE"}}
EVERYONE = {"SAG-AFTRA", "DGA", "WGA", "IATSE", "NON-UNION"}
#: SAG-AFTRA rates are picked by the PP date, every other plan's by the pay period's end date.
PP_DATED = {"SAG-AFTRA"}

# MPI (IATSE) figures are SAMPLES from the rule file (iatse_mpi.yaml, effective 2024-08-01):
MPI_FROM = date(2024, 8, 1)
MPI_PER_HOUR = {  # fund -> (rate id, $ per hour worked or credited)
    "Pension": ("mpi-pension-2024", D("3.4500")),
    "Active Health": ("mpi-health-2024", D("16.2500")),
    "Retiree Health": ("mpi-retiree-2024", D("1.9000")),
}
MPI_IAP = ("Individual Account", "mpi-iap-2024", D("0.0700"))  # 7% of scale wages
# Scale wages = hours x scale minimum x the earning type's multiplier (straight 1x, time and a half 1.5x, ...).
MPI_MULTIPLIER = {"REG": D("1.0"), "OT_1_5": D("1.5"), "OT_2": D("2.0"), "OT_3": D("3.0"), "SIXTH_DAY": D("1.5"),
                  "SEVENTH_DAY": D("2.0")}
# On-call weeks credit 60/67/75 hours for 5/6/7 days (issue 4); fewer than 5 days: 12 hours a day (sample).
ON_CALL_HOURS = {5: D("60"), 6: D("67"), 7: D("75")}
ON_CALL_PER_DAY_BELOW = D("12")
# IATSE hourly scale minimums: the docs/ARCHITECTURE.md sample rate card.
IATSE_SCALE = {
    "Key Grip": D("52.00"), "Grip": D("45.00"), "Gaffer": D("53.00"), "Electrician": D("45.00"),
    "Camera Operator": D("72.00"), "First Assistant Camera": D("58.00"), "Property Master": D("52.00"),
    "Set Dresser": D("44.00"), "Costumer": D("44.00"), "Makeup Artist": D("58.00"),
}
# SAG-AFTRA default allocation (issue 4): 49.5% health (rounded), retirement the remainder.
SAG_HEALTH_SHARE = D("0.495")


# --- the raw payroll, read plainly -----------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    line: int
    employee_id: str
    union: str
    classification: str
    state: str
    period_end: date
    work_date: date | None
    account: str  # first four digits of the cost code: the labor account the fringe is charged against
    earning_type: str
    hours: Decimal | None
    amount: Decimal
    episode: str


def plain_amount(text: str) -> Decimal:
    """US-locale money text as Decimal ("1,234.56", "$12.00", "(5.00)", "-5.00")."""
    t = text.strip()
    neg = t.startswith("(") and t.endswith(")")
    t = t.strip("()").replace("$", "").replace(",", "").strip()
    d = Decimal(t)
    return -d if neg else d


def read_payroll(sample: Path) -> tuple[list[Line], set[int]]:
    """The payroll register's lines that should have been posted (manifest faults dropped), and those faults."""
    sources = yaml.safe_load((sample / "sources.yaml").read_text(encoding="utf-8"))
    spec = next(s for s in sources["sources"] if s["kind"] == "payroll")
    assert spec.get("money_locale", "us") == "us"
    manifest = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))
    faulty = {f["line"] for f in manifest["faults"] if f["file"] == spec["path"]}
    col, fmt = spec["columns"], spec["date_format"]

    def day(text: str) -> date | None:
        return datetime.strptime(text.strip(), fmt).date() if text.strip() else None

    lines: list[Line] = []
    with (sample / spec["path"]).open(newline="", encoding=spec.get("encoding", "utf-8")) as fh:
        reader = csv.reader(fh, delimiter=spec.get("delimiter", ","))
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for rec in reader:
            n, start = start, reader.line_num + 1
            if not rec or n in faulty:
                continue
            r = dict(zip(header, rec, strict=True))
            lines.append(Line(
                line=n, employee_id=r[col["employee_id"]].strip(), union=r[col["union"]].strip(),
                classification=r[col["classification"]].strip(), state=r[col["state"]].strip(),
                period_end=day(r[col["period_end"]]), work_date=day(r[col["work_date"]]),
                account=re.sub(r"\D", "", r[col["cost_code"]])[:4], earning_type=r[col["earning_type"]].strip(),
                hours=D(r[col["hours"]].strip()) if r[col["hours"]].strip() else None,
                amount=plain_amount(r[col["amount"]]), episode=r[col["episode"]].strip(),
            ))
    return lines, faulty


# --- the independent computation ----------------------------------------------------------------

Key = tuple[str, str, date, str, str]  # (plan, fund, period end, employee, rate id)


@dataclass
class Row:
    """One person's contribution to one rate line in one period (a remittance detail row)."""

    gross: Decimal = D("0.00")  # percent: capped basis; hourly: subject gross; IAP: scale wages (rounded)
    hours: Decimal | None = None
    contribution: Decimal = D("0.00")


def groups_of(lines: list[Line]) -> dict[tuple[str, date, str, str], list[Line]]:
    """Lines by rounding group (employee, period end, classification, account), in that sorted order."""
    g: dict[tuple[str, date, str, str], list[Line]] = defaultdict(list)
    for ln in lines:
        g[(ln.employee_id, ln.period_end, ln.classification, ln.account)].append(ln)
    return dict(sorted(g.items()))


def scope_value(scope: str, period_end: date) -> str:
    """A cap's running-total key: one per person per project/picture (a feature), or per calendar year."""
    return str(period_end.year) if scope == "calendar_year" else ""


def allocate(rows: dict[Key, Row], exact: dict[tuple, list[tuple[tuple, Key, Decimal]]]) -> None:
    """Per unit (employee, plan, fund, period): round the exact total once, share it by largest remainder.

    ``exact[unit]`` lists (tie-break key, detail key, exact amount) for each rounding-group row of the unit.
    """
    for parts in exact.values():
        parts = sorted(parts, key=lambda p: p[0])
        total = cents(sum((x for _, _, x in parts), D(0)))
        floors = [x.quantize(CENT, rounding=ROUND_FLOOR) for _, _, x in parts]
        missing = int((total - sum(floors, D(0))) / CENT)
        by_remainder = sorted(range(len(parts)), key=lambda i: (-(parts[i][2] - floors[i]), i))
        lucky = set(by_remainder[:missing])
        for i, (_, key, _x) in enumerate(parts):
            rows[key].contribution += floors[i] + (CENT if i in lucky else D(0))


def band_applies(b: Band, ln: Line, pp_date: date) -> bool:
    on = pp_date if b.plan in PP_DATED else ln.period_end
    return (ln.union in COVERS.get(b.plan, EVERYONE) and ln.earning_type in b.earning_types
            and b.start <= on and (b.end is None or on <= b.end)
            and (b.classifications is None or ln.classification in b.classifications)
            and (b.states is None or ln.state in b.states))


def percent_rows(lines: list[Line], pp_date: date) -> dict[Key, Row]:
    """Percent plans: per group and band, the basis inside [floor, cap) of the running total; rounded per fund."""
    running: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)  # (employee, pool, scope value)
    rows: dict[Key, Row] = defaultdict(Row)
    exact: dict[tuple, list[tuple[tuple, Key, Decimal]]] = defaultdict(list)
    for (emp, pe, cls, acct), grp in groups_of(lines).items():
        subject: dict[Band, Decimal] = {}
        for b in PERCENT_BANDS:
            sel = [ln for ln in grp if band_applies(b, ln, pp_date)]
            if sel:
                subject[b] = sum((ln.amount for ln in sel), D(0))
        advance: dict[tuple[str, str, str], Decimal] = {}
        for b, amount in subject.items():
            if b.scope:
                pool = (emp, b.pool, scope_value(b.scope, pe))
                before = running[pool]
                after = before + amount
                advance[pool] = after  # bands of one pool see the same lines: one advance per pool

                def clamp(x: Decimal, b: Band = b) -> Decimal:
                    x = max(x, b.floor)
                    return x if b.cap is None else min(x, b.cap)

                basis = clamp(after) - clamp(before)
            else:
                basis = amount
            key = (b.plan, b.fund, pe, emp, b.rate_id)
            rows[key].gross += basis
            exact[(emp, b.plan, b.fund, pe)].append(((b.rate_id, cls, acct), key, basis * b.rate))
        running.update(advance)
    allocate(rows, exact)
    return dict(rows)


def credited_hours(days: int) -> Decimal:
    return ON_CALL_HOURS[min(days, 7)] if days >= 5 else ON_CALL_PER_DAY_BELOW * days


def mpi_rows(lines: list[Line]) -> dict[Key, Row]:
    """MPI: dollars per hour worked (or credited for on-call weeks), and 7% of scale wages; rounded per fund."""
    rows: dict[Key, Row] = defaultdict(Row)
    exact: dict[tuple, list[tuple[tuple, Key, Decimal]]] = defaultdict(list)
    for (emp, pe, cls, acct), grp in groups_of(lines).items():
        grp = [ln for ln in grp if ln.union == "IATSE" and pe >= MPI_FROM]
        hourly = [ln for ln in grp if ln.earning_type in MPI_HOURS]
        if hourly:
            on_call_days = {ln.work_date for ln in hourly if ln.earning_type == "FLAT"}
            hours = sum((ln.hours for ln in hourly if ln.earning_type != "FLAT"), D(0))
            hours += credited_hours(len(on_call_days)) if on_call_days else D(0)
            gross = sum((ln.amount for ln in hourly), D(0))
            for fund, (rate_id, per_hour) in MPI_PER_HOUR.items():
                key = ("MPI", fund, pe, emp, rate_id)
                r = rows[key]
                r.gross += gross
                r.hours = (r.hours or D(0)) + hours
                exact[(emp, "MPI", fund, pe)].append(((rate_id, cls, acct), key, hours * per_hour))
        scaled = [ln for ln in grp if ln.earning_type in MPI_MULTIPLIER]
        if scaled:
            wages = sum((ln.hours * IATSE_SCALE[cls] * MPI_MULTIPLIER[ln.earning_type] for ln in scaled), D(0))
            fund, rate_id, pct = MPI_IAP
            key = ("MPI", fund, pe, emp, rate_id)
            rows[key].gross += cents(wages)
            exact[(emp, "MPI", fund, pe)].append(((rate_id, cls, acct), key, wages * pct))
    allocate(rows, exact)
    return dict(rows)


@dataclass
class Total:
    people: set[str]
    gross: Decimal
    hours: Decimal
    contribution: Decimal


def totals_of(rows: dict[Key, Row]) -> dict[tuple[str, str], dict[date, Total]]:
    out: dict[tuple[str, str], dict[date, Total]] = defaultdict(dict)
    for (plan, fund, pe, emp, _rid), r in rows.items():
        t = out[(plan, fund)].setdefault(pe, Total(set(), D(0), D(0), D(0)))
        t.people.add(emp)
        t.gross += r.gross
        t.hours += r.hours or D(0)
        t.contribution += r.contribution
    return dict(out)


def slug(text: str) -> str:
    """The remittance file name part of a plan or fund (ARCHITECTURE/remittance: non-alphanumerics -> _)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- fixture: the pipeline once, the recomputation once ------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("remit")
    out = root / "sample"
    generate(out, scale="indie", seed=7)
    url = f"sqlite:///{root / 'books.db'}"
    remit = root / "remittance"
    result = run(out, url, remittance_dir=remit)
    production = yaml.safe_load((out / "production.yaml").read_text(encoding="utf-8"))
    pp = production["principal_photography"]
    pp = pp if isinstance(pp, date) else date.fromisoformat(str(pp))
    lines, faulty = read_payroll(out)
    rows = {**percent_rows(lines, pp), **mpi_rows(lines)}
    return {"result": result, "url": url, "remit": remit, "lines": lines, "faulty": faulty, "pp": pp,
            "production": production, "rows": rows, "totals": totals_of(rows)}


# --- the constants against the rule files --------------------------------------------------------


def _rule_files() -> dict[str, dict]:
    return {d["plan"]: d for d in (yaml.safe_load(p.read_text(encoding="utf-8"))
                                   for p in sorted((RULES / "plans").glob("*.yaml")))}


def _iso(v: object) -> date | None:
    return None if v is None else v if isinstance(v, date) else date.fromisoformat(str(v))


def test_constants_equal_the_rule_files() -> None:
    plans = _rule_files()
    rates = {(p, r["id"]): r for p, d in plans.items() for r in d["rates"]}
    for b in PERCENT_BANDS:
        r = rates[(b.plan, b.rate_id)]
        cap = r.get("cap") or {}
        assert (r["fund"], r["kind"], D(r["rate"])) == (b.fund, "percent", b.rate), b.rate_id
        assert (_iso(r["effective_from"]), _iso(r.get("effective_to"))) == (b.start, b.end), b.rate_id
        assert frozenset(r["earning_types"]) == b.earning_types, b.rate_id
        assert (D(cap["amount"]) if cap.get("amount") else None) == b.cap, b.rate_id
        assert D(cap.get("floor", "0")) == b.floor, b.rate_id
        assert (cap.get("scope", ""), cap.get("pool", "")) == (b.scope, b.pool), b.rate_id
        assert (frozenset(r["classifications"]) if "classifications" in r else None) == b.classifications, b.rate_id
        assert (frozenset(r["states"]) if "states" in r else None) == b.states, b.rate_id
        assert r.get("contribution_type", "session") == b.contribution_type, b.rate_id
    for plan, unions in COVERS.items():
        assert set(plans[plan]["covers"]["unions"]) == unions, plan
    for plan in {b.plan for b in PERCENT_BANDS} - set(COVERS):
        assert set(plans[plan]["covers"]["unions"]) == EVERYONE, plan
    assert {p for p, d in plans.items() if d["date_basis"] == "pp_date"} == PP_DATED
    # MPI: the sample per-hour figures, the IAP percentage, multipliers, on-call credit, scale card.
    mpi = plans["MPI"]
    by_id = {r["id"]: r for r in mpi["rates"]}
    for fund, (rate_id, per_hour) in MPI_PER_HOUR.items():
        r = by_id[rate_id]
        assert (r["fund"], r["kind"], D(r["rate"]), _iso(r["effective_from"])) == (fund, "per_hour", per_hour, MPI_FROM)
        assert frozenset(r["earning_types"]) == MPI_HOURS, rate_id
    iap = by_id[MPI_IAP[1]]
    assert (iap["fund"], iap["kind"], D(iap["rate"])) == (MPI_IAP[0], "percent_of_scale", MPI_IAP[2])
    assert _iso(iap["effective_from"]) == MPI_FROM
    assert frozenset(iap["earning_types"]) == frozenset(MPI_MULTIPLIER)
    assert {k: D(v) for k, v in mpi["scale_multipliers"].items()} == MPI_MULTIPLIER
    credit = mpi["on_call_credit"]
    assert {int(k): D(v) for k, v in credit["days"].items()} == ON_CALL_HOURS
    assert D(credit["per_day_below"]) == ON_CALL_PER_DAY_BELOW
    scale = yaml.safe_load((RULES / "scale_minimums.yaml").read_text(encoding="utf-8"))
    assert {c["classification"]: D(c["minimum"]) for c in scale["classifications"]
            if c["union"] == "IATSE" and c["unit"] == "hour"} == IATSE_SCALE
    assert D(plans["SAG-AFTRA"]["allocation"]["health"]) == SAG_HEALTH_SHARE
    # Every rate line in the files is modelled here (older SAG/DGA versions are out of force for 2026).
    modelled = {(b.plan, b.rate_id) for b in PERCENT_BANDS} | {("MPI", r) for r, _ in MPI_PER_HOUR.values()}
    modelled |= {("MPI", MPI_IAP[1])}
    in_force = {k for k, r in rates.items() if _iso(r.get("effective_to")) is None
                or _iso(r["effective_to"]) >= date(2024, 1, 1)}
    assert in_force == modelled


# --- the sample is what this test assumes ---------------------------------------------------------


def test_sample_shape(sample: dict) -> None:
    """No episodes, no residuals, every period on the 2026 rates: otherwise the constants above do not cover it."""
    lines = sample["lines"]
    assert not sample["production"].get("episodes")
    assert {ln.episode for ln in lines} == {""}
    assert sample["pp"] >= PP_2022
    assert {ln.period_end.year for ln in lines} == {2026}
    assert {ln.earning_type for ln in lines} <= SESSION | NOT_SUBJECT
    assert {ln.state for ln in lines} <= {"CA", "NY", "GA", "NM"}
    assert {ln.classification for ln in lines if ln.union == "IATSE"} <= set(IATSE_SCALE)
    # The payroll faults were dropped and the pipeline quarantined exactly those lines.
    payroll = next(s for s in sample["result"].sources if s.kind == "payroll")
    # 5 injected payroll faults + 6 pay lines held with their day's refused timecard (indie seed 7: two
    # refused cards that still name their day, a blank call and a malformed wrap: REG, OT_1_5, OT_2 each).
    assert payroll.quarantined == len(sample["faulty"]) == 5 + 6
    assert payroll.accepted == len(lines)
    # One rounding group per person and period: the cap order inside a period cannot matter.
    keys = {(ln.employee_id, ln.period_end) for ln in lines if ln.earning_type in SESSION}
    assert len(keys) == len({(g[0], g[1]) for g in groups_of([ln for ln in lines if ln.earning_type in SESSION])})


def test_non_subject_earnings_are_left_out(sample: dict) -> None:
    """Per diem, mileage and kit rental are in the sample and in no fringe basis (hand check on the totals)."""
    lines = sample["lines"]
    non = [ln for ln in lines if ln.earning_type in NOT_SUBJECT]
    assert {ln.earning_type for ln in non} >= {"PER_DIEM", "MILEAGE", "KIT_RENTAL"}
    wages = sum((ln.amount for ln in lines if ln.earning_type in WAGES), D(0))
    med = sample["totals"][("FICA-MED", "HI")]
    assert sum((t.gross for t in med.values()), D(0)) == wages  # Medicare is uncapped: basis = all wages
    files = read_csv(sample["remit"] / "FICA_MED__HI__totals.csv")
    assert sum(D(r["gross_subject"]) for r in files) == wages


def test_social_security_wage_base_crossing(sample: dict) -> None:
    """The writer's $196,000 flat deal in one week crosses the 2026 base: 6.2% x 184,500.00 = 11,439.00."""
    writer = [ln for ln in sample["lines"] if ln.union == "WGA"]
    assert [ln.amount for ln in writer] == [D("196000.00")]
    emp, pe = writer[0].employee_id, writer[0].period_end
    row = sample["rows"][("FICA-SS", "OASDI", pe, emp, "ss-2026")]
    assert (row.gross, row.contribution) == (D("184500.00"), D("11439.00"))
    # FUTA and SUI stop at $7,000: 0.6% -> 42.00, 3.4% -> 238.00; WGA: 8.5% / 12% of 196,000 (under $225,000):
    # 196,000.00 x 0.085 = 16,660.00; 196,000.00 x 0.12 = 23,520.00 (health 12% from 2024-05-02, 2023 MBA).
    assert sample["rows"][("FUTA", "FUTA", pe, emp, "futa-2024")].contribution == D("42.00")
    assert sample["rows"][("SUI", "CA", pe, emp, "sui-ca")].contribution == D("238.00")
    assert sample["rows"][("WGA", "Pension", pe, emp, "wga-2019-pension")].contribution == D("16660.00")
    assert sample["rows"][("WGA", "Health", pe, emp, "wga-2024-health")].contribution == D("23520.00")
    detail = [r for r in read_csv(sample["remit"] / "FICA_SS__OASDI.csv") if r["person_id"] == emp]
    assert [(r["gross_subject"], r["contribution"]) for r in detail] == [("184500.00", "11439.00")]


# --- the files against the recomputation ---------------------------------------------------------

PLANS = ["SAG-AFTRA", "DGA", "WGA", "MPI", "FICA-SS", "FICA-MED", "FUTA", "SUI", "WC"]


def test_remittance_files_are_exactly_the_expected_funds(sample: dict) -> None:
    expected = {f"{slug(p)}__{slug(f)}{suffix}.csv" for p, f in sample["totals"] for suffix in ("", "__totals")}
    assert {p.name for p in sample["remit"].glob("*.csv")} == expected
    assert {p for p, _ in sample["totals"]} == set(PLANS)


@pytest.mark.parametrize("plan", PLANS)
def test_totals_files_match_to_the_cent(sample: dict, plan: str) -> None:
    funds = {f: periods for (p, f), periods in sample["totals"].items() if p == plan}
    assert funds, plan
    for fund, periods in funds.items():
        got = read_csv(sample["remit"] / f"{slug(plan)}__{slug(fund)}__totals.csv")
        assert all((r["plan"], r["fund"]) == (plan, fund) for r in got)
        assert all(r["employer_code"] == sample["production"]["employer_code"] for r in got)
        got_by_pe = {date.fromisoformat(r["period_end"]): r for r in got}
        assert len(got_by_pe) == len(got), f"{plan} {fund}: a period twice"
        assert sorted(got_by_pe) == sorted(periods), f"{plan} {fund}: periods"
        for pe, t in periods.items():
            r = got_by_pe[pe]
            assert (int(r["people"]), D(r["gross_subject"]), D(r["hours"]), D(r["contribution"])) == (
                len(t.people), t.gross, t.hours, t.contribution), f"{plan} {fund} {pe}"
        grand = sum((t.contribution for t in periods.values()), D(0))
        assert sum(D(r["contribution"]) for r in got) == grand, f"{plan} {fund} grand total"


@pytest.mark.parametrize("plan", PLANS)
def test_detail_files_match_per_person(sample: dict, plan: str) -> None:
    funds = {f for (p, f) in sample["totals"] if p == plan}
    for fund in funds:
        got: dict[Key, Row] = defaultdict(Row)
        for r in read_csv(sample["remit"] / f"{slug(plan)}__{slug(fund)}.csv"):
            k = (plan, fund, date.fromisoformat(r["period_end"]), r["person_id"], r["rate_id"])
            row = got[k]
            row.gross += D(r["gross_subject"])
            row.hours = None if not r["hours"] else (row.hours or D(0)) + D(r["hours"])
            row.contribution += D(r["contribution"])
        want = {k: r for k, r in sample["rows"].items() if k[:2] == (plan, fund)}
        assert sorted(got) == sorted(want), f"{plan} {fund}: detail keys"
        for k, r in want.items():
            assert (got[k].gross, got[k].hours, got[k].contribution) == (r.gross, r.hours, r.contribution), k


def test_sag_aftra_health_retirement_allocation(sample: dict) -> None:
    """Each detail row: health = 49.5% of the contribution rounded half up, retirement the remainder."""
    rows = read_csv(sample["remit"] / "SAG_AFTRA__P_H.csv")
    assert rows
    for r in rows:
        c = D(r["contribution"])
        health = cents(c * SAG_HEALTH_SHARE)
        assert (D(r["health_allocation"]), D(r["retirement_allocation"])) == (health, c - health), r["person_id"]
        assert r["pp_date"] == sample["pp"].isoformat()


def test_ledger_fringe_payable_equals_recomputation(sample: dict) -> None:
    """FRINGE_PAYABLE:<plan> credits, per plan/fund/period (document_no) and per plan, equal the recomputation."""
    led = Ledger.open(sample["url"])
    e = led.entries_frame()
    fp = e[e["account"].astype(str).str.startswith("FRINGE_PAYABLE:")]
    assert (fp["debit"] == 0).all()  # fringes only ever credit the payable here
    credited: dict[tuple[str, str, date], Decimal] = defaultdict(Decimal)
    for doc, acct, credit in zip(fp["document_no"], fp["account"], fp["credit"], strict=True):
        plan, fund, pe = str(doc).split(":")  # fringe_postings' document_no: plan:fund:period_end
        assert acct == f"FRINGE_PAYABLE:{plan}"
        credited[(plan, fund, date.fromisoformat(pe))] += D(str(credit))
    want = {(p, f, pe): t.contribution for (p, f), periods in sample["totals"].items()
            for pe, t in periods.items() if t.contribution}
    assert dict(credited) == want
    tb = led.trial_balance()
    by_plan = {a.split(":", 1)[1]: D(str(c)) for a, c in zip(tb["account"], tb["credit"], strict=True)
               if str(a).startswith("FRINGE_PAYABLE:")}
    plan_totals: dict[str, Decimal] = defaultdict(Decimal)
    for (p, _f), periods in sample["totals"].items():
        plan_totals[p] += sum((t.contribution for t in periods.values()), D(0))
    assert by_plan == dict(plan_totals)
    # and the remittance totals files say the same per plan
    files: dict[str, Decimal] = defaultdict(Decimal)
    for path in sample["remit"].glob("*__totals.csv"):
        for r in read_csv(path):
            files[r["plan"]] += D(r["contribution"])
    assert dict(files) == by_plan

"""prodlib.sample: the generated production is deterministic, messy where intended, clean elsewhere.

Every check re-reads the written files with the csv module and recomputes independently (Decimal,
strptime, the chart's resolver, the rate card), instead of trusting the generator's own arrays.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from prodlib.errors import RuleDataError
from prodlib.money import MoneyFormatError, parse_money, round_cents, to_cents
from prodlib.production import Production, load_production
from prodlib.reasons import Reason
from prodlib.rules import load_scale
from prodlib.sample import (
    FAULT_RATES,
    PP_DATE,
    ROLES,
    SCALES,
    Manifest,
    generate,
    production_facts,
    sample_production,
)
from prodlib.sample.catalog import RATE_CARD_PATH, price_rate_card, rate_card
from prodlib.sample.writers import write_production
from prodlib.taxonomy import get_chart

CHART = get_chart("feature_us_sample")
PERFORMERS = {"Principal Performer", "Stunt Performer", "Background Actor"}


@pytest.fixture(scope="module")
def indie(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    root = tmp_path_factory.mktemp("indie")
    return root, generate(root, "indie", seed=7)


def _sources(root: Path) -> list[dict]:
    return yaml.safe_load((root / "sources.yaml").read_text(encoding="utf-8"))["sources"]


def _read(root: Path, src: dict) -> list[list[str]]:
    """All physical lines as cells; index 0 is the header (line 1)."""
    with open(root / src["path"], encoding=src.get("encoding", "utf-8"), newline="") as fh:
        return list(csv.reader(fh, delimiter=src.get("delimiter", ",")))


def _window(root: Path) -> tuple[date, date]:
    doc = yaml.safe_load((root / "production.yaml").read_text(encoding="utf-8"))
    return doc["window"]["start"], doc["window"]["end"]


def _cell(src: dict, header: list[str], row: list[str], canonical: str) -> str:
    return row[header.index(src["columns"][canonical])]


def _faults_by_file(manifest: Manifest) -> dict[str, dict[int, object]]:
    out: dict[str, dict[int, object]] = defaultdict(dict)
    for f in manifest.faults:
        assert f.line not in out[f.file], f"two faults on {f.file}:{f.line}"
        out[f.file][f.line] = f
    return out


def _all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- determinism and layout ------------------------------------------------------------------


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path, indie) -> None:
    root, _ = indie
    again = tmp_path / "again"
    generate(again, "indie", seed=7)
    first, second = _all_files(root), _all_files(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    other = tmp_path / "other"
    generate(other, "indie", seed=8)
    assert _all_files(other)["payroll/payroll_register.csv"] != first["payroll/payroll_register.csv"]


def test_layout_manifest_and_row_counts(indie) -> None:
    root, manifest = indie
    assert Manifest.read(root / "manifest.json") == manifest
    kinds = {f.kind for f in manifest.files.values()}
    # check_register: the books' cash, the book side of the bank reconciliation (prodlib.reconcile)
    assert kinds == {"budget", "invoice", "purchase_order", "timecard", "payroll", "petty_cash", "bank",
                     "check_register"}
    srcs = _sources(root)
    assert sorted(s["path"] for s in srcs) == sorted(manifest.files)
    assert len({s["id"] for s in srcs}) == len(srcs)
    for s in srcs:
        lines = _read(root, s)
        assert len(lines) - 1 == manifest.files[s["path"]].rows, s["path"]
        assert all(len(r) == len(lines[0]) for r in lines), s["path"]
    invoice_rows = sum(f.rows for f in manifest.files.values() if f.kind == "invoice")
    assert invoice_rows == SCALES["indie"].invoice_lines == manifest.invoice_lines


def test_invoice_lines_override(tmp_path: Path) -> None:
    m = generate(tmp_path, "indie", seed=3, invoice_lines=777)
    assert sum(f.rows for f in m.files.values() if f.kind == "invoice") == 777


def test_production_yaml_matches_facts(indie) -> None:
    root, _ = indie
    doc = yaml.safe_load((root / "production.yaml").read_text(encoding="utf-8"))
    facts = production_facts("indie")
    assert doc["window"] == {"start": date(2026, 2, 16), "end": date(2026, 4, 10)}  # 2 weeks prep .. 4 after shoot
    assert doc["principal_photography"] == facts.pp_date == date(2026, 3, 2)
    assert doc["budget_version"] == doc["budget"]["version"] == "BV-1-LOCKED"
    assert doc["chart"] == "feature_us_sample" and doc["employer_code"]


def test_sources_columns_exist_in_headers(indie) -> None:
    root, _ = indie
    for s in _sources(root):
        header = _read(root, s)[0]
        for canonical, name in s["columns"].items():
            assert name in header, (s["path"], canonical, name)


# --- formats ---------------------------------------------------------------------------------


def _invoice_cells(root: Path, canonical: str) -> list[tuple[dict, str]]:
    out = []
    for s in _sources(root):
        if s["kind"] == "invoice" and canonical in s["columns"]:
            lines = _read(root, s)
            out += [(s, _cell(s, lines[0], r, canonical)) for r in lines[1:]]
    return out


def test_three_date_formats_and_each_parses(indie) -> None:
    root, _ = indie
    formats = {s["date_format"] for s in _sources(root) if s["kind"] == "invoice"}
    assert {"%Y-%m-%d", "%m/%d/%Y", "%d-%b-%y"} <= formats
    samples = {s["date_format"]: v for s, v in _invoice_cells(root, "invoice_date") if v}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", samples["%Y-%m-%d"])
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", samples["%m/%d/%Y"])
    assert re.fullmatch(r"\d{1,2}-[A-Z][a-z]{2}-\d\d", samples["%d-%b-%y"])


def test_money_formats_present(indie) -> None:
    root, _ = indie
    cells = [v for _, v in _invoice_cells(root, "amount")]
    patterns = {
        "dollar grouped": r"\$\d{1,3}(,\d{3})+\.\d\d",
        "one decimal, no zeros": r"\d+\.\d",
        "parenthesized credit": r"\(\d{1,3}(,\d{3})*\.\d\d\)",
        "european": r"\d{1,3}(\.\d{3})+,\d\d",
    }
    for name, pat in patterns.items():
        assert any(re.fullmatch(pat, c) for c in cells), name
    codes = [v for _, v in _invoice_cells(root, "cost_code")]
    for pat in (r"\d{4}-\d\d", r"\d{4}\.\d\d", r"\d{6}"):
        assert any(re.fullmatch(pat, c) for c in codes), pat
    assert any(c == "" for c in codes)


def test_european_vendor(indie) -> None:
    root, _ = indie
    eu = [s for s in _sources(root) if s["kind"] == "invoice" and s["money_locale"] == "eu"]
    assert eu
    grouped: list[str] = []
    for s in eu:
        assert s["delimiter"] == ";" and s["encoding"] == "cp1252"
        raw = (root / s["path"]).read_bytes()
        assert raw.split(b"\r\n")[0].count(b";") == len(s["columns"])  # 6 mapped + 1 unmapped column
        lines = _read(root, s)
        amounts = [_cell(s, lines[0], r, "amount") for r in lines[1:]]
        grouped += [a for a in amounts if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d\d", a)]
    assert grouped
    # 1.234,56 is 1234.56 in the eu locale; the us reading fails.
    a = grouped[0]
    assert parse_money(a, "eu") == Decimal(a.replace(".", "").replace(",", "."))
    with pytest.raises(MoneyFormatError):
        parse_money(a, "us")


# --- faults ----------------------------------------------------------------------------------


def _check_fault(f, src: dict, lines: list[list[str]], window: tuple[date, date]) -> None:
    header, row = lines[0], lines[f.line - 1]
    value = _cell(src, header, row, f.field) if f.field else ""
    fmt = src.get("date_format")
    assert f.reason == f.fault.upper() and Reason(f.reason)
    if f.fault == "unknown_cost_code":
        assert CHART.resolve(value).reason is Reason.UNKNOWN_COST_CODE, value
    elif f.fault == "ambiguous_cost_code":
        assert CHART.resolve(value).reason is Reason.AMBIGUOUS_COST_CODE, value
    elif f.fault == "malformed_amount":
        assert value.strip()
        with pytest.raises(MoneyFormatError):
            parse_money(value, src["money_locale"])
    elif f.fault == "missing_field":
        assert value.strip() == ""
    elif f.fault == "duplicate_invoice":
        col = header.index(src["columns"]["invoice_number"])
        first = next(n for n, r in enumerate(lines[1:], start=2) if r[col] == value)
        assert value and first < f.line
    elif f.fault == "date_out_of_window":
        d = datetime.strptime(value, fmt).date()
        assert not window[0] <= d <= window[1]
    elif f.fault == "malformed_date":
        with pytest.raises(ValueError):
            datetime.strptime(value, fmt)
    elif f.fault == "malformed_value":
        assert not re.fullmatch(r"\d\d:[0-5]\d", value), value
    elif f.fault == "below_scale":
        assert Decimal(value) * 100 < rate_card()[_cell(src, header, row, "classification")].min_cents
    elif f.fault == "overtime_underpaid":
        hours, rate = Decimal(_cell(src, header, row, "hours")), Decimal(_cell(src, header, row, "rate"))
        assert _cell(src, header, row, "earning_type") == "OT_1_5"
        assert Decimal(value) < round_cents(hours * rate * Decimal("1.5"))
    elif f.fault == "misclassified_position":
        section = CHART.section_of(value).id
        performer = _cell(src, header, row, "classification") in PERFORMERS
        assert (performer and section != "ATL" and value != "2100-01") or (not performer and section == "ATL")
    elif f.fault == "unknown_classification":
        assert value not in rate_card()
    elif f.fault == "negative_gross":
        assert Decimal(value) < 0
    elif f.fault == "envelope_unbalanced":  # a receipt of the envelope whose returned cash is off
        assert re.fullmatch(r"PC-\d{4}", value), value
    elif f.fault == "timecard_quarantined":  # the day is named (its refused card: the test below)
        assert datetime.strptime(value, fmt)
    else:  # pragma: no cover
        raise AssertionError(f"unchecked fault {f.fault}")


def test_manifest_points_at_the_faulty_cells(indie) -> None:
    root, manifest = indie
    srcs = {s["path"]: s for s in _sources(root)}
    window = _window(root)
    cache: dict[str, list[list[str]]] = {}
    for f in manifest.faults:
        src = srcs[f.file]
        assert f.source_id == src["id"]
        if f.file not in cache:
            cache[f.file] = _read(root, src)
        lines = cache[f.file]
        _check_fault(f, src, lines, window)


def test_every_fault_kind_present_at_indie(indie) -> None:
    _, manifest = indie
    counts = manifest.fault_counts()
    expected = {(kind, fault) for kind, rates in FAULT_RATES.items() for fault in rates}
    # ... and the pay lines held by a refused timecard (a consequence, not a rate of its own).
    # ... and the receipts of the envelope whose returned cash is off (held together before they post).
    assert set(counts) == expected | {("payroll", "timecard_quarantined"), ("petty_cash", "envelope_unbalanced")}
    assert len(expected) == 7 + 6 + 6 + 3 + 5


def test_held_pay_lines_are_the_days_of_refused_timecards(indie) -> None:
    # Each TIMECARD_QUARANTINED payroll line names an employee and work date whose timecard is itself a
    # manifest fault (one that leaves the work date readable); each such card holds at least one line.
    root, manifest = indie
    srcs = {s["path"]: s for s in _sources(root)}

    def day_of(f) -> tuple[str, date]:
        src = srcs[f.file]
        lines = _read(root, src)
        row = lines[f.line - 1]
        return (_cell(src, lines[0], row, "employee_id"),
                datetime.strptime(_cell(src, lines[0], row, "work_date"), src["date_format"]).date())

    held = {day_of(f) for f in manifest.faults if f.fault == "timecard_quarantined"}
    cards = {day_of(f) for f in manifest.faults if f.file.startswith("timecards/") and f.field != "work_date"}
    assert held and held == cards


def test_fault_rates_are_configurable(tmp_path: Path) -> None:
    m = generate(tmp_path, "indie", seed=7, fault_rates={"malformed_amount": 0.05})
    # 400 invoice lines * 5% = 20 rows.
    assert m.fault_counts()[("invoice", "malformed_amount")] == 20
    with pytest.raises(ValueError):
        generate(tmp_path, "indie", fault_rates={"no_such_fault": 0.1})


# --- clean rows are clean --------------------------------------------------------------------


def test_clean_rows_of_money_kinds_are_clean(indie) -> None:
    root, manifest = indie
    faulty = _faults_by_file(manifest)
    window = _window(root)
    seen: dict[str, set[str]] = defaultdict(set)
    keyword_lines = 0
    for s in _sources(root):
        if s["kind"] not in ("invoice", "purchase_order", "petty_cash", "budget"):
            continue
        lines = _read(root, s)
        header = lines[0]
        bad = faulty.get(s["path"], {})
        for n, row in enumerate(lines[1:], start=2):
            if n in bad:
                continue
            amount = parse_money(_cell(s, header, row, "amount"), s["money_locale"])
            assert amount == round_cents(amount)
            code = _cell(s, header, row, "cost_code")
            desc = _cell(s, header, row, "description")
            res = CHART.resolve(code, desc, s.get("default_cost_code"))
            assert res.code is not None, (s["path"], n, code, desc, res)
            if s["kind"] != "budget":
                date_col = {"invoice": "invoice_date", "purchase_order": "po_date", "petty_cash": "receipt_date"}
                d = datetime.strptime(_cell(s, header, row, date_col[s["kind"]]), s["date_format"]).date()
                assert window[0] <= d <= window[1]
            if not code and not s.get("default_cost_code"):
                hits = {c for pattern, c in CHART.keyword_rules if pattern.search(desc)}
                assert len(hits) == 1, desc
                keyword_lines += 1
            if s["kind"] == "invoice":
                key = s["constants"]["vendor_id"]
                number = _cell(s, header, row, "invoice_number")
                assert number not in seen[key], (key, number)
                seen[key].add(number)
            if s["kind"] == "purchase_order":
                assert _cell(s, header, row, "status") in {"approved", "draft", "cancelled", "closed"}
    assert keyword_lines > 0


def test_invoices_reference_real_pos_of_the_same_vendor(indie) -> None:
    root, manifest = indie
    srcs = _sources(root)
    po_src = next(s for s in srcs if s["kind"] == "purchase_order")
    faulty = _faults_by_file(manifest)[po_src["path"]]
    lines = [r for n, r in enumerate(_read(root, po_src), start=1) if n not in faulty]
    pos = {_cell(po_src, lines[0], r, "po_number"): r for r in lines[1:]}
    assert len(pos) == len(lines) - 1  # PO numbers are unique
    statuses = {_cell(po_src, lines[0], r, "status") for r in lines[1:]}
    assert statuses == {"approved", "draft", "cancelled", "closed"}
    refs = 0
    for s, po in _invoice_cells(root, "po_number"):
        if po:
            refs += 1
            row = pos[po]
            assert _cell(po_src, lines[0], row, "vendor_id") == s["constants"]["vendor_id"]
            assert _cell(po_src, lines[0], row, "status") in ("approved", "closed")
    assert refs > 0


def test_budget_shape(indie) -> None:
    root, _ = indie
    s = next(s for s in _sources(root) if s["kind"] == "budget")
    lines = _read(root, s)
    assert lines[0] == ["Account", "Description", "Total"]
    budget = {r[0]: parse_money(r[2]) for r in lines[1:]}
    assert all(re.fullmatch(r"\d+\.\d\d", r[2]) for r in lines[1:])
    details = {c for c, d in CHART.details.items() if not CHART.accounts[d.account].is_fringe}
    assert details <= set(budget)
    assert {"1900-01", "4900-02"} <= set(budget)
    above = sum(v for c, v in budget.items() if CHART.section_of(c).id != "BGT")
    assert abs(budget["8000-01"] / above - Decimal("0.10")) < Decimal("0.001")
    assert budget["8100-01"] > 0
    total = sum(budget.values())
    assert Decimal("1200000") < total < Decimal("1800000")
    atl = sum(v for c, v in budget.items() if CHART.section_of(c).id == "ATL")
    assert Decimal("0.15") < atl / total < Decimal("0.6")


def test_bank_feed_conventions(indie) -> None:
    root, _ = indie
    s = next(s for s in _sources(root) if s["kind"] == "bank")
    assert s["date_format"] == "%Y%m%d"
    lines = _read(root, s)
    amounts = [parse_money(_cell(s, lines[0], r, "amount")) for r in lines[1:]]
    assert any(a < 0 for a in amounts) and any(a > 0 for a in amounts)
    assert any(_cell(s, lines[0], r, "amount").endswith("-") for r in lines[1:])
    descs = " ".join(_cell(s, lines[0], r, "description") for r in lines[1:])
    for word in ("PAYROLL FUNDING", "PETTY CASH", "ACH PAYMENT", "STUDIO FUNDING"):
        assert word in descs


# --- payroll against timecards and the rate card ---------------------------------------------


def _minutes(t: str) -> int:
    h, m = t.split(":")
    return int(h) * 60 + int(m)


def test_payroll_hours_and_amounts_agree_with_timecards(indie) -> None:
    root, manifest = indie
    srcs = _sources(root)
    faulty_rows = _faults_by_file(manifest)
    faulty_emps: set[str] = set()
    expected: dict[tuple[str, date, str], Decimal] = {}
    for s in (s for s in srcs if s["kind"] == "timecard"):
        lines = _read(root, s)
        h = lines[0]
        for n, row in enumerate(lines[1:], start=2):
            emp = _cell(s, h, row, "employee_id")
            if n in faulty_rows.get(s["path"], {}):
                faulty_emps.add(emp)
                continue
            get = {k: _cell(s, h, row, k) for k in s["columns"]}
            worked = _minutes(get["wrap_time"]) - _minutes(get["call_time"])
            for out_, in_ in (("meal1_out", "meal1_in"), ("meal2_out", "meal2_in")):
                if get[out_]:
                    worked -= _minutes(get[in_]) - _minutes(get[out_])
            hours = Decimal(worked) / 60
            day = datetime.strptime(get["work_date"], s["date_format"]).date()
            for earn, amount in (("REG", min(hours, Decimal(8))), ("OT_1_5", min(max(hours - 8, 0), Decimal(4))),
                                 ("OT_2", max(hours - 12, 0))):
                if amount:
                    expected[(emp, day, earn)] = amount
    pay = next(s for s in srcs if s["kind"] == "payroll")
    lines = _read(root, pay)
    h = lines[0]
    for n in faulty_rows.get(pay["path"], {}):
        faulty_emps.add(_cell(pay, h, lines[n - 1], "employee_id"))
    mult = {"REG": Decimal(1), "OT_1_5": Decimal("1.5"), "OT_2": Decimal(2)}
    got: dict[tuple[str, date, str], Decimal] = {}
    checked = 0
    for n, row in enumerate(lines[1:], start=2):
        emp, earn = _cell(pay, h, row, "employee_id"), _cell(pay, h, row, "earning_type")
        rate = Decimal(_cell(pay, h, row, "rate"))
        amount = parse_money(_cell(pay, h, row, "amount"))
        if n in faulty_rows.get(pay["path"], {}):
            continue
        line = rate_card().get(_cell(pay, h, row, "classification"))
        if earn in mult or earn == "FLAT":
            assert line is not None and rate * 100 >= line.min_cents, (n, row)
        if earn in mult:
            hours = Decimal(_cell(pay, h, row, "hours"))
            assert amount == round_cents(hours * rate * mult[earn]), (n, row)
            day = datetime.strptime(_cell(pay, h, row, "work_date"), pay["date_format"]).date()
            got[(emp, day, earn)] = hours
            checked += 1
        else:
            assert _cell(pay, h, row, "hours") == "" and amount == rate, (n, row)
    keep = {k: v for k, v in expected.items() if k[0] not in faulty_emps}
    assert keep and {k: v for k, v in got.items() if k[0] not in faulty_emps} == keep
    assert checked > 100
    wrap = [_cell(s, _read(root, s)[0], r, "wrap_time") for s in srcs if s["kind"] == "timecard"
            for r in _read(root, s)[1:]]
    assert any(w and re.fullmatch(r"\d\d:\d\d", w) and int(w[:2]) >= 24 for w in wrap)  # past midnight


def test_payroll_unions_and_non_pensionable_lines(indie) -> None:
    root, _ = indie
    pay = next(s for s in _sources(root) if s["kind"] == "payroll")
    lines = _read(root, pay)
    h = lines[0]
    assert {"Emp ID", "Union", "Occ Code", "Classification", "Wk Ending"} <= set(h)
    unions = {_cell(pay, h, r, "union") for r in lines[1:]}
    assert unions == {"SAG-AFTRA", "DGA", "WGA", "IATSE", "NON-UNION"}
    earns = {_cell(pay, h, r, "earning_type") for r in lines[1:]}
    assert {"REG", "OT_1_5", "OT_2", "FLAT", "PER_DIEM", "KIT_RENTAL", "MILEAGE"} <= earns
    codes = {(_cell(pay, h, r, "classification"), _cell(pay, h, r, "cost_code")) for r in lines[1:]}
    for pair in (("Director", "1300-01"), ("Writer", "1100-02"), ("Background Actor", "2100-01"),
                 ("Grip", "2500-01"), ("Production Assistant", "2000-04"), ("Makeup Artist", "3100-01")):
        assert pair in codes
    ends = {datetime.strptime(_cell(pay, h, r, "period_end"), pay["date_format"]).date() for r in lines[1:]}
    assert all(d.weekday() == 5 for d in ends)  # weeks end on Saturday


# --- the rate card's minimums are the rule data's; production.yaml is the one model's ----------


def test_rate_card_minimums_are_the_rule_datas() -> None:
    scale = load_scale()
    for tier in ("low", "high", None):
        card = rate_card(tier)
        assert set(card) == {r.classification for r in ROLES}  # every role the sample pays is priced
        for cls, line in card.items():
            rule = scale.lookup(line.union, cls, PP_DATE, tier or "low")  # None: the lowest (low) line
            assert rule is not None and line.min_cents == to_cents(rule.minimum), (tier, cls)
            assert line.unit == rule.unit and line.min_cents <= line.low_cents <= line.high_cents
    # By hand, from scale_minimums.yaml and rate_card.yaml: Key Grip 52.00/hour, paid 52.00 .. 60.00;
    # the high-tier writer 170,655.00 flat, paid from 171,000.00 (rounded up to the $1,000 step)
    # to 350,000.00; the low-tier writer 80,000.00 .. 250,000.00.
    assert (rate_card("low")["Key Grip"].min_cents, rate_card("low")["Key Grip"].high_cents) == (5_200, 6_000)
    high = rate_card("high")["Writer"]
    assert (high.unit, high.min_cents, high.low_cents, high.high_cents) == ("flat", 17_065_500, 17_100_000, 35_000_000)
    assert rate_card()["Writer"].min_cents == rate_card("low")["Writer"].min_cents == 8_000_000


def test_rate_card_carries_no_minimum_of_its_own() -> None:
    doc = yaml.safe_load(RATE_CARD_PATH.read_text(encoding="utf-8"))
    for c in doc["classifications"]:
        assert set(c) <= {"union", "classification", "budget_tier", "pay_up_to"}, c
    # Change the rule data alone: the card follows. Key Grip at 53.10 is paid from 53.25 (a quarter step up).
    scale = load_scale()
    moved = replace(scale, entries=tuple(
        replace(e, minimum=Decimal("53.10")) if e.classification == "Key Grip" else e for e in scale.entries))
    line = price_rate_card(doc["classifications"], moved, "low", PP_DATE)["Key Grip"]
    assert (line.min_cents, line.low_cents, line.high_cents) == (5_310, 5_325, 6_000)
    with pytest.raises(RuleDataError, match="'min'"):
        price_rate_card([{"union": "IATSE", "classification": "Grip", "min": "45.00", "pay_up_to": "50.00"}],
                        scale, "low", PP_DATE)
    with pytest.raises(RuleDataError, match="quoted"):
        price_rate_card([{"union": "IATSE", "classification": "Grip", "pay_up_to": 50.0}], scale, "low", PP_DATE)


@pytest.mark.parametrize("scale", ["indie", "feature"])
def test_production_yaml_loads_back_as_the_production_built(tmp_path: Path, indie, scale: str) -> None:
    root = indie[0] if scale == "indie" else tmp_path
    if scale != "indie":
        write_production(root, production_facts(scale))
    built = sample_production(scale).production
    assert isinstance(built, Production) and load_production(root / "production.yaml") == built
    # By hand: PP 2026-03-02 (a Monday); indie 2 prep weeks -> 2026-02-16, 2 shoot + 4 wrap weeks -> Fri
    # 2026-04-10; feature 8 prep weeks -> 2026-01-05, 8 + 9 weeks -> Fri 2026-06-26; locked 3 days
    # before prep; budget targets 1.5M (low) and 35M (high, >= 5M).
    expected = {"indie": (date(2026, 2, 16), date(2026, 4, 10), "low"),
                "feature": (date(2026, 1, 5), date(2026, 6, 26), "high")}[scale]
    assert (built.window_start, built.window_end, built.budget_tier) == expected
    assert built.budget_locked_on == expected[0] - timedelta(days=3) and built.pp_date == PP_DATE
    assert built.budget_total is None  # the written budget's total is near the target, not declared

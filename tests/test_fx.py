"""Foreign currency (issue 9.2): a EUR vendor's export converted by the declared rate table, kept in
the ledger with its original amount and rate, sealed, exported with ``@@`` and shown as exposure.

Every expected figure is worked by hand in the comment beside it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from prodlib.cli import main
from prodlib.errors import ConfigError
from prodlib.fx import (
    MAX_RATE_AGE_DAYS,
    RATE_TYPE,
    RateTable,
    convert,
    convert_column,
    load_rate_table,
    parse_rate_table,
    rate_text,
    rates_in_force,
)
from prodlib.ledger import Ledger, beancount_account, export_beancount, verify_chain
from prodlib.ledger import chain as ch
from prodlib.ledger.connection import make_engine
from prodlib.ledger.migrations import migrate
from prodlib.money import AMOUNT_BOUND, MONEY_TYPE, from_cents
from prodlib.pipeline import run
from prodlib.reports.cost import fx_exposure
from prodlib.reports.display import fx_exposure_html
from prodlib.reports.load import load_fx_entries
from prodlib.sources import load_input_set
from tests.config.files import PRODUCTION, edited

from .ledger.helpers import postings

BEAN_CHECK = Path(sys.executable).with_name("bean-check")

RATES = """date,currency,rate,source
2026-03-02,EUR,1.0825,ECB reference rate
2026-03-09,EUR,1.25,"ECB reference rate (a round figure, for the tie)"
"""

EUR_SOURCES = """production: production.yaml
sources:
  - id: nordlicht
    kind: invoice
    path: inv/nordlicht.csv
    encoding: cp1252
    delimiter: ";"
    date_format: "%d.%m.%Y"
    money_locale: eu
    currency: EUR
    columns: {invoice_number: Rechnung, invoice_date: Datum, cost_code: Konto, description: Text, amount: Betrag}
    constants: {vendor_id: V-NORD, vendor_name: Nordlicht Bildwerk GmbH}
"""

# line 2: 1.234,56 EUR on 02.03 at 1.0825 = 1,336.4112       -> 1,336.41
# line 3: 0,02 EUR on 09.03 at 1.25 = 0.025 (a tie)           -> 0.03 (half up, away from zero)
# line 4: a credit note -0,02 EUR on 10.03 at 1.25 = -0.025   -> -0.03
# line 5: 27.02, before the first rate (02.03)                -> FX_RATE_MISSING
# line 6: 20.03, 11 days after the latest rate (09.03) > 7    -> FX_RATE_MISSING
# line 7: "12,00 $" in a EUR file                             -> CURRENCY_MISMATCH
# line 8: 2.000,00 EUR on 16.03, 7 days after 09.03 (in force) at 1.25 -> 2,500.00
EUR_FILE = (
    "Rechnung;Datum;Konto;Text;Betrag\r\n"
    "N-1;02.03.2026;2500-02;Kran Überführung;1.234,56 €\r\n"
    "N-2;09.03.2026;2500-02;Kleinteile;0,02 EUR\r\n"
    "N-3;10.03.2026;2500-02;Gutschrift;-0,02 €\r\n"
    "N-4;27.02.2026;2500-02;Vorabrechnung;100,00 €\r\n"
    "N-5;20.03.2026;2500-02;Nachtrag;50,00 €\r\n"
    "N-6;05.03.2026;2500-02;Dollar-Rechnung;12,00 $\r\n"
    "N-7;16.03.2026;2500-02;Dolly;2.000,00 €\r\n"
)


def eur_folder(root: Path, rates: str | None = RATES) -> Path:
    (root / "inv").mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION, encoding="utf-8")
    (root / "sources.yaml").write_text(EUR_SOURCES, encoding="utf-8")
    (root / "inv" / "nordlicht.csv").write_bytes(EUR_FILE.encode("cp1252"))
    if rates is not None:
        (root / "fx_rates.csv").write_text(rates, encoding="utf-8")
    return root


# --- the rate table ---------------------------------------------------------------------------


def test_rate_table_reads_the_declared_rates():
    table = parse_rate_table(RATES, "USD")
    assert [(r.date, r.currency, r.rate, r.line) for r in table.rates] == [
        (date(2026, 3, 2), "EUR", Decimal("1.0825"), 2), (date(2026, 3, 9), "EUR", Decimal("1.25"), 3)]
    assert load_rate_table(Path("/nonexistent-folder"), "USD") == RateTable("USD")  # optional file


@pytest.mark.parametrize(("row", "field", "words"), [
    ("2026-3-02,EUR,1.1,x", "date", "not a date"),
    ("20260302,EUR,1.1,x", "date", "not a date"),
    ("2026-03-02,eur,1.1,x", "currency", "ISO 4217"),
    ("2026-03-02,USD,1.1,x", "currency", "production currency"),
    ("2026-03-02,EUR,1.12345678901,x", "rate", "at most 10 decimals"),
    ("2026-03-02,EUR,1e3,x", "rate", "positive decimal"),
    ("2026-03-02,EUR,0.0,x", "rate", "positive decimal"),
    ("2026-03-02,EUR,-1.1,x", "rate", "positive decimal"),
    ("2026-03-02,EUR,1.1,", "source", "source"),
    ("2026-03-02,EUR,1.2,again", "date", "first is on line 2"),
])
def test_a_bad_rate_row_names_file_line_and_field(row, field, words):
    text = "date,currency,rate,source\n2026-03-02,EUR,1.1,ECB\n" + row + "\n"
    with pytest.raises(ConfigError) as err:
        parse_rate_table(text, "USD")
    assert (err.value.file, err.value.line, err.value.field) == ("fx_rates.csv", 3, field)
    assert words in str(err.value)


def test_a_bad_header_or_field_count_is_refused():
    with pytest.raises(ConfigError, match="line 1: the header must be date,currency,rate,source"):
        parse_rate_table("day,currency,rate,source\n", "USD")
    with pytest.raises(ConfigError, match="line 2: has 3 fields"):
        parse_rate_table("date,currency,rate,source\n2026-03-02,EUR,1.1\n", "USD")


def test_rate_in_force_is_the_latest_on_or_before_within_the_staleness_window():
    table = parse_rate_table(RATES, "USD")
    assert MAX_RATE_AGE_DAYS == 7
    assert table.rate_in_force("EUR", date(2026, 3, 1)) is None  # before the first rate
    assert table.rate_in_force("EUR", date(2026, 3, 2)).rate == Decimal("1.0825")  # on its date
    assert table.rate_in_force("EUR", date(2026, 3, 8)).rate == Decimal("1.0825")  # 6 days on
    assert table.rate_in_force("EUR", date(2026, 3, 16)).rate == Decimal("1.25")  # 7 days on: in force
    assert table.rate_in_force("EUR", date(2026, 3, 17)) is None  # 8 days on: stale
    assert table.rate_in_force("GBP", date(2026, 3, 9)) is None  # a currency without rates


# --- conversion: the column path equals the Decimal reference ---------------------------------

CENTS = st.integers(min_value=-10**11, max_value=10**11)
RATES_SCALED = st.integers(min_value=1, max_value=10**12)  # rate = n / 10**10: up to 100.0, 10 decimals


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(CENTS, RATES_SCALED), min_size=1, max_size=40))
@example([(2, 125 * 10**8), (-2, 125 * 10**8)])  # 0.02 x 1.25 = 0.025 -> 0.03; -0.025 -> -0.03
@example([(123456, 10825 * 10**6)])  # 1,234.56 x 1.0825 = 1,336.4112 -> 1,336.41
@example([(1, 5 * 10**9), (-1, 5 * 10**9), (3, 5 * 10**9)])  # 0.005 -> 0.01, -0.005 -> -0.01, 0.015 -> 0.02
def test_convert_column_equals_the_decimal_reference(pairs):
    originals = [from_cents(c) for c, _ in pairs]
    rates = [Decimal(r).scaleb(-10) for _, r in pairs]
    got = convert_column(pa.array(originals, MONEY_TYPE), pa.array(rates, RATE_TYPE))
    exact = [o * r for o, r in zip(originals, rates, strict=True)]
    beyond = [abs(x) > AMOUNT_BOUND for x in exact]  # the line bound holds after conversion too
    want = [None if b else convert(o, r) for o, r, b in zip(originals, rates, beyond, strict=True)]
    assert got.out_of_bounds.tolist() == beyond
    assert got.amounts.to_pylist() == want
    # the reference itself: half up, away from zero
    for x, w in zip(exact, want, strict=True):
        assert w is None or w == x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_converted_amount_beyond_the_bound_is_flagged_not_wrapped():
    # 999,999,999.99 x 2 = 1,999,999,999.98 > AMOUNT_BOUND (1,000,000,000.00)
    got = convert_column(pa.array([Decimal("999999999.99"), Decimal("1.00")], MONEY_TYPE),
                         pa.array([Decimal(2), Decimal(2)], RATE_TYPE))
    assert got.out_of_bounds.tolist() == [True, False]
    assert got.amounts.to_pylist() == [None, Decimal("2.00")]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=30),
       st.lists(st.integers(min_value=0, max_value=60), min_size=0, max_size=8, unique=True))
def test_rates_in_force_equals_the_scalar_rule(doc_days, rate_days):
    start = date(2026, 3, 1)
    rows = "".join(f"{start + timedelta(days=d)},EUR,1.{d:02d},test\n" for d in sorted(rate_days))
    table = parse_rate_table("date,currency,rate,source\n" + rows, "USD")
    dates = [start + timedelta(days=d) for d in doc_days]
    got = rates_in_force(table, "EUR", pa.array(dates, pa.date32()))
    want = [table.rate_in_force("EUR", d) for d in dates]
    assert got.missing.tolist() == [w is None for w in want]
    assert got.rates.to_pylist() == [None if w is None else w.rate for w in want]
    assert got.texts.to_pylist() == [None if w is None else rate_text(w.rate) for w in want]


# --- sources.yaml ------------------------------------------------------------------------------


def test_currency_key_is_an_iso_code_and_defaults_to_the_production(tmp_path):
    folder = eur_folder(tmp_path)
    assert load_input_set(folder).sources[0].currency == "EUR"
    (folder / "sources.yaml").write_text(edited(EUR_SOURCES, "currency: EUR", "currency: eur"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 10, field 'nordlicht.currency': currency 'eur' is not an ISO"):
        load_input_set(folder)
    (folder / "sources.yaml").write_text(edited(EUR_SOURCES, "    currency: EUR\n", ""), encoding="utf-8")
    assert load_input_set(folder).sources[0].currency == ""  # the production's (USD)
    payroll = edited(EUR_SOURCES, "kind: invoice", "kind: payroll")
    (folder / "sources.yaml").write_text(payroll, encoding="utf-8")
    with pytest.raises(ConfigError, match="only invoice and petty_cash sources may be in another"):
        load_input_set(folder)


# --- the run: converted, kept, sealed, exported, reported ---------------------------------------


@pytest.fixture(scope="module")
def eur_run(tmp_path_factory):
    root = eur_folder(tmp_path_factory.mktemp("eur"))
    url = f"sqlite:///{root / 'books.db'}"
    result = run(root, url)
    return root, url, result


def test_each_line_is_converted_once_and_the_rest_quarantined(eur_run):
    _, url, result = eur_run
    assert not result.errors
    (src,) = result.sources
    assert (src.rows_read, src.accepted, src.quarantined) == (7, 4, 3)
    assert src.reasons == {"FX_RATE_MISSING": 2, "CURRENCY_MISMATCH": 1}
    led = Ledger.open(url)
    try:
        q = led.quarantine_frame().sort_values("source_line")
        assert list(zip(q["source_line"], q["reason"], q["field"], strict=True)) == [
            (5, "FX_RATE_MISSING", "invoice_date"), (6, "FX_RATE_MISSING", "invoice_date"),
            (7, "CURRENCY_MISMATCH", "amount")]
        # 1,336.41 + 0.03 - 0.03 + 2,500.00 = 3,836.41 USD: never the 3,234.56 of the euros
        actual = dict(zip(led.actuals()["cost_code"], led.actuals()["amount"], strict=True))
        assert actual == {"2500-02": Decimal("3836.41")}
        fx = led.fx_frame()
        assert list(zip(fx["currency"], fx["original_amount"], fx["fx_rate"], fx["amount"], strict=True)) == [
            ("EUR", Decimal("1234.56"), "1.0825", Decimal("1336.41")),
            ("EUR", Decimal("0.02"), "1.25", Decimal("0.03")),
            ("EUR", Decimal("-0.02"), "1.25", Decimal("-0.03")),
            ("EUR", Decimal("2000.00"), "1.25", Decimal("2500.00"))]
        assert verify_chain(led).ok
    finally:
        led.close()


def test_bean_check_accepts_the_export_with_total_prices(eur_run, tmp_path):
    from beancount import loader
    from beancount.core import convert as bc_convert
    from beancount.core import data

    _, url, _ = eur_run
    path = export_beancount(url, tmp_path / "books.beancount")
    text = path.read_text(encoding="utf-8")
    assert "  Expenses:2500-02  1234.56 EUR @@ 1336.41 USD" in text
    assert "  Liabilities:AP  -1234.56 EUR @@ 1336.41 USD" in text
    proc = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    entries, errors, _ = loader.load_file(str(path))
    assert not errors
    weights: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                w = bc_convert.get_weight(p)
                assert w.currency == "USD"
                weights[p.account] += w.number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                units[p.account, p.units.currency] += p.units.number
    with Ledger.open(url) as led:
        tb = {beancount_account(a): b for a, b in zip(led.trial_balance()["account"], led.trial_balance()["balance"],
                                                      strict=True)}
    assert dict(weights) == tb == {"Expenses:2500-02": Decimal("3836.41"), "Liabilities:AP": Decimal("-3836.41")}
    # the euros, kept: 1,234.56 + 0.02 - 0.02 + 2,000.00 = 3,234.56 EUR
    assert units["Expenses:2500-02", "EUR"] == Decimal("3234.56") == -units["Liabilities:AP", "EUR"]


def test_cost_report_shows_the_exposure_per_currency(eur_run):
    _, url, _ = eur_run
    exposure = fx_exposure(load_fx_entries(url))
    # 4 entries; 3,234.56 EUR original; 3,836.41 USD converted; rates 1.0825 .. 1.25
    assert exposure.to_dict("records") == [{"currency": "EUR", "entries": 4, "original": Decimal("3234.56"),
                                            "converted": Decimal("3836.41"), "rate_min": "1.0825",
                                            "rate_max": "1.25"}]
    html = fx_exposure_html(exposure)
    assert "3,234.56" in html and "3,836.41" in html and "1.0825" in html
    assert "No foreign-currency entries" in fx_exposure_html(fx_exposure(load_fx_entries("demo")))


def test_a_rerun_posts_nothing_twice(eur_run):
    root, url, _ = eur_run
    again = run(root, url)
    assert again.sources[0].skipped  # the same bytes: skipped before parsing (already_posted is a row count now)
    with Ledger.open(url) as led:
        assert len(led.fx_frame()) == 4


def test_without_a_rate_table_every_foreign_line_waits(tmp_path):
    root = eur_folder(tmp_path, rates=None)
    result = run(root, f"sqlite:///{tmp_path / 'b.db'}")
    # 6 well-formed lines without a rate, the dollar line still CURRENCY_MISMATCH
    assert result.sources[0].reasons == {"FX_RATE_MISSING": 6, "CURRENCY_MISMATCH": 1}
    assert result.sources[0].accepted == 0


def test_a_bad_rate_table_stops_the_run(tmp_path):
    root = eur_folder(tmp_path, rates=RATES + "2026-03-10,EUR,one,ECB\n")
    with pytest.raises(ConfigError, match="fx_rates.csv, line 4, field 'rate'"):
        run(root, f"sqlite:///{tmp_path / 'b.db'}")


# --- the ledger: sealed, reversible, old entries untouched ---------------------------------------


def fx_postings() -> pd.DataFrame:
    p = postings([("2026-03-02", "2500-02", "AP", "1336.41"), ("2026-03-03", "2500-02", "AP", "10.00")])
    p["original_currency"] = pd.Series(["EUR", None], dtype="string")
    p["original_amount"] = pd.Series(pa.array([Decimal("1234.56"), None], MONEY_TYPE), dtype=pd.ArrowDtype(MONEY_TYPE))
    p["fx_rate"] = pd.Series(["1.0825", None], dtype="string")
    return p


def test_canonical_form_without_fx_is_unchanged():
    cols = {"author": [None], "batch": [1], "date": ["2026-03-02"], "desc": ["x"], "doc": ["A-1"], "id": [1],
            "kind": ["posting"], "line": [2], "party": ["V"], "po": [None], "production": ["default"],
            "reason": [None], "reverses": [None], "row_hash": ["h"], "source": ["s"]}
    lines = ['[["2500-02","1.00"],["AP","-1.00"]]']
    before = ch.entry_parts(cols, lines)
    assert ch.entry_parts({**cols, "fx": ch.fx_json([None], [None], [None])}, lines) == before
    head, _ = ch.entry_parts({**cols, "fx": ch.fx_json(["EUR"], [123456], ["1.0825"])}, lines)
    assert '"doc":"A-1","fx":{"amount":"1234.56","currency":"EUR","rate":"1.0825"},"id":1' in head[0]


def test_old_entries_verify_after_migration_7_and_fx_fields_are_sealed(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate(engine, target=5)  # a ledger from before foreign currency
    engine.dispose()
    led = Ledger.open(url)  # migrates to 7
    try:
        led.post_batch("a", "a.csv", "H0", "invoice", postings([("2026-03-01", "2500-02", "AP", "5.00")]), None, 1)
        led.post_batch("n", "n.csv", "H1", "invoice", fx_postings(), None, 2)
        assert verify_chain(led).ok
        fx = led.fx_frame()
        assert fx[["entry_id", "currency", "fx_rate"]].values.tolist() == [[2, "EUR", "1.0825"]]
        rev = led.reverse_entry(2, "2026-03-20", "wrong vendor", "AP clerk")
        fx = led.fx_frame()
        # the reversal reverses the euros too: 1,234.56 - 1,234.56 = 0 EUR and 1,336.41 - 1,336.41 = 0 USD
        assert fx.loc[fx["entry_id"] == rev, "original_amount"].tolist() == [Decimal("-1234.56")]
        assert fx_exposure(fx)[["entries", "original", "converted"]].values.tolist() == [
            [2, Decimal("0.00"), Decimal("0.00")]]
        assert verify_chain(led).ok
        with led.engine.begin() as c:  # append-only: the database refuses an edit of the rate
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                c.exec_driver_sql("UPDATE journal_fx SET rate = '1.5'")
        with led.engine.begin() as c:  # around the triggers, the hash still sees it
            c.exec_driver_sql("DROP TRIGGER trg_journal_fx_no_update")
            c.exec_driver_sql("UPDATE journal_fx SET rate = '1.5' WHERE entry_id = 2")
        result = verify_chain(led)
        assert not result.ok and result.first_broken == "journal entry 2"
    finally:
        led.close()


def test_a_deleted_fx_record_breaks_the_chain(tmp_path):
    led = Ledger.open(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        led.post_batch("n", "n.csv", "H1", "invoice", fx_postings(), None, 2)
        with led.engine.begin() as c:
            c.exec_driver_sql("DROP TRIGGER trg_journal_fx_no_delete")
            c.exec_driver_sql("DELETE FROM journal_fx")
        result = verify_chain(led)
        assert not result.ok and result.first_broken == "journal entry 1"
    finally:
        led.close()


def test_rate_text_is_exact_and_plain():
    assert rate_text(Decimal("1.08250")) == "1.0825"
    assert rate_text(Decimal("100")) == "100"


# Which kinds may be in a foreign currency: invoice and petty_cash, each line a journal entry that
# keeps its original amount and rate. The others are refused, exit 2, naming file, line and key:
# payroll and timecards (wage bases, caps and scale minimums are in the production currency: a
# converted wage would move a cap crossing), bank and check registers (reconciliation matches the
# bank's own amounts, in the account's currency), budgets and purchase orders (the cost report
# compares them in the production currency, and a PO relieved by converted invoices would drift).
REFUSED_KINDS = ["purchase_order", "timecard", "payroll", "bank", "budget", "check_register"]


@pytest.mark.parametrize("kind", REFUSED_KINDS)
def test_foreign_currency_on_other_kinds_is_exit_2_naming_the_key(tmp_path, capsys, kind: str) -> None:
    folder = eur_folder(tmp_path)
    (folder / "sources.yaml").write_text(edited(EUR_SOURCES, "kind: invoice", f"kind: {kind}"), encoding="utf-8")
    assert main(["check", "--input", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "sources.yaml, line 10, field 'nordlicht.currency'" in err[0]  # `currency: EUR` is line 10
    assert f"a {kind} source is in the production currency USD" in err[0]


@pytest.mark.parametrize("kind", REFUSED_KINDS)
def test_the_production_currency_written_out_is_accepted_on_every_kind(tmp_path, kind: str) -> None:
    # `currency: USD` on a USD production says what the default says: not an error on any kind.
    folder = eur_folder(tmp_path)
    (folder / "sources.yaml").write_text(edited(edited(EUR_SOURCES, "kind: invoice", f"kind: {kind}"),
                                                "currency: EUR", "currency: USD"), encoding="utf-8")
    assert load_input_set(folder).sources[0].currency == "USD"
